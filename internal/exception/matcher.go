package exception

import (
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/schema"
)

// Matcher applies the exceptions of one rule: to each event before the
// rule sees it, through the rule's own view of the fields, and to each
// result row. It is safe for concurrent use.
type Matcher struct {
	excs   []*Exception
	events [event.NumLogTypes][]eventCheck
	// hits counts, per exception, the events and rows it stopped.
	hits []atomic.Int64
	now  func() time.Time
}

type eventCheck struct {
	at  int // index in excs
	get schema.Getter
}

// NewMatcher returns the matcher of the exceptions that apply to rule
// ruleID, which reads logTypes in view; nil when none applies. An
// exception's field is read from events where the view defines it (for
// the raw views, any path of the record); it is always looked for among a
// result's columns. now is the clock expiry is judged by (time.Now when
// nil).
func NewMatcher(all []Exception, ruleID string, view schema.View, logTypes []event.LogType, now func() time.Time) *Matcher {
	return NewMatcherWith(all, ruleID, view, logTypes, nil, now)
}

// NewMatcherWith is NewMatcher for a rule whose view derives fields from
// databases (source.geo.*, source.as.*): the exceptions read them alike.
func NewMatcherWith(all []Exception, ruleID string, view schema.View, logTypes []event.LogType, en *schema.Enrich, now func() time.Time) *Matcher {
	m := &Matcher{now: now}
	if m.now == nil {
		m.now = time.Now
	}
	for i := range all {
		e := &all[i]
		if !e.AppliesTo(ruleID) {
			continue
		}
		at := len(m.excs)
		m.excs = append(m.excs, e)
		for _, lt := range logTypes {
			get, known := schema.ResolveWith(view, lt, e.Field, en)
			if known || view != schema.ECS {
				m.events[lt] = append(m.events[lt], eventCheck{at: at, get: get})
			}
		}
	}
	if len(m.excs) == 0 {
		return nil
	}
	m.hits = make([]atomic.Int64, len(m.excs))
	return m
}

// Event returns the exception that stops an event, or nil.
func (m *Matcher) Event(ev *event.Event) *Exception {
	if m == nil || int(ev.LogType) >= len(m.events) {
		return nil
	}
	checks := m.events[ev.LogType]
	if len(checks) == 0 {
		return nil
	}
	var now time.Time
	for _, c := range checks {
		e := m.excs[c.at]
		if !e.Expires.IsZero() {
			if now.IsZero() {
				now = m.now()
			}
			if !e.Active(now) {
				continue
			}
		}
		if matchValue(e, c.get(ev)) {
			m.hits[c.at].Add(1)
			return e
		}
	}
	return nil
}

// Row returns the exception that stops a result row, whose columns get
// reads (null when the row has no such column), or nil.
func (m *Matcher) Row(get func(name string) event.Value) *Exception {
	if m == nil {
		return nil
	}
	now := m.now()
	for i, e := range m.excs {
		if e.Active(now) && matchValue(e, get(e.Field)) {
			m.hits[i].Add(1)
			return e
		}
	}
	return nil
}

// Hits returns, for each exception that stopped something, how many
// events and rows it stopped.
func (m *Matcher) Hits() map[string]int64 {
	if m == nil {
		return nil
	}
	out := map[string]int64{}
	for i, e := range m.excs {
		if n := m.hits[i].Load(); n > 0 {
			out[e.ID] += n
		}
	}
	return out
}

// matchValue reports whether any value of a field is one of the
// exception's: a multi-valued field matches when one of its values does.
func matchValue(e *Exception, v event.Value) bool {
	if v.IsNull() {
		return false
	}
	for _, x := range v.Values() {
		if s, ok := x.Str(); ok {
			if e.Matches(s) {
				return true
			}
			continue
		}
		if e.Matches(x.String()) {
			return true
		}
	}
	return false
}
