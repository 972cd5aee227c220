package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/store"
)

func openTestStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// far is a wall clock far after the test data, so windows close by event
// time only, as when replaying old logs.
func far() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

type collector struct {
	mu     sync.Mutex
	alerts []*alert.Alert
}

func (c *collector) add(_ context.Context, as []*alert.Alert) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alerts = append(c.alerts, as...)
}

// liveOnce runs one chunk through a live engine of its own over st, as a
// process that lives for one delivery: it restores the last checkpoint
// first when restore is set, and checkpoints after.
func liveOnce(t *testing.T, st store.Store, rules []*Compiled, in Input, restore bool) {
	t.Helper()
	ctx := context.Background()
	l := NewLive(rules, LiveOptions{Store: st, Now: far, CheckpointEvery: time.Hour})
	if restore {
		if err := l.Restore(ctx); err != nil {
			t.Fatal(err)
		}
	}
	l.process(ctx, item{in: in})
	if err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

func chunk(name string, lines ...string) Input {
	return Input{Name: name, Data: []byte(strings.Join(lines, "\n") + "\n"), Start: logs.StreamStart{Line: 1}}
}

func TestLiveRaisesOnWatermark(t *testing.T) {
	st := openTestStore(t)
	col := &collector{}
	l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far, OnAlerts: col.add})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()

	var burst []string
	for i := 0; i < 5; i++ {
		burst = append(burst, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	if err := l.Deliver(ctx, chunk("a.json", burst...)); err != nil {
		t.Fatal(err)
	}
	if n := len(col.alerts); n != 0 {
		t.Fatalf("%d alerts before the watermark passed the windows", n)
	}
	// A later event moves the watermark (minus 10 minutes of lateness)
	// past every window that holds the burst.
	if err := l.Deliver(ctx, chunk("b.json", denial(base.Add(90*time.Minute), "other", "m2"))); err != nil {
		t.Fatal(err)
	}
	// A late event older than every open window is dropped, not counted.
	if err := l.Deliver(ctx, chunk("c.json", denial(base.Add(90*time.Second), "thief", "m1"))); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stored, err := st.List(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var seed []*alert.Alert
	for _, a := range stored {
		if a.Rule.ID == esqlSeedID(t) {
			seed = append(seed, a)
		}
	}
	if len(seed) != 1 || seed[0].EventCount != 5 || seed[0].Matches != 6 {
		t.Fatalf("stored %d seed alerts (%v), want one with 5 events seen by 6 windows", len(seed), seed)
	}
	risk, err := st.Risk(context.Background(), store.RiskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(risk) != 1 || risk[0].Entity != "arn:aws:sts::111122223333:assumed-role/app/thief" || risk[0].Score != 73 {
		t.Errorf("risk %+v, want the thief with the rule's score 73", risk)
	}
	if l.late != 1 {
		t.Errorf("late events dropped: %d, want 1", l.late)
	}
}

// A run interrupted without warning and restarted from its last checkpoint
// raises exactly the alerts of an uninterrupted run: no loss, no duplicate.
func TestLiveCrashAndRestore(t *testing.T) {
	var chunks []Input
	for c := 0; c < 12; c++ {
		var lines []string
		for i := 0; i < 4; i++ {
			at := base.Add(time.Duration(c*15+i) * time.Minute)
			lines = append(lines, denial(at, fmt.Sprintf("u%d", c%3), fmt.Sprintf("m%d", c%2)))
		}
		chunks = append(chunks, chunk(fmt.Sprintf("c%02d.json", c), lines...))
	}
	run := func(st store.Store, from int, stopAfter int, ckptAt int) (processed int) {
		// positions: the index of the next chunk, committed with state.
		next := from
		l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far, CheckpointEvery: time.Hour})
		l.SetPositions(func() json.RawMessage { return json.RawMessage(fmt.Sprint(next)) })
		if err := l.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ps := l.RestoredPositions(); ps != nil {
			fmt.Sscan(string(ps), &next)
		}
		ctx := context.Background()
		for next < len(chunks) && (stopAfter < 0 || next < stopAfter) {
			in := chunks[next]
			i := next
			in.Commit = func() { next = i + 1 }
			l.process(ctx, item{in: in})
			if next == ckptAt {
				if err := l.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if stopAfter < 0 {
			if err := l.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return next
	}
	ids := func(st store.Store) []string {
		as, err := st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s %s events=%d", a.ID, a.Group.Get("user.id"), a.EventCount))
		}
		sort.Strings(out)
		return out
	}
	whole := openTestStore(t)
	run(whole, 0, -1, -1)
	crashed := openTestStore(t)
	run(crashed, 0, 9, 5) // checkpoint after chunk 5, then "killed" after chunk 9
	run(crashed, 0, -1, -1)
	want, got := ids(whole), ids(crashed)
	if len(want) == 0 {
		t.Fatal("the uninterrupted run raised no alerts; the test proves nothing")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a crash:\n%s\nuninterrupted:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// serve counts a record delivered twice once, and reads records whose
// text is written with \u escapes as their plain twins.
func TestLiveDuplicatesAndEscapes(t *testing.T) {
	run := func(chunks ...Input) []*alert.Alert {
		st := openTestStore(t)
		l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- l.Run(ctx) }()
		for _, c := range chunks {
			if err := l.Deliver(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		// Move the watermark past the burst's windows.
		if err := l.Deliver(ctx, chunk("later.json", denial(base.Add(3*time.Hour), "other", "m2"))); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		stored, err := st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return alertsOf(stored, esqlSeedID(t))
	}
	// The seed alerts above three denials.
	var three []string
	for i := 0; i < 3; i++ {
		three = append(three, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	if got := run(chunk("a.json", three...), chunk("a-again.json", three...)); len(got) != 0 {
		t.Errorf("three denials delivered twice raised %d seed alerts; the copies were counted", len(got))
	}
	five := append(three, denial(base.Add(3*time.Minute), "thief", "m1"), denial(base.Add(4*time.Minute), "thief", "m1"))
	var escaped []string
	for _, line := range five {
		escaped = append(escaped, string(escapeLetters([]byte(line), "MsAo")))
	}
	if got := run(chunk("escaped.json", escaped...)); len(got) != 1 || got[0].EventCount != 5 {
		t.Errorf("five escaped denials raised %v, want one seed alert of 5 events", got)
	}
}
