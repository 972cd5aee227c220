package schedule

import (
	"testing"
	"time"
)

func TestPaneWidth(t *testing.T) {
	cases := []struct {
		spec Spec
		want time.Duration
	}{
		{Spec{Interval: 10 * time.Minute, LookBack: 60 * time.Minute}, 10 * time.Minute},
		{Spec{Interval: time.Hour, LookBack: time.Hour, WindowEnd: 10 * time.Minute}, 10 * time.Minute},
		{Spec{Interval: 5 * time.Minute, LookBack: 6 * time.Minute}, time.Minute},
		{Spec{Interval: 15 * time.Minute, LookBack: 40 * time.Minute}, 5 * time.Minute},
	}
	for _, c := range cases {
		if got := c.spec.PaneWidth(); got != c.want {
			t.Errorf("%+v: pane width %s, want %s", c.spec, got, c.want)
		}
	}
}

func TestWindowAtSplunkDefault(t *testing.T) {
	s := Spec{Interval: time.Hour, LookBack: time.Hour, WindowEnd: 10 * time.Minute}
	tick := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	w := s.WindowAt(tick)
	if !w.Start.Equal(time.Date(2026, 11, 21, 11, 50, 0, 0, time.UTC)) || !w.End.Equal(time.Date(2026, 11, 21, 12, 50, 0, 0, time.UTC)) {
		t.Fatalf("window %v – %v, want 11:50 – 12:50", w.Start, w.End)
	}
}

func TestTicksCoveringOnePane(t *testing.T) {
	// The Elastic seed: every 10 minutes over the last 60. A pane of
	// 10 minutes is seen by exactly six windows.
	s := Spec{Interval: 10 * time.Minute, LookBack: time.Hour}
	p := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ticks := s.TicksCovering([]time.Time{p}, s.PaneWidth())
	if len(ticks) != 6 {
		t.Fatalf("got %d ticks, want 6: %v", len(ticks), ticks)
	}
	for _, tk := range ticks {
		w := s.WindowAt(tk)
		if p.Before(w.Start) || p.Add(s.PaneWidth()).After(w.End) {
			t.Errorf("tick %v window %v–%v does not hold the pane", tk, w.Start, w.End)
		}
	}
	if !ticks[0].Equal(p.Add(10 * time.Minute)) {
		t.Errorf("first tick %v, want 12:10", ticks[0])
	}
}

func TestTicksCoveringDeduplicates(t *testing.T) {
	s := Spec{Interval: 10 * time.Minute, LookBack: time.Hour}
	p := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ticks := s.TicksCovering([]time.Time{p, p.Add(10 * time.Minute)}, s.PaneWidth())
	if len(ticks) != 7 {
		t.Fatalf("got %d ticks, want 7", len(ticks))
	}
}

func TestValidate(t *testing.T) {
	if err := (Spec{Interval: 0, LookBack: time.Hour}).Validate(); err == nil {
		t.Error("zero interval accepted")
	}
	if err := (Spec{Interval: time.Minute, LookBack: time.Hour}).Validate(); err != nil {
		t.Errorf("valid spec rejected: %v", err)
	}
	if w := (Spec{Interval: time.Hour, LookBack: time.Minute}).Warnings(); len(w) != 1 {
		t.Errorf("short look-back not warned: %v", w)
	}
}
