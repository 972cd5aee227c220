package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/store"
)

// riskChart is an entity's risk over time as an SVG the server draws: the
// sum of the risk its alerts added within the risk window before each
// moment, as a step line, under the threshold that raises a risk
// incident. Only numbers and the chart's own labels reach the SVG.
type riskChart struct {
	Width, Height        int
	Left, Right          int // the plot's x range
	Top, Bottom          int // the plot's y range
	Path                 string
	ThresholdY           float64
	Threshold            int
	Max                  int
	Points               []chartPoint
	Start, End, Midpoint string
	Empty                bool
}

// chartPoint is a moment the risk changed, for the marks and their titles.
type chartPoint struct {
	X, Y  float64
	Risk  int
	Label string
}

// riskSteps returns the moments an entity's rolling risk changes (each
// event's time, and the time its score leaves the window) with the risk
// from then on, oldest first.
func riskSteps(evs []store.RiskEvent, window time.Duration) ([]time.Time, []int) {
	type change struct {
		t     time.Time
		delta int
	}
	var cs []change
	for _, e := range evs {
		if e.Threat {
			continue
		}
		cs = append(cs, change{e.Time, e.Score}, change{e.Time.Add(window), -e.Score})
	}
	slices.SortStableFunc(cs, func(a, b change) int { return a.t.Compare(b.t) })
	var times []time.Time
	var risks []int
	sum := 0
	for i, c := range cs {
		sum += c.delta
		if i+1 < len(cs) && cs[i+1].t.Equal(c.t) {
			continue // one step per moment
		}
		times = append(times, c.t)
		risks = append(risks, sum)
	}
	return times, risks
}

// newRiskChart lays out the chart of an entity's risk events.
func newRiskChart(evs []store.RiskEvent, window time.Duration, threshold int) riskChart {
	c := riskChart{Width: 860, Height: 240, Left: 56, Right: 840, Top: 16, Bottom: 200, Threshold: threshold}
	times, risks := riskSteps(evs, window)
	if len(times) == 0 {
		c.Empty = true
		return c
	}
	c.Max = max(threshold, slices.Max(risks))
	top := float64(c.Max) * 1.1
	t0, t1 := times[0], times[len(times)-1]
	span := t1.Sub(t0)
	if span <= 0 {
		span = time.Hour
	}
	x := func(t time.Time) float64 {
		return float64(c.Left) + float64(c.Right-c.Left)*float64(t.Sub(t0))/float64(span)
	}
	y := func(v int) float64 {
		return float64(c.Bottom) - float64(c.Bottom-c.Top)*float64(v)/top
	}
	var p strings.Builder
	fmt.Fprintf(&p, "M%.1f %.1f", x(t0), y(0))
	for i, t := range times {
		fmt.Fprintf(&p, " H%.1f V%.1f", x(t), y(risks[i]))
		c.Points = append(c.Points, chartPoint{X: x(t), Y: y(risks[i]), Risk: risks[i],
			Label: fmt.Sprintf("%s: risk %d", formatTime(t), risks[i])})
	}
	c.Path = p.String()
	c.ThresholdY = y(threshold)
	c.Start, c.End = formatTime(t0), formatTime(t1)
	c.Midpoint = formatTime(t0.Add(span / 2))
	return c
}
