package engine

import (
	"sort"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/schedule"
)

// alerter turns one rule's window results into alerts. An aggregating
// rule's group keeps one open alert while windows that overlap (or fall
// within the suppression duration) keep matching; a per-event rule raises
// one alert per source event however many windows see it.
type alerter struct {
	c      *Compiled
	open   map[string]*episode
	alerts []*alert.Alert
	// Capped counts alerts not raised because a tick hit max alerts.
	Capped int
	Ticks  int
}

type episode struct {
	a       *alert.Alert
	lastEnd time.Time
	panes   map[int64]int64
}

func newAlerter(c *Compiled) *alerter {
	return &alerter{c: c, open: map[string]*episode{}}
}

// tick folds the results of one window into alerts and returns the
// alerts it raised or updated.
func (al *alerter) tick(w schedule.Window, results []exec.Result) []*alert.Alert {
	al.Ticks++
	raised := 0
	var touched []*alert.Alert
	r := al.c.Rule
	for i := range results {
		res := &results[i]
		if al.c.Exceptions().Row(res.Get) != nil {
			continue
		}
		row := rowFields(res)
		group := al.groupOf(res)
		key, perEvent := al.keyOf(res, group)
		if ep, ok := al.open[key]; ok && al.continues(ep, w, perEvent) {
			if al.update(ep, w, res, row) {
				touched = append(touched, ep.a)
			}
			continue
		}
		if al.c.Spec.MaxAlerts > 0 && raised >= al.c.Spec.MaxAlerts {
			al.Capped++
			continue
		}
		raised++
		a := &alert.Alert{
			Rule:      alert.NewRuleRef(r),
			Timestamp: w.Tick,
			RaisedAt:  raisedNow(),
			Window:    alert.Window{Start: w.Start, End: w.End},
			Group:     group,
			Row:       row,
			FirstSeen: res.First,
			LastSeen:  res.Last,
			Guide:     r.Guide,
			Matches:   1,
			Status:    "open",
		}
		if perEvent {
			a.ID = alert.EventID(r.ID, key)
		} else {
			a.ID = alert.GroupID(r.ID, group, w.Start)
		}
		ep := &episode{a: a, lastEnd: w.End, panes: map[int64]int64{}}
		al.absorb(ep, res)
		al.open[key] = ep
		al.alerts = append(al.alerts, a)
		touched = append(touched, a)
	}
	return touched
}

// evict forgets episodes that can no longer continue at windows starting
// at or after start, and the alerts kept for them; live runs call it so
// that state stays bounded.
func (al *alerter) evict(start time.Time) {
	al.forget(start)
	al.alerts = al.alerts[:0]
}

// forget forgets the episodes that can no longer continue at windows
// starting at or after start, keeping their alerts.
func (al *alerter) forget(start time.Time) {
	grace := time.Duration(0)
	if s := al.c.Rule.Suppression; s != nil {
		grace = s.Duration
	}
	for k, ep := range al.open {
		if !start.Before(ep.lastEnd.Add(grace)) && !start.Before(ep.a.LastSeen) {
			delete(al.open, k)
		}
	}
}

// continues reports whether a match at window w belongs to the open
// episode: the windows overlap, or the suppression duration has not passed.
func (al *alerter) continues(ep *episode, w schedule.Window, perEvent bool) bool {
	if perEvent {
		return true
	}
	if w.Start.Before(ep.lastEnd) {
		return true
	}
	if s := al.c.Rule.Suppression; s != nil && s.Duration > 0 {
		return w.Start.Sub(ep.lastEnd) < s.Duration
	}
	return false
}

// update folds a later match into an open episode; it reports whether
// the alert changed (a per-event alert seen by another window does not).
func (al *alerter) update(ep *episode, w schedule.Window, res *exec.Result, row alert.Fields) bool {
	before := ep.a.EventCount
	beforeLast := ep.a.LastSeen
	ep.a.Matches++
	ep.a.Row = row
	if w.End.After(ep.a.Window.End) {
		ep.a.Window.End = w.End
	}
	if w.End.After(ep.lastEnd) {
		ep.lastEnd = w.End
	}
	al.absorb(ep, res)
	return ep.a.EventCount != before || !ep.a.LastSeen.Equal(beforeLast) || len(al.c.Program.GroupBy) > 0
}

