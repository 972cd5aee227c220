package ui

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
)

// pageSize is how many alerts the queue shows at once.
const pageSize = 50

// queueParams are the queue's parameters, as the URL holds them: the
// API's alert filters, plus group.
var queueParams = []string{"since", "until", "severity", "rule", "status", "entity", "language", "technique", "q", "group"}

// queueData is the queue page.
type queueData struct {
	Form      map[string]string // the parameters as given, for the form
	Error     string            // a parameter the store cannot use
	Total     int
	From, To  int // the alerts shown, counted from 1
	Alerts    []queueRow
	GroupBy   string
	Groups    []groupRow
	Newer     string // links to the next pages, "" at either end
	Older     string
	Rules     []server.RuleStatus
	Languages []string
	Ranges    []choice // time range presets
	Clear     string   // the queue without filters
}

// queueRow is one alert of the queue.
type queueRow struct {
	*alert.Alert
	RuleName string
	RuleLink string // the queue filtered by this rule
	Entities []string
}

// groupRow is one rule or entity with its count of alerts.
type groupRow struct {
	Key, Label string
	Count      int
	Latest     time.Time
	Link       string // the queue filtered by it
	Page       string // the entity's page, for entities
}

// choice is a link that sets one parameter.
type choice struct {
	Label, Link string
	On          bool
}

// queueLink is the queue's URL for q with the given parameters set
// (an empty value removes one); the offset goes back to the start unless
// it is set.
func queueLink(q url.Values, set ...string) string {
	v := url.Values{}
	for _, k := range queueParams {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

func (u *UI) queue(r *http.Request) (string, view, error) {
	q := r.URL.Query()
	d := &queueData{Form: map[string]string{}, Clear: "/"}
	for _, k := range queueParams {
		d.Form[k] = q.Get(k)
	}
	rules := u.ruleStatuses()
	d.Rules, d.Languages = rules, languages(rules)
	for _, rg := range []struct{ label, since string }{{"1 h", "1h"}, {"24 h", "24h"}, {"7 d", "7d"}, {"30 d", "30d"}, {"all", ""}} {
		d.Ranges = append(d.Ranges, choice{rg.label, queueLink(q, "since", rg.since, "until", ""), q.Get("since") == rg.since && q.Get("until") == ""})
	}
	v := view{Title: "Alerts", Nav: "queue", Data: d}
	if q.Get("group") == string(store.ByEntity) {
		v.Title, v.Nav = "Entities", "entities"
	}
	f, err := server.AlertFilter(q, u.opt.Now())
	if err != nil {
		d.Error = err.Error()
		return "queue", v, nil
	}
	f.Limit = pageSize
	ctx := r.Context()
	switch g := q.Get("group"); g {
	case "":
	case string(store.ByRule), string(store.ByEntity):
		d.GroupBy = g
		groups, err := u.views.Groups(ctx, f, store.GroupBy(g))
		if err != nil {
			return "", v, err
		}
		names := ruleNames(rules)
		for _, gr := range groups {
			row := groupRow{Key: gr.Key, Label: gr.Key, Count: gr.Count, Latest: gr.Latest}
			if g == string(store.ByRule) {
				row.Label = cmp.Or(names[gr.Key], gr.Key)
				row.Link = queueLink(q, "group", "", "rule", gr.Key)
			} else {
				row.Link = queueLink(q, "group", "", "entity", gr.Key)
				row.Page = entityURL(gr.Key)
			}
			d.Groups = append(d.Groups, row)
		}
		return "queue", v, nil
	default:
		d.Error = fmt.Sprintf("invalid parameter group: %q is not one of rule, entity", g)
		return "queue", v, nil
	}
	if d.Total, err = u.views.Count(ctx, f); err != nil {
		return "", v, err
	}
	alerts, err := u.opt.Store.List(ctx, f)
	if err != nil {
		return "", v, err
	}
	d.Alerts, err = u.rows(r, alerts, q, rules)
	if err != nil {
		return "", v, err
	}
	if len(alerts) > 0 {
		d.From, d.To = f.Offset+1, f.Offset+len(alerts)
	}
	if f.Offset > 0 {
		d.Newer = queueLink(q, "offset", fmt.Sprint(max(0, f.Offset-pageSize)))
	}
	if f.Offset+len(alerts) < d.Total {
		d.Older = queueLink(q, "offset", fmt.Sprint(f.Offset+pageSize))
	}
	return "queue", v, nil
}

// rows adds to alerts what the queue shows with them: their rule's name
// and the entities they attribute risk to.
func (u *UI) rows(r *http.Request, alerts []*alert.Alert, q url.Values, rules []server.RuleStatus) ([]queueRow, error) {
	ents, err := u.entitiesOf(r, alerts)
	if err != nil {
		return nil, err
	}
	names := ruleNames(rules)
	out := make([]queueRow, len(alerts))
	for i, a := range alerts {
		out[i] = queueRow{Alert: a, RuleName: cmp.Or(a.Rule.Name, names[a.Rule.ID], a.Rule.ID),
			RuleLink: queueLink(q, "rule", a.Rule.ID), Entities: ents[a.ID]}
	}
	return out, nil
}

// maxEntitiesShown bounds the entities shown for one alert.
const maxEntitiesShown = 8

// entitiesOf returns the entities each alert attributes risk to, threat
// objects last.
func (u *UI) entitiesOf(r *http.Request, alerts []*alert.Alert) (map[string][]string, error) {
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	evs, err := u.opt.Store.RiskEvents(r.Context(), store.RiskFilter{AlertIDs: ids})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(evs, func(a, b store.RiskEvent) int { return cmpBool(a.Threat, b.Threat) })
	for _, e := range evs {
		if l := out[e.AlertID]; len(l) < maxEntitiesShown && !slices.Contains(l, e.Entity) {
			out[e.AlertID] = append(l, e.Entity)
		}
	}
	return out, nil
}

func (u *UI) ruleStatuses() []server.RuleStatus {
	if u.opt.Rules == nil {
		return nil
	}
	rs := slices.Clone(u.opt.Rules())
	slices.SortStableFunc(rs, func(a, b server.RuleStatus) int { return cmp.Compare(a.Name, b.Name) })
	return rs
}

func ruleNames(rules []server.RuleStatus) map[string]string {
	m := make(map[string]string, len(rules))
	for _, r := range rules {
		m[r.ID] = r.Name
	}
	return m
}

// languages are the rules' languages, for the language filter.
func languages(rules []server.RuleStatus) []string {
	var out []string
	for _, r := range rules {
		if r.Language != "" && !slices.Contains(out, r.Language) {
			out = append(out, r.Language)
		}
	}
	if len(out) == 0 {
		out = []string{"esql", "spl", "sigma", "kuery", "eql"}
	}
	slices.Sort(out)
	return out
}
