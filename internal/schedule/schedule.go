package schedule

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Spec is a rule's schedule. A tick at t (a multiple of Interval since the
// Unix epoch, UTC) evaluates the window [t−WindowEnd−LookBack, t−WindowEnd).
type Spec struct {
	Interval  time.Duration
	LookBack  time.Duration
	WindowEnd time.Duration
	// MaxAlerts caps new alerts per tick; 0 means no cap.
	MaxAlerts int
}

// Window is one evaluation: the tick time and the half-open range of event
// time it covers.
type Window struct {
	Tick, Start, End time.Time
}

// Validate reports schedules that cannot run.
func (s Spec) Validate() error {
	switch {
	case s.Interval <= 0:
		return errors.New("interval must be positive")
	case s.LookBack <= 0:
		return errors.New("look-back must be positive")
	case s.WindowEnd < 0:
		return errors.New("window end offset must not be negative")
	case s.Interval%time.Second != 0 || s.LookBack%time.Second != 0 || s.WindowEnd%time.Second != 0:
		return fmt.Errorf("interval, look-back and window end must be whole seconds")
	}
	return nil
}

// Warnings reports schedules that run but probably not as meant.
func (s Spec) Warnings() []string {
	var w []string
	if s.LookBack < s.Interval {
		w = append(w, fmt.Sprintf("look-back %s is shorter than the interval %s: events between windows are never evaluated", s.LookBack, s.Interval))
	}
	if err := s.Bounded(); err != nil {
		w = append(w, err.Error()+"; tripline will not run it")
	}
	return w
}

// MaxPanes bounds how many panes one window may be made of: a week of
// one-minute panes is well inside it, a week of one-second panes (the
// interval of 1s that a typo makes) is not.
const MaxPanes = 20_000

// Bounded reports a schedule whose every window is made of more than
// MaxPanes panes: its state and every tick's work grow with that number,
// so a run over a few records could take minutes and gigabytes.
func (s Spec) Bounded() error {
	w := s.PaneWidth()
	if w <= 0 {
		return nil
	}
	if n := int64(s.LookBack+s.WindowEnd) / int64(w); n > MaxPanes {
		return fmt.Errorf("schedule makes windows of %d panes of %s (interval %s, look-back %s), more than %d: make the interval and look-back multiples of a longer span",
			n, w, s.Interval, s.LookBack, MaxPanes)
	}
	return nil
}

// PaneWidth is gcd(interval, look-back, window end): the widest slice of
// time that every window is made of whole.
func (s Spec) PaneWidth() time.Duration {
	g := gcd(int64(s.Interval), int64(s.LookBack))
	if s.WindowEnd > 0 {
		g = gcd(g, int64(s.WindowEnd))
	}
	return time.Duration(g)
}

// WindowAt returns the window evaluated at tick t.
func (s Spec) WindowAt(t time.Time) Window {
	end := t.Add(-s.WindowEnd)
	return Window{Tick: t, Start: end.Add(-s.LookBack), End: end}
}

// TickAtOrAfter returns the first tick at or after t.
func (s Spec) TickAtOrAfter(t time.Time) time.Time {
	iv := int64(s.Interval)
	ns := t.UnixNano()
	k := ns / iv
	if ns%iv != 0 && ns > 0 {
		k++ // division truncates toward zero, which is the ceiling below zero
	}
	return time.Unix(0, k*iv).UTC()
}

// TicksCovering returns, in order, every tick whose window contains at
// least one of the panes starting at the given times (each pane width wide).
func (s Spec) TicksCovering(paneStarts []time.Time, width time.Duration) []time.Time {
	seen := map[int64]bool{}
	var out []time.Time
	for _, p := range paneStarts {
		// Window [t−E−L, t−E) holds [p, p+w) when p+w+E <= t <= p+E+L.
		lo := s.TickAtOrAfter(p.Add(width + s.WindowEnd))
		hi := p.Add(s.WindowEnd + s.LookBack)
		for t := lo; !t.After(hi); t = t.Add(s.Interval) {
			if !seen[t.UnixNano()] {
				seen[t.UnixNano()] = true
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}
