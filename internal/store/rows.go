package store

import (
	"bytes"
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// severityRank orders severities: an unknown or empty one ranks lowest.
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}

// filterRank is the rank a Filter's severity asks for.
func filterRank(s string) (int, error) {
	switch strings.ToLower(s) {
	case "", "informational", "info":
		return 0, nil
	}
	if r := severityRank(s); r > 0 {
		return r, nil
	}
	return 0, fmt.Errorf("cannot filter alerts: unknown severity %q (want low, medium, high or critical)", s)
}

func validStatus(s string) bool {
	return s == StatusOpen || s == StatusAcknowledged || s == StatusClosed
}

// alertColumns are the columns of the alerts table as alertRows writes them.
const alertColumns = "id, rule_id, severity, ts, last_seen, status, updated_at, doc, raised_at"

// alertRows turns a batch into rows of the alerts table, sorted by id with
// the last of duplicate ids winning, so that writers take row locks in one
// order and a statement never touches a row twice.
func alertRows(d *dialect, alerts []*alert.Alert) ([][]any, error) {
	for _, a := range alerts {
		if a == nil {
			return nil, fmt.Errorf("cannot store alerts: BUG: nil alert in batch")
		}
		if a.ID == "" {
			return nil, fmt.Errorf("cannot store alert of rule %q: empty id", a.Rule.ID)
		}
	}
	batch := slices.Clone(alerts)
	slices.SortStableFunc(batch, func(a, b *alert.Alert) int { return strings.Compare(a.ID, b.ID) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	now := d.time(time.Now())
	rows := make([][]any, 0, len(batch))
	for i, a := range batch {
		if i+1 < len(batch) && batch[i+1].ID == a.ID {
			continue
		}
		c := *a
		c.Status = ""
		buf.Reset()
		if err := enc.Encode(&c); err != nil {
			return nil, fmt.Errorf("cannot encode alert %s: %w", a.ID, err)
		}
		status := a.Status
		if !validStatus(status) {
			status = StatusOpen
		}
		raised := now
		if !a.RaisedAt.IsZero() {
			raised = d.time(a.RaisedAt)
		}
		rows = append(rows, []any{a.ID, a.Rule.ID, severityRank(a.Rule.Severity), d.time(a.Timestamp), d.time(a.LastSeen),
			status, now, strings.TrimSuffix(buf.String(), "\n"), raised})
	}
	return rows, nil
}

// alertSelect reads what scanAlert takes.
const alertSelect = "SELECT doc, status, raised_at FROM alerts"

// scanAlert reads an alert back from a (doc, status, raised_at) row: the
// document is the latest version, raised_at the first.
func scanAlert(row interface{ Scan(...any) error }) (*alert.Alert, error) {
	var (
		doc    []byte
		status string
		raised time.Time
	)
	if err := row.Scan(&doc, &status, nullTimeCol{&raised}); err != nil {
		return nil, err
	}
	a := new(alert.Alert)
	if err := json.Unmarshal(doc, a); err != nil {
		return nil, fmt.Errorf("cannot decode stored alert: %w", err)
	}
	a.Status = status
	if !raised.IsZero() {
		a.RaisedAt = raised.UTC()
	}
	return a, nil
}

// riskColumns are the columns of the risk_events table as riskRows
// writes them and scanRisk reads them.
const riskColumns = "alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories"

// riskRows turns risk events into rows of the risk_events table, sorted by
// key with the last of equal keys winning, for the reasons alertRows gives.
func riskRows(d *dialect, events []RiskEvent) ([][]any, error) {
	for _, e := range events {
		if e.AlertID == "" || e.Entity == "" {
			return nil, fmt.Errorf("cannot store risk event %q of alert %q: alert id and entity are required", e.Entity, e.AlertID)
		}
	}
	byKey := func(a, b RiskEvent) int {
		if c := strings.Compare(a.AlertID, b.AlertID); c != 0 {
			return c
		}
		if c := strings.Compare(a.Entity, b.Entity); c != 0 {
			return c
		}
		switch {
		case a.Threat == b.Threat:
			return 0
		case b.Threat:
			return -1
		}
		return 1
	}
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, byKey)
	rows := make([][]any, 0, len(evs))
	for i, e := range evs {
		if i+1 < len(evs) && byKey(e, evs[i+1]) == 0 {
			continue
		}
		rows = append(rows, []any{e.AlertID, e.Entity, e.Threat, d.time(e.Time), e.EntityType, e.Score,
			e.RuleID, e.RuleName, e.Message, jsonList(e.Tactics), jsonList(e.Techniques), jsonList(e.Stories)})
	}
	return rows, nil
}

// scanRisk reads a risk event back from a row of riskColumns.
func scanRisk(row *sql.Rows) (e RiskEvent, err error) {
	var tactics, techniques, stories []byte
	if err = row.Scan(&e.AlertID, &e.Entity, &e.Threat, timeCol{&e.Time}, &e.EntityType, &e.Score, &e.RuleID,
		&e.RuleName, &e.Message, &tactics, &techniques, &stories); err != nil {
		return e, err
	}
	if e.Tactics, err = parseList(tactics); err != nil {
		return e, err
	}
	if e.Techniques, err = parseList(techniques); err != nil {
		return e, err
	}
	e.Stories, err = parseList(stories)
	return e, err
}

// jsonList encodes a string list for a JSON column; nil becomes [].
func jsonList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// parseList decodes a JSON string list; empty gives nil.
func parseList(s []byte) ([]string, error) {
	var out []string
	if len(s) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(s, &out); err != nil {
		return nil, fmt.Errorf("cannot decode stored list: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// aggregateRisk sums risk events (oldest first, threat objects already
// excluded) per entity, highest score first, then by entity name.
func aggregateRisk(events []RiskEvent, limit int) []EntityRisk {
	byEntity := make(map[string]*EntityRisk)
	seenRule := make(map[[2]string]bool)
	seenAlert := make(map[[2]string]bool)
	var order []*EntityRisk
	for _, e := range events {
		r := byEntity[e.Entity]
		if r == nil {
			r = &EntityRisk{Entity: e.Entity, EntityType: e.EntityType, First: e.Time, Last: e.Time,
				Rules: []string{}, AlertIDs: []string{}}
			byEntity[e.Entity] = r
			order = append(order, r)
		}
		if r.EntityType == "" {
			r.EntityType = e.EntityType
		}
		r.Score += e.Score
		r.Count++
		if e.Time.Before(r.First) {
			r.First = e.Time
		}
		if e.Time.After(r.Last) {
			r.Last = e.Time
		}
		if k := [2]string{e.Entity, e.RuleName}; e.RuleName != "" && !seenRule[k] {
			seenRule[k] = true
			r.Rules = append(r.Rules, e.RuleName)
		}
		if k := [2]string{e.Entity, e.AlertID}; !seenAlert[k] {
			seenAlert[k] = true
			r.AlertIDs = append(r.AlertIDs, e.AlertID)
		}
	}
	slices.SortStableFunc(order, func(a, b *EntityRisk) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.Entity, b.Entity)
	})
	if limit > 0 && len(order) > limit {
		order = order[:limit]
	}
	out := make([]EntityRisk, len(order))
	for i, r := range order {
		out[i] = *r
	}
	return out
}

// timeCol reads a time column of either dialect: nanoseconds since the
// epoch (SQLite) or a timestamp (PostgreSQL).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		return fmt.Errorf("cannot read a time from NULL")
	case int64:
		*c.t = fromUnixNano(v)
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("cannot read a time from %T", src)
	}
	return nil
}

// nullTimeCol reads a time column that may be NULL, as the zero time.
type nullTimeCol struct{ t *time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = time.Time{}
		return nil
	}
	return timeCol(c).Scan(src)
}

// unixNano is a time as SQLite stores it: nanoseconds since the epoch,
// with the zero time (and anything out of range) clamped to the ends.
func unixNano(t time.Time) int64 {
	switch {
	case t.IsZero() || t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromUnixNano undoes unixNano.
func fromUnixNano(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

var (
	minNanoTime = time.Unix(0, math.MinInt64+1)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)
