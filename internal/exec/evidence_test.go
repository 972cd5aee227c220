package exec

import (
	"testing"
	"time"
)

// A result cites the latest events of its window, and a group that lives
// over a long look-back holds about maxEvidence references in all, not
// maxEvidence per pane: older panes give theirs up once newer panes hold
// enough, since the window only slides forward.
func TestEvidenceIsTheLatestOfTheWindow(t *testing.T) {
	in := compileDenials(t, 0).NewInstance(10 * time.Minute)
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	for i := 0; i < 60; i++ { // three denials per pane over twenty panes, one late
		at := base.Add(time.Duration(i) * 200 * time.Second)
		times = append(times, at)
	}
	for i := len(times) - 1; i >= 0; i -= 2 { // half of them pushed out of order
		in.Push(invocation(t, times[i], "u1", "m", "AccessDeniedException"))
	}
	for i := 0; i < len(times); i += 2 {
		in.Push(invocation(t, times[i], "u1", "m", "AccessDeniedException"))
	}
	const lookback = 2 * time.Hour
	for end := base.Add(lookback); !end.After(base.Add(200 * time.Minute)); end = end.Add(10 * time.Minute) {
		from := end.Add(-lookback)
		var want []int64
		for _, at := range times {
			if !at.Before(from) && at.Before(end) {
				want = append(want, at.UnixNano())
			}
		}
		if len(want) > maxEvidence {
			want = want[len(want)-maxEvidence:]
		}
		res := in.Evaluate(end, from, end)
		if len(res) != 1 {
			t.Fatalf("window ending %s: %d results, want 1", end.Format("15:04"), len(res))
		}
		var got []int64
		for _, e := range res[0].Evidence {
			got = append(got, e.Time)
		}
		if len(got) != len(want) {
			t.Fatalf("window ending %s: %d evidence, want %d", end.Format("15:04"), len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("window ending %s: evidence %d at %s, want %s", end.Format("15:04"), i,
					time.Unix(0, got[i]).UTC().Format("15:04:05"), time.Unix(0, want[i]).UTC().Format("15:04:05"))
			}
		}
	}
	held := 0
	for _, pn := range in.panes {
		for _, g := range pn.tab.order {
			held += len(g.meta.evidence)
		}
	}
	// The window's newest panes hold maxEvidence or a little more (a pane
	// holds three); the panes behind them hold none.
	if held > maxEvidence+2 {
		t.Errorf("the panes hold %d evidence references, want at most %d", held, maxEvidence+2)
	}
}
