package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/server"
)

// entityUsage is what the event archive says of an entity over the time
// of its alerts: its Bedrock calls and tokens per model per hour, and the
// regions and source addresses it was seen in.
type entityUsage struct {
	Enabled  bool // the server can search the archive
	From, To time.Time
	// Err is why the archive could not be asked; Note why it had nothing.
	Err, Note          string
	Calls, Tokens      usageChart
	Models             []modelTotal
	Regions, Addresses []seenRow
}

// modelTotal is one model's share of the usage, with its chart colour.
type modelTotal struct {
	Name          string
	Class         string
	Calls, Tokens int64
}

// seenRow is one region or address, with the events seen there.
type seenRow struct {
	Value       string
	Events      int64
	First, Last time.Time
}

// usageChart is a stacked bar chart drawn by the server: one bar per hour,
// a segment per model. Only numbers, fixed classes and the chart's own
// labels reach the SVG; model names are in titles, as text.
type usageChart struct {
	Width, Height, Left, Right, Top, Bottom int
	What                                    string // calls or tokens
	Max                                     int64
	Bars                                    []usageBar
	Start, End                              string
	Empty                                   bool
}

type usageBar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// maxModelClasses are the chart colours; later models share the last.
const maxModelClasses = 8

// usageTimeout bounds each of the entity page's questions of the archive,
// under the search timeout: a page should not wait as long as a search.
const usageTimeout = 10 * time.Second

// usagePad widens the range of an entity's alerts for its usage: the
// hour before the first and after the last.
const usagePad = time.Hour

// esqlString quotes s as an ES|QL string literal.
func esqlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// entityMatch is an ES|QL condition that holds for events of the entity:
// its user (id, ARN or name), access key, account, or source address.
func entityMatch(name string) string {
	q := esqlString(name)
	conds := []string{"user.id == " + q, "aws.cloudtrail.user_identity.arn == " + q, "user.name == " + q,
		"aws.cloudtrail.user_identity.access_key_id == " + q, "cloud.account.id == " + q}
	if _, err := netip.ParseAddr(name); err == nil {
		conds = append(conds, "source.ip == "+q)
	}
	return strings.Join(conds, " OR ")
}

// usageQueries are the entity page's questions of the archive.
func usageQueries(name string) (usage, seen string) {
	m := entityMatch(name)
	usage = "FROM logs-aws_bedrock.invocation-* | WHERE " + m +
		" | EVAL hour = DATE_TRUNC(1 hour, @timestamp)" +
		" | STATS calls = COUNT(*), prompt = SUM(gen_ai.usage.prompt_tokens), completion = SUM(gen_ai.usage.completion_tokens) BY hour, model = gen_ai.request.model.id" +
		" | SORT hour | LIMIT 10000"
	seen = "FROM logs-aws.cloudtrail-*, logs-aws_bedrock.invocation-* | WHERE " + m +
		" | STATS events = COUNT(*), first = MIN(@timestamp), last = MAX(@timestamp) BY cloud.region, source.ip | LIMIT 10000"
	return usage, seen
}

// usageOf asks the archive about an entity over the time of its alerts.
func (u *UI) usageOf(ctx context.Context, name string, alerts []*alert.Alert) *entityUsage {
	d := &entityUsage{Enabled: u.opt.Search != nil}
	if !d.Enabled || len(alerts) == 0 {
		return d
	}
	for _, a := range alerts {
		first := cmp.Or(a.FirstSeen, a.Window.Start, a.Timestamp)
		last := cmp.Or(a.LastSeen, a.Window.End, a.Timestamp)
		if d.From.IsZero() || first.Before(d.From) {
			d.From = first
		}
		if last.After(d.To) {
			d.To = last
		}
	}
	d.From, d.To = d.From.Add(-usagePad).UTC(), d.To.Add(usagePad).UTC()
	usage, seen := usageQueries(name)
	timeout := usageTimeout
	if u.opt.SearchTimeout > 0 {
		timeout = min(timeout, u.opt.SearchTimeout)
	}
	run := func(q string) (server.SearchResult, error) {
		return server.RunSearch(ctx, u.opt.Search, server.SearchRequest{Query: q, Language: "esql", From: d.From, To: d.To,
			Limit: server.MaxSearchLimit}, timeout)
	}
	res, err := run(usage)
	if err != nil {
		d.Err = "cannot read the event archive: " + err.Error()
		return d
	}
	if res.Note != "" {
		d.Note = res.Note
		return d
	}
	d.Calls, d.Tokens, d.Models = usageCharts(res.Rows)
	res, err = run(seen)
	if err != nil {
		d.Err = "cannot read the event archive: " + err.Error()
		return d
	}
	d.Regions, d.Addresses = seenRows(res.Rows)
	return d
}

// field reads a column of a row.
func field(row alert.Fields, name string) event.Value {
	for _, f := range row {
		if f.Name == name {
			return f.Value
		}
	}
	return event.Value{}
}