// absorb unions a result's events into the episode.
func (al *alerter) absorb(ep *episode, res *exec.Result) {
	a := ep.a
	for idx, n := range res.PaneCounts {
		if n > ep.panes[idx] {
			ep.panes[idx] = n
		}
	}
	var total int64
	for _, n := range ep.panes {
		total += n
	}
	if len(ep.panes) == 0 {
		total = res.Count
	}
	a.EventCount = total
	if a.FirstSeen.IsZero() || (!res.First.IsZero() && res.First.Before(a.FirstSeen)) {
		a.FirstSeen = res.First
	}
	if res.Last.After(a.LastSeen) {
		a.LastSeen = res.Last
	}
	seen := map[string]bool{}
	for _, e := range a.Evidence {
		seen[e.File+"\x00"+strconv.FormatInt(e.Offset, 10)] = true
	}
	for _, e := range res.Evidence {
		k := e.Origin.File + "\x00" + strconv.FormatInt(e.Origin.Offset, 10)
		if seen[k] {
			continue
		}
		seen[k] = true
		a.Evidence = append(a.Evidence, alert.Evidence{File: e.Origin.File, Line: e.Origin.Line,
			Offset: e.Origin.Offset, EventID: e.ID, Time: time.Unix(0, e.Time).UTC()})
	}
	sort.SliceStable(a.Evidence, func(i, j int) bool { return a.Evidence[i].Time.Before(a.Evidence[j].Time) })
	if len(a.Evidence) > 10 {
		a.Evidence = a.Evidence[:10]
	}
}

// groupOf returns the group values of a result: the aggregation keys, or
// the suppression fields of a per-event rule with suppression.
func (al *alerter) groupOf(res *exec.Result) alert.Fields {
	names := al.c.Program.GroupBy
	if len(names) == 0 && al.c.Rule.Suppression != nil {
		names = al.c.Rule.Suppression.GroupBy
	}
	g := alert.Fields{}
	for _, n := range names {
		g = append(g, alert.Field{Name: n, Value: res.Get(n)})
	}
	return g
}

// keyOf identifies the thing an alert is about: the group for aggregating
// or suppressed rules, else the source event.
func (al *alerter) keyOf(res *exec.Result, group alert.Fields) (string, bool) {
	if len(group) > 0 && !al.c.Program.Aggregates() && al.unsuppressed(group) {
		group = nil // each event alerts on its own (doNotSuppress)
	}
	if len(group) > 0 {
		var b []byte
		for _, f := range group {
			b = f.Value.Key(b)
		}
		return string(b), false
	}
	if !al.c.Program.Aggregates() && len(res.Evidence) > 0 {
		e := res.Evidence[0]
		if e.ID != "" {
			return e.ID, true
		}
		return e.Origin.String(), true
	}
	// An aggregation without keys: one group.
	return "", false
}

// unsuppressed reports whether a per-event rule's suppression leaves an
// event alone: a group field is missing and the rule says doNotSuppress
// (Kibana's missing_fields_strategy); with "suppress", the default, events
// missing a field are suppressed together as one more group.
func (al *alerter) unsuppressed(group alert.Fields) bool {
	s := al.c.Rule.Suppression
	if s == nil || s.MissingFields != "doNotSuppress" {
		return false
	}
	for _, f := range group {
		if f.Value.IsNull() {
			return true
		}
	}
	return false
}

// finish renders reasons and drilldowns and returns the alerts in order of
// first raising.
func (al *alerter) finish() []*alert.Alert {
	for _, a := range al.alerts {
		render(al.c, a)
	}
	return al.alerts
}

// render fills an alert's reason and drilldowns from its current content.
func render(c *Compiled, a *alert.Alert) {
	a.Reason = alert.Reason(c.Rule, a)
	a.Drilldowns = alert.Drilldowns(c.Rule, a)
}

func rowFields(res *exec.Result) alert.Fields {
	fs := make(alert.Fields, 0, len(res.Columns))
	for i, c := range res.Columns {
		fs = append(fs, alert.Field{Name: c, Value: res.Values[i]})
	}
	return fs
}

// raisedNow is the wall-clock time an alert is raised, to the millisecond.
func raisedNow() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
