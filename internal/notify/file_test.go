package notify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tripline/tripline/internal/alert"
)

// readLines returns a file's lines, failing on any line that is not a
// whole JSON object or a file that does not end with a newline.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s does not end with a newline", path)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: incomplete line %q: %v", path, sc.Text(), err)
		}
		id, _ := m["id"].(string)
		lines = append(lines, id)
	}
	return lines
}

func numbered(i int) *alert.Alert {
	a := sampleAlert()
	a.ID = "alert-" + strconv.Itoa(i)
	return a
}

func TestFileRotation(t *testing.T) {
	line, _ := Encode(FormatTripline, numbered(10))
	size := int64(len(line) + 1) // every test alert's line has this size (ids of 8 bytes)
	tests := []struct {
		name     string
		maxBytes int64
		keep     int
		alerts   int
		// files lists, newest first (path, path.1, ...), the alert numbers each holds.
		files [][]int
	}{
		{"no rotation", 0, 3, 4, [][]int{{10, 11, 12, 13}}},
		{"two per file, keep 2", 2 * size, 2, 7, [][]int{{16}, {14, 15}, {12, 13}}},
		{"two per file, keep 0", 2 * size, 0, 5, [][]int{{14}}},
		{"line larger than max", size / 2, 1, 3, [][]int{{12}, {11}}},
		{"room for 2.5 lines", 5 * size / 2, 3, 5, [][]int{{14}, {12, 13}, {10, 11}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "alerts.ndjson")
			s, err := NewFile(path, FormatTripline, tc.maxBytes, tc.keep)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tc.alerts; i++ {
				if err := s.Send(context.Background(), numbered(10+i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.files {
				p := path
				if i > 0 {
					p += "." + strconv.Itoa(i)
				}
				var wantIDs []string
				for _, n := range want {
					wantIDs = append(wantIDs, "alert-"+strconv.Itoa(n))
				}
				if got := readLines(t, p); strings.Join(got, " ") != strings.Join(wantIDs, " ") {
					t.Errorf("%s holds %v, want %v", filepath.Base(p), got, wantIDs)
				}
				if tc.maxBytes > size {
					if st, _ := os.Stat(p); st.Size() > tc.maxBytes {
						t.Errorf("%s has %d bytes, over %d", filepath.Base(p), st.Size(), tc.maxBytes)
					}
				}
			}
			extra := path + "." + strconv.Itoa(len(tc.files))
			if _, err := os.Stat(extra); !os.IsNotExist(err) {
				t.Errorf("%s exists beyond keep", filepath.Base(extra))
			}
			if st := s.Stats(); st.Sent != uint64(tc.alerts) || st.Failed != 0 {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestFileAppendsAcrossOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ndjson")
	for i := 0; i < 2; i++ {
		s, err := NewFile(path, FormatOCSF, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(context.Background(), sampleAlert()); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	b, _ := os.ReadFile(path)
	if n := bytes.Count(b, []byte("\n")); n != 2 || !bytes.Contains(b, []byte(`"class_uid":2004`)) {
		t.Errorf("file after two opens has %d lines:\n%s", n, b)
	}
}

func TestFileConcurrentSendsKeepLinesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ndjson")
	line, _ := Encode(FormatTripline, numbered(10))
	s, err := NewFile(path, FormatTripline, int64(3*len(line)), 50)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 10; i++ {
				s.Send(context.Background(), numbered(10+g*10+i))
			}
		})
	}
	wg.Wait()
	s.Close()
	total := 0
	for i := 0; ; i++ {
		p := path
		if i > 0 {
			p += "." + strconv.Itoa(i)
		}
		if _, err := os.Stat(p); err != nil {
			break
		}
		total += len(readLines(t, p))
	}
	if total != 40 {
		t.Errorf("%d lines across files, want 40", total)
	}
}

func TestFileErrors(t *testing.T) {
	if _, err := NewFile("", "", 0, 0); err == nil {
		t.Error("no error for an empty path")
	}
	if _, err := NewFile(filepath.Join(t.TempDir(), "a"), "xml", 0, 0); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("err = %v", err)
	}
	s, err := NewFile(filepath.Join(t.TempDir(), "a"), "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Send(context.Background(), sampleAlert()); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
}

func TestStdout(t *testing.T) {
	var b bytes.Buffer
	s, err := NewStdout(&b, FormatECS)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.Send(context.Background(), sampleAlert()); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"event.kind":"signal"`) {
		t.Errorf("stdout got %q", b.String())
	}
	if st := s.Stats(); st.Sent != 2 {
		t.Errorf("stats = %+v", st)
	}
	if _, err := NewStdout(&b, "csv"); err == nil {
		t.Error("no error for an unknown format")
	}
}