func long(v event.Value) int64 {
	if n, ok := v.Long(); ok {
		return n
	}
	if f, ok := v.Number(); ok {
		return int64(f)
	}
	return 0
}

func text(v event.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	if v.IsNull() {
		return ""
	}
	return v.String()
}

// usageCharts lays out calls and tokens per hour, stacked by model, the
// busiest model first.
func usageCharts(rows []alert.Fields) (calls, tokens usageChart, models []modelTotal) {
	type cell struct {
		hour          time.Time
		model         string
		calls, tokens int64
	}
	var cs []cell
	byModel := map[string]*modelTotal{}
	for _, r := range rows {
		h, ok := field(r, "hour").Time()
		if !ok {
			continue
		}
		c := cell{hour: h.UTC(), model: cmp.Or(text(field(r, "model")), "(no model)"), calls: long(field(r, "calls")),
			tokens: long(field(r, "prompt")) + long(field(r, "completion"))}
		cs = append(cs, c)
		m := byModel[c.model]
		if m == nil {
			m = &modelTotal{Name: c.model}
			byModel[c.model] = m
		}
		m.Calls += c.calls
		m.Tokens += c.tokens
	}
	for _, m := range byModel {
		models = append(models, *m)
	}
	slices.SortFunc(models, func(a, b modelTotal) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), strings.Compare(a.Name, b.Name))
	})
	class := map[string]string{}
	for i := range models {
		models[i].Class = "m" + strconv.Itoa(min(i, maxModelClasses-1))
		class[models[i].Name] = models[i].Class
	}
	order := map[string]int{}
	for i, m := range models {
		order[m.Name] = i
	}
	slices.SortStableFunc(cs, func(a, b cell) int {
		return cmp.Or(a.hour.Compare(b.hour), cmp.Compare(order[a.model], order[b.model]))
	})
	draw := func(what string, value func(cell) int64) usageChart {
		ch := usageChart{Width: 860, Height: 220, Left: 64, Right: 840, Top: 12, Bottom: 180, What: what}
		if len(cs) == 0 {
			ch.Empty = true
			return ch
		}
		t0, t1 := cs[0].hour, cs[len(cs)-1].hour
		hours := int(t1.Sub(t0)/time.Hour) + 1
		sums := make([]int64, hours)
		for _, c := range cs {
			sums[int(c.hour.Sub(t0)/time.Hour)] += value(c)
		}
		ch.Max = max(slices.Max(sums), 1)
		width := float64(ch.Right-ch.Left) / float64(hours)
		scale := float64(ch.Bottom-ch.Top) / float64(ch.Max)
		stack := make([]float64, hours)
		for _, c := range cs {
			v := value(c)
			if v <= 0 {
				continue
			}
			i := int(c.hour.Sub(t0) / time.Hour)
			h := float64(v) * scale
			stack[i] += h
			ch.Bars = append(ch.Bars, usageBar{X: float64(ch.Left) + float64(i)*width + width*0.1, W: width * 0.8,
				Y: float64(ch.Bottom) - stack[i], H: h, Class: class[c.model],
				Title: fmt.Sprintf("%s · %s: %d %s", c.hour.Format("2006-01-02 15:04Z"), c.model, v, what)})
		}
		ch.Start, ch.End = hourLabel(t0), hourLabel(t1.Add(time.Hour))
		return ch
	}
	calls = draw("calls", func(c cell) int64 { return c.calls })
	tokens = draw("tokens", func(c cell) int64 { return c.tokens })
	return calls, tokens, models
}

func hourLabel(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }

// seenRows sums the events of each region and of each source address,
// most events first.
func seenRows(rows []alert.Fields) (regions, addresses []seenRow) {
	add := func(m map[string]*seenRow, key string, n int64, first, last time.Time) {
		if key == "" {
			return
		}
		s := m[key]
		if s == nil {
			s = &seenRow{Value: key, First: first, Last: last}
			m[key] = s
		}
		s.Events += n
		if !first.IsZero() && (s.First.IsZero() || first.Before(s.First)) {
			s.First = first
		}
		if last.After(s.Last) {
			s.Last = last
		}
	}
	byRegion, byAddr := map[string]*seenRow{}, map[string]*seenRow{}
	for _, r := range rows {
		n := long(field(r, "events"))
		first, _ := field(r, "first").Time()
		last, _ := field(r, "last").Time()
		add(byRegion, text(field(r, "cloud.region")), n, first, last)
		add(byAddr, text(field(r, "source.ip")), n, first, last)
	}
	list := func(m map[string]*seenRow) []seenRow {
		out := make([]seenRow, 0, len(m))
		for _, s := range m {
			out = append(out, *s)
		}
		slices.SortFunc(out, func(a, b seenRow) int {
			return cmp.Or(cmp.Compare(b.Events, a.Events), strings.Compare(a.Value, b.Value))
		})
		return out
	}
	return list(byRegion), list(byAddr)
}
