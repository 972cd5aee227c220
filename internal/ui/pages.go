package ui

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
)

// alertData is an alert's page.
type alertData struct {
	*alert.Alert
	Guide      template.HTML // sanitised
	History    []store.StatusChange
	Entities   []store.RiskEvent // the risk this alert attributes
	Related    []*alert.Alert    // other alerts of the same entities, newest first
	Evidence   []evidenceView
	Drilldowns []drilldownView
	Exceptions *alertExceptions
}

type evidenceView struct {
	alert.Evidence
	Pretty string // the raw record, indented and clipped
	// Lines are Pretty's lines, those holding a field the rule read
	// marked.
	Lines []rawLine
}

type drilldownView struct {
	alert.Drilldown
	N int // its number in the API, from 1
}

// maxRelated bounds the other alerts an alert's page lists.
const maxRelated = 50

func (u *UI) alert(r *http.Request) (string, view, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	a, hist, err := u.opt.Store.Get(ctx, id)
	if err != nil {
		return "", view{}, err
	}
	d := &alertData{Alert: a, History: hist, Guide: renderGuide(a.Guide)}
	if d.Entities, err = u.opt.Store.RiskEvents(ctx, store.RiskFilter{AlertIDs: []string{id}}); err != nil {
		return "", view{}, err
	}
	// Entities first, threat objects (addresses, user agents) after.
	slices.SortStableFunc(d.Entities, func(x, y store.RiskEvent) int { return cmpBool(x.Threat, y.Threat) })
	seen := map[string]bool{id: true}
	for i, e := range d.Entities {
		if i == maxEntitiesShown {
			break
		}
		others, err := u.opt.Store.List(ctx, store.Filter{Entity: e.Entity, Limit: maxRelated})
		if err != nil {
			return "", view{}, err
		}
		for _, o := range others {
			if !seen[o.ID] {
				seen[o.ID] = true
				d.Related = append(d.Related, o)
			}
		}
	}
	slices.SortStableFunc(d.Related, func(x, y *alert.Alert) int { return y.Timestamp.Compare(x.Timestamp) })
	if len(d.Related) > maxRelated {
		d.Related = d.Related[:maxRelated]
	}
	reads := u.readsOf(a.Rule.ID)
	for _, e := range a.Evidence {
		ev := evidenceView{Evidence: e}
		if len(e.Raw) > 0 {
			ev.Pretty = clip(maxRawBytes, prettyJSON(e.Raw))
			ev.Lines = markedLines(ev.Pretty, reads)
		}
		d.Evidence = append(d.Evidence, ev)
	}
	for i, dd := range a.Drilldowns {
		d.Drilldowns = append(d.Drilldowns, drilldownView{Drilldown: dd, N: i + 1})
	}
	if d.Exceptions, err = u.exceptionsOf(ctx, a); err != nil {
		return "", view{}, err
	}
	return "alert", view{Title: clip(120, visibleLine(cmp.Or(a.Rule.Name, a.Rule.ID))), Nav: "queue", Data: d}, nil
}

// readsOf returns the record paths rule id reads, to mark in its
// evidence; nil when the rules are not known.
func (u *UI) readsOf(id string) map[string]bool {
	if u.opt.Rules == nil {
		return nil
	}
	for _, r := range u.opt.Rules() {
		if r.ID == id {
			m := make(map[string]bool, len(r.Reads))
			for _, p := range r.Reads {
				m[p] = true
			}
			return m
		}
	}
	return nil
}

// rulesData is the rules page.
type rulesData struct {
	Rules []ruleRow
	Since string // what "24 h" and "7 d" count back from
}

type ruleRow struct {
	server.RuleStatus
	Day, Week, All int // alerts stored, raised within 24 h and 7 d of now, and in all
	Link           string
}

