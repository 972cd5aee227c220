package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/generate"
)

// alertDigest renders what an analyst sees of each alert, one line per
// alert sorted, so that two runs can be compared whatever their order.
func alertDigest(as []*alert.Alert) []string {
	var out []string
	for _, a := range as {
		var ev []string
		for _, e := range a.Evidence {
			ev = append(ev, fmt.Sprintf("%s:%d", filepath.Base(e.File), e.Line))
		}
		sort.Strings(ev)
		out = append(out, fmt.Sprintf("%s %s tick=%s window=%s..%s matches=%d events=%d first=%s last=%s row=%v evidence=%v",
			a.Rule.ID, a.ID, a.Timestamp.Format(time.RFC3339), a.Window.Start.Format(time.RFC3339),
			a.Window.End.Format(time.RFC3339), a.Matches, a.EventCount, a.FirstSeen.Format(time.RFC3339Nano),
			a.LastSeen.Format(time.RFC3339Nano), a.Row, ev))
	}
	sort.Strings(out)
	return out
}

func diffDigests(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	in := map[string]bool{}
	for _, s := range want {
		in[s] = true
	}
	for _, s := range got {
		if !in[s] {
			t.Errorf("%s: extra or different: %s", what, s)
		}
	}
	in = map[string]bool{}
	for _, s := range got {
		in[s] = true
	}
	for _, s := range want {
		if !in[s] {
			t.Errorf("%s: missing: %s", what, s)
		}
	}
}

// TestHuntInOrderMatchesAllState checks that evaluating while reading in
// time order, with panes evicted behind the watermark, raises exactly the
// alerts of a run that holds every pane and replays the schedule at the
// end, with one decode worker and with two; and that it holds less state.
func TestHuntInOrderMatchesAllState(t *testing.T) {
	rules := builtinRules(t)
	var runnable []*Compiled
	for _, c := range rules {
		if c.Runnable() {
			runnable = append(runnable, c)
		}
	}
	for _, name := range []string{"llmjacking", "misuse", "probing", "enabling"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := generate.Scenario(name, generate.Options{Out: dir, Seed: 9, Principals: 40, Background: 0.05}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			all, err := huntAll(ctx, runnable, []string{dir}, HuntOptions{Workers: 1, Profile: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Alerts) == 0 {
				t.Fatal("the scenario raised no alert")
			}
			want := alertDigest(all.Alerts)
			const lateness = 20 * time.Minute
			for _, workers := range []int{1, 2} {
				got, err := huntInOrder(ctx, runnable, []string{dir}, HuntOptions{Workers: workers, Profile: true, Lateness: lateness})
				if err != nil {
					t.Fatalf("%d workers: %v", workers, err)
				}
				diffDigests(t, fmt.Sprintf("%d workers", workers), alertDigest(got.Alerts), want)
				for i, r := range got.Rules {
					if r.Ticks != all.Rules[i].Ticks {
						t.Errorf("%d workers: rule %s evaluated %d ticks, the replay %d", workers,
							r.Compiled.Rule.ID, r.Ticks, all.Rules[i].Ticks)
					}
					// Evaluated as the data passes, a rule holds its
					// look-back, an interval and the lateness of panes.
					spec := r.Compiled.Spec
					bound := int((spec.LookBack+spec.Interval+lateness)/spec.PaneWidth()) + 2
					if n := r.Profile.Largest.Panes; n > bound {
						t.Errorf("%d workers: rule %s held %d panes, more than its bound %d (the replay held %d)",
							workers, r.Compiled.Rule.ID, n, bound, all.Rules[i].Profile.Largest.Panes)
					}
				}
			}
		})
	}
}

// TestHuntOutOfOrderFallsBack gives hunt a file whose records go back in
// time by more than the lateness, past windows already evaluated: the
// denials that make the Elastic seed's alert come after a record three
// hours later. Hunt must notice, read again holding all state, raise the
// alert and say where the input went out of order.
func TestHuntOutOfOrderFallsBack(t *testing.T) {
	var lines []string
	lines = append(lines, denial(base.Add(-time.Hour), "early", "m1"), denial(base.Add(3*time.Hour), "later", "m1"))
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	path := filepath.Join(t.TempDir(), "shuffled.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := builtinRules(t)
	rep, err := Hunt(context.Background(), rules, []string{path}, HuntOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Unordered, "shuffled.json:3") {
		t.Errorf("Unordered = %q, want it to name shuffled.json:3", rep.Unordered)
	}
	got := alertsOf(rep.Alerts, esqlSeedID(t))
	if len(got) != 1 || got[0].EventCount != 5 {
		t.Fatalf("got %d seed alerts (%v), want one of 5 denials", len(got), got)
	}
	var sum strings.Builder
	WriteSummary(&sum, rep)
	if !strings.Contains(sum.String(), "not in time order") || !strings.Contains(sum.String(), "shuffled.json:3") {
		t.Errorf("the summary does not say the input was out of order:\n%s", sum.String())
	}

	// Within the lateness, the same disorder is evaluated in order.
	rep, err = Hunt(context.Background(), rules, []string{path}, HuntOptions{Workers: 1, Lateness: 4 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unordered != "" {
		t.Errorf("within the lateness the run fell back: %s", rep.Unordered)
	}
	if got := alertsOf(rep.Alerts, esqlSeedID(t)); len(got) != 1 {
		t.Fatalf("got %d seed alerts, want 1", len(got))
	}
}

// TestHuntOrdersFilesByTime gives hunt two files whose names sort against
// their times: read in the given order the later file would make the
// earlier one late; read in time order no fallback is needed.
func TestHuntOrdersFilesByTime(t *testing.T) {
	dir := t.TempDir()
	var early, late []string
	for i := 0; i < 5; i++ {
		early = append(early, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
		late = append(late, denial(base.Add(5*time.Hour+time.Duration(i)*time.Minute), "other", "m1"))
	}
	for name, lines := range map[string][]string{"a.json": late, "b.json": early} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Hunt(context.Background(), builtinRules(t), []string{dir}, HuntOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unordered != "" {
		t.Errorf("files were not read in time order: %s", rep.Unordered)
	}
	if got := alertsOf(rep.Alerts, esqlSeedID(t)); len(got) != 2 {
		t.Fatalf("got %d seed alerts, want 2", len(got))
	}
	var le *lateError
	_, err = huntInOrder(context.Background(), nil, []string{dir}, HuntOptions{})
	if errors.As(err, &le) {
		t.Errorf("no rule, yet a late record: %v", err)
	}
}

// TestHuntStdinOutOfOrder gives hunt out-of-order records on standard
// input, which cannot be read a second time: the alert must still be
// raised.
func TestHuntStdinOutOfOrder(t *testing.T) {
	var lines []string
	lines = append(lines, denial(base.Add(-time.Hour), "early", "m1"), denial(base.Add(3*time.Hour), "later", "m1"))
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	opt := HuntOptions{Workers: 1}
	opt.Stdin.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	rep, err := Hunt(context.Background(), builtinRules(t), []string{"-"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := alertsOf(rep.Alerts, esqlSeedID(t)); len(got) != 1 || got[0].EventCount != 5 {
		t.Fatalf("got %d seed alerts (%v), want one of 5 denials", len(got), got)
	}
}
