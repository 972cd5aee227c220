package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/store"
)

func TestRiskSteps(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	evs := []store.RiskEvent{
		{Time: at(0), Score: 50},
		{Time: at(1), Score: 30},
		{Time: at(1), Score: 20},                 // the same moment: one step
		{Time: at(2), Score: 1000, Threat: true}, // threat objects are not summed
		{Time: at(25), Score: 10},                // after the first left the window
	}
	times, risks := riskSteps(evs, 24*time.Hour)
	wantT := []time.Time{at(0), at(1), at(24), at(25), at(49)}
	wantR := []int{50, 100, 50, 10, 0}
	if !reflect.DeepEqual(times, wantT) || !reflect.DeepEqual(risks, wantR) {
		t.Errorf("riskSteps = %v %v, want %v %v", times, risks, wantT, wantR)
	}

	c := newRiskChart(evs, 24*time.Hour, 100)
	if c.Empty || c.Max != 100 || len(c.Points) != 5 || !strings.HasPrefix(c.Path, "M56.0 200.0 H56.0 V") {
		t.Errorf("chart %+v", c)
	}
	for _, p := range c.Points {
		if p.X < float64(c.Left) || p.X > float64(c.Right) || p.Y < float64(c.Top) || p.Y > float64(c.Bottom) {
			t.Errorf("point %+v outside the plot", p)
		}
	}
	if c.ThresholdY <= float64(c.Top) || c.ThresholdY >= float64(c.Bottom) {
		t.Errorf("threshold at y %v", c.ThresholdY)
	}
	if !newRiskChart(nil, time.Hour, 100).Empty || !newRiskChart(evs[3:4], time.Hour, 100).Empty {
		t.Error("a chart of no summed risk is not empty")
	}
	one := newRiskChart(evs[:1], time.Hour, 100) // one event: a span of its window
	if one.Empty || len(one.Points) != 2 {
		t.Errorf("one event: %+v", one)
	}
}