func (u *UI) rules(r *http.Request) (string, view, error) {
	now := u.opt.Now()
	counts := func(since time.Time) (map[string]int, error) {
		groups, err := u.views.Groups(r.Context(), store.Filter{Since: since}, store.ByRule)
		m := map[string]int{}
		for _, g := range groups {
			m[g.Key] = g.Count
		}
		return m, err
	}
	day, err := counts(now.Add(-24 * time.Hour))
	if err != nil {
		return "", view{}, err
	}
	week, err := counts(now.Add(-7 * 24 * time.Hour))
	if err != nil {
		return "", view{}, err
	}
	all, err := counts(time.Time{})
	if err != nil {
		return "", view{}, err
	}
	d := &rulesData{Since: formatTime(now)}
	for _, rs := range u.ruleStatuses() {
		d.Rules = append(d.Rules, ruleRow{RuleStatus: rs, Day: day[rs.ID], Week: week[rs.ID], All: all[rs.ID],
			Link: queueLink(nil, "rule", rs.ID)})
	}
	return "rules", view{Title: "Rules", Nav: "rules", Data: d}, nil
}

// entityData is an entity's page.
type entityData struct {
	Name      string
	Type      string
	Peak      int // the highest risk within the window it reached
	Chart     riskChart
	Timeline  []*alert.Alert // oldest first
	Truncated bool
	Threshold int
	Window    string
	Queue     string
	// Threat is set for a threat object (an address, a user agent that
	// alerts name as such): its risk is not summed.
	Threat bool
	// Usage is what the event archive says of the entity.
	Usage *entityUsage
}

// maxTimeline bounds the alerts an entity's timeline shows.
const maxTimeline = 500

func (u *UI) entity(r *http.Request) (string, view, error) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		return "", view{}, badRequest("name the entity: /entity?name=...")
	}
	ctx := r.Context()
	evs, err := u.opt.Store.RiskEvents(ctx, store.RiskFilter{Entities: []string{name}})
	if err != nil {
		return "", view{}, err
	}
	alerts, err := u.opt.Store.List(ctx, store.Filter{Entity: name, Limit: maxTimeline + 1})
	if err != nil {
		return "", view{}, err
	}
	d := &entityData{Name: name, Threshold: u.opt.RiskThreshold, Window: duration.Format(u.opt.RiskWindow),
		Queue: queueLink(nil, "entity", name)}
	if len(alerts) > maxTimeline {
		alerts, d.Truncated = alerts[:maxTimeline], true
	}
	slices.SortStableFunc(alerts, func(x, y *alert.Alert) int {
		return cmp.Or(x.FirstSeen.Compare(y.FirstSeen), x.Timestamp.Compare(y.Timestamp))
	})
	d.Timeline = alerts
	d.Threat = len(evs) > 0
	for _, e := range evs {
		d.Type = cmp.Or(d.Type, e.EntityType)
		d.Threat = d.Threat && e.Threat
	}
	d.Chart = newRiskChart(evs, u.opt.RiskWindow, u.opt.RiskThreshold)
	if n := len(d.Chart.Points); n > 0 {
		d.Peak = d.Chart.Points[n-1].Risk
		// The last step is usually the window emptying: the entity's
		// peak is what an analyst wants next to its name.
		for _, p := range d.Chart.Points {
			d.Peak = max(d.Peak, p.Risk)
		}
	}
	if len(evs) == 0 && len(alerts) == 0 {
		return "", view{}, &statusError{http.StatusNotFound, "no alert attributes risk to this entity"}
	}
	d.Usage = u.usageOf(ctx, name, alerts)
	return "entity", view{Title: clip(120, visibleLine(name)), Nav: "queue", Data: d}, nil
}

// loginData is the login page.
type loginData struct {
	Next string // where to go after, a path on this server
}

func (u *UI) login(r *http.Request) (string, view, error) {
	next := r.URL.Query().Get("next")
	// Only a path on this server: not "//host", not "/\host", not a scheme.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	return "login", view{Title: "Log in", Data: &loginData{Next: next}}, nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}
