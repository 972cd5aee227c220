package logs

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// collectStream reads one stream and returns what it delivered.
func collectStream(t *testing.T, name string, data []byte, start StreamStart, opt Options) ([]got, Stats) {
	t.Helper()
	var out []got
	st, err := ReadStream(context.Background(), name, bytes.NewReader(data), start, opt, func(w int, ev *event.Event) error {
		if w != 0 {
			t.Errorf("worker %d, want 0", w)
		}
		out = append(out, got{LogType: ev.LogType, Time: ev.Time, Origin: ev.Origin, ID: ev.ID, Raw: string(ev.Raw)})
		return nil
	})
	if err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	return out, st
}

// TestReadStreamMatchesRead checks that a stream decodes exactly as the
// same bytes read from a file.
func TestReadStreamMatchesRead(t *testing.T) {
	a, b, x := ct("a", "InvokeModel"), ct("b", "ListFoundationModels"), br("x", "Converse")
	tests := []struct {
		name string
		data []byte
	}{
		{"json lines", []byte(a + "\n" + x + "\n" + b + "\n")},
		{"records wrapper gzip", gz(t, []byte(`{"Records":[`+a+`,`+b+`]}`))},
		{"pretty array", []byte("[\n" + pretty(a, "  ") + ",\n" + pretty(x, "  ") + "\n]\n")},
		{"bad line in the middle", []byte(a + "\n{\"broken\n" + b + "\n")},
		{"garbage", []byte("hello\n")},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "in.log"), tt.data)
			want, wantSt := collect(t, []string{path}, Options{Workers: 1})
			gotEv, gotSt := collectStream(t, path, tt.data, StreamStart{}, Options{})
			if len(gotEv) != len(want) {
				t.Fatalf("got %d records, want %d", len(gotEv), len(want))
			}
			for i := range want {
				g, w := gotEv[i], want[i]
				if g.ID != w.ID || g.Origin != w.Origin || g.Raw != w.Raw || g.LogType != w.LogType || !g.Time.Equal(w.Time) {
					t.Errorf("record %d: got %+v, want %+v", i, g, w)
				}
			}
			if gotSt.Files != 1 || gotSt.Empty != wantSt.Empty || gotSt.Bad != wantSt.Bad || gotSt.Bytes != wantSt.Bytes ||
				gotSt.Decoded != wantSt.Decoded || gotSt.Total() != wantSt.Total() {
				t.Errorf("stats: got %+v, want %+v", gotSt, wantSt)
			}
			if len(gotSt.BadSamples) != len(wantSt.BadSamples) {
				t.Fatalf("samples: got %v, want %v", gotSt.BadSamples, wantSt.BadSamples)
			}
			for i := range wantSt.BadSamples {
				if gotSt.BadSamples[i].String() != wantSt.BadSamples[i].String() {
					t.Errorf("sample %d: got %s, want %s", i, gotSt.BadSamples[i], wantSt.BadSamples[i])
				}
			}
		})
	}
}

// TestReadStreamStart checks that a continuation of a file numbers its
// records where they sit in the whole file.
func TestReadStreamStart(t *testing.T) {
	a, b, c := ct("a", "InvokeModel"), ct("b", "ListFoundationModels"), ct("c", "Converse")
	whole := []byte(a + "\n" + b + "\n\n" + c + "\n")
	for _, cut := range []int{len(a) + 1, len(a) + 1 + len(b) + 1, len(a) + 1 + len(b) + 2} {
		head, tail := whole[:cut], whole[cut:]
		start := StreamStart{Line: 1 + bytes.Count(head, []byte{'\n'}), Offset: int64(cut)}
		first, _ := collectStream(t, "f", head, StreamStart{}, Options{})
		second, _ := collectStream(t, "f", tail, start, Options{})
		all, _ := collectStream(t, "f", whole, StreamStart{}, Options{})
		joined := append(first, second...)
		if len(joined) != len(all) {
			t.Fatalf("cut %d: got %d records, want %d", cut, len(joined), len(all))
		}
		for i := range all {
			if joined[i].Origin != all[i].Origin || joined[i].ID != all[i].ID {
				t.Errorf("cut %d record %d: got %v %s, want %v %s", cut, i, joined[i].Origin, joined[i].ID, all[i].Origin, all[i].ID)
			}
		}
	}
	// A bad record in a continuation is reported at its place in the file.
	_, st := collectStream(t, "f", []byte(a+"\n{oops\n"), StreamStart{Line: 10, Offset: 1000}, Options{})
	if st.Bad != 1 || len(st.BadSamples) != 1 {
		t.Fatalf("got %d bad, want 1", st.Bad)
	}
	if o := st.BadSamples[0].Origin; o.Line != 11 || o.Offset != 1000+int64(len(a))+1 || o.File != "f" {
		t.Errorf("bad record at %+v, want f line 11 offset %d", o, 1000+len(a)+1)
	}
}

// TestReadStreamStops checks handler errors, cancellation, and that a
// pooled worker carries nothing from one stream to the next.
func TestReadStreamStops(t *testing.T) {
	data := []byte(strings.Repeat(ct("a", "InvokeModel")+"\n", 5))
	boom := errors.New("boom")
	n := 0
	st, err := ReadStream(context.Background(), "f", bytes.NewReader(data), StreamStart{}, Options{}, func(int, *event.Event) error {
		n++
		if n == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 2 {
		t.Errorf("handler error: got %v after %d records, want boom after 2", err, n)
	}
	if st.Total() > 2 {
		t.Errorf("got %d records counted, want at most 2", st.Total())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadStream(ctx, "f", bytes.NewReader(data), StreamStart{}, Options{}, func(int, *event.Event) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	n = 0
	_, err = ReadStream(ctx, "f", bytes.NewReader(data), StreamStart{}, Options{}, func(int, *event.Event) error {
		n++
		if n == 1 {
			cancel()
			time.Sleep(50 * time.Millisecond) // the stop flag is set asynchronously
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 5 {
		t.Errorf("cancelled mid-stream: got %v after %d records", err, n)
	}
	got, st := collectStream(t, "g", data, StreamStart{}, Options{})
	if len(got) != 5 || st.Total() != 5 || st.Bad != 0 || st.Files != 1 {
		t.Errorf("after reuse: got %d records, stats %+v", len(got), st)
	}
}
