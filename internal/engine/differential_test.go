package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/logs"
)

// TestDifferentialAgainstRescan runs every built-in rule through the
// engine as serve does (events arriving out of order within the lateness,
// each tick evaluated once the watermark passes it by sliding the window
// kept from the tick before, panes evicted) and through a brute-force
// reference that rescans each window's events from scratch into fresh
// state. Every tick must give the same rows.
func TestDifferentialAgainstRescan(t *testing.T) {
	rules := builtinRules(t)
	for _, name := range []string{"llmjacking", "misuse", "probing", "benign"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := generate.Scenario(name, generate.Options{Out: dir, Seed: 5, Principals: 40, Background: 0.03}); err != nil {
				t.Fatal(err)
			}
			evs := readAll(t, dir)
			if len(evs) < 1000 {
				t.Fatalf("only %d events generated", len(evs))
			}
			for _, c := range rules {
				differential(t, c, evs)
			}
		})
	}
}

// readAll reads every record of dir into events that own their bytes,
// sorted by time.
func readAll(t *testing.T, dir string) []*event.Event {
	t.Helper()
	var evs []*event.Event
	_, err := logs.Read(context.Background(), []string{dir}, logs.Options{Workers: 1}, func(_ int, ev *event.Event) error {
		raw := append([]byte(nil), ev.Raw...)
		doc, err := fastjson.ParseBytes(raw)
		if err != nil {
			return err
		}
		evs = append(evs, &event.Event{LogType: ev.LogType, Time: ev.Time, Origin: ev.Origin, ID: ev.ID, Raw: raw, Doc: doc})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	return evs
}

func differential(t *testing.T, c *Compiled, evs []*event.Event) {
	spec := c.Spec
	width := spec.PaneWidth()
	lateness := 2 * width
	// Deliver in time order, but hold back one event in ten by up to the
	// lateness, as a slow shipper would.
	r := rand.New(rand.NewPCG(7, uint64(len(evs))))
	type delivery struct {
		at time.Time
		ev *event.Event
	}
	ds := make([]delivery, len(evs))
	for i, ev := range evs {
		at := ev.Time
		if r.IntN(10) == 0 {
			at = at.Add(time.Duration(r.Int64N(int64(lateness))))
		}
		ds[i] = delivery{at, ev}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].at.Before(ds[j].at) })

	in := c.Program.NewInstance(width)
	first := spec.TickAtOrAfter(evs[0].Time)
	last := evs[len(evs)-1].Time.Add(spec.LookBack + spec.WindowEnd + spec.Interval)
	tick := first
	var maxSeen time.Time
	ticks, matched := 0, 0
	evaluate := func(until time.Time) {
		for ; !tick.After(until) && !tick.After(last); tick = tick.Add(spec.Interval) {
			w := spec.WindowAt(tick)
			got := renderTick(in.Evaluate(tick, w.Start, w.End))
			want := renderTick(rescan(c, evs, tick))
			if got != want {
				t.Fatalf("rule %s (%s) at tick %s:\nengine:\n%s\nrescan:\n%s", c.Rule.ID, c.Rule.Name, tick.Format(time.RFC3339), got, want)
			}
			in.Evict(spec.WindowAt(tick.Add(spec.Interval)).Start)
			ticks++
			if want != "" {
				matched++
			}
		}
	}
	for _, d := range ds {
		if d.at.After(maxSeen) {
			maxSeen = d.at
		}
		// A tick runs once its window's end is behind the watermark.
		evaluate(maxSeen.Add(-lateness).Add(spec.WindowEnd))
		in.Push(d.ev)
	}
	evaluate(last)
	if ticks == 0 {
		t.Fatalf("rule %s: no tick evaluated", c.Rule.ID)
	}
}

// rescan evaluates one tick from scratch over the events of its window.
func rescan(c *Compiled, evs []*event.Event, tick time.Time) []exec.Result {
	w := c.Spec.WindowAt(tick)
	lo := sort.Search(len(evs), func(i int) bool { return !evs[i].Time.Before(w.Start) })
	hi := sort.Search(len(evs), func(i int) bool { return !evs[i].Time.Before(w.End) })
	ref := c.Program.NewInstance(0)
	for _, ev := range evs[lo:hi] {
		ref.Push(ev)
	}
	return ref.Evaluate(tick, w.Start, w.End)
}

// renderTick prints result rows with their counts and time span; the
// evidence each keeps is a sample and is not compared.
func renderTick(rs []exec.Result) string {
	var b strings.Builder
	for i, row := range renderRows(rs) {
		fmt.Fprintf(&b, "%s | count=%d first=%s last=%s\n", row, rs[i].Count, rs[i].First.Format(time.RFC3339), rs[i].Last.Format(time.RFC3339))
	}
	return b.String()
}
