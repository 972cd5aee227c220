package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// Open opens the store a URL names: "sqlite:///path/to.db", "sqlite:rel.db"
// or a plain path for SQLite; "postgres://..." or "postgresql://..." for
// PostgreSQL.
func Open(ctx context.Context, url string) (Store, error) {
	kind, target, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		return OpenPostgres(ctx, target)
	}
	return OpenSQLite(target)
}

// parseURL says which implementation a store URL names and what to pass it.
func parseURL(url string) (kind, target string, err error) {
	switch {
	case url == "":
		return "", "", fmt.Errorf("cannot open store: empty URL")
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "postgres", url, nil
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if path == "" {
			return "", "", fmt.Errorf("cannot open store %q: no database path", url)
		}
		return "sqlite", path, nil
	case strings.Contains(url, "://"):
		return "", "", fmt.Errorf("cannot open store %q: unknown scheme (want sqlite:// or postgres://)", url)
	}
	return "sqlite", url, nil
}

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

// alertRow is an alert as the alerts table holds it.
type alertRow struct {
	id, ruleID, status string
	severity           int
	ts, lastSeen       time.Time
	doc                string
}

// encodeAlerts turns a batch into rows, sorted by id with the last of
// duplicate ids winning, so that writers take row locks in one order and a
// single statement never touches a row twice.
func encodeAlerts(alerts []*alert.Alert) ([]alertRow, error) {
	rows := make([]alertRow, 0, len(alerts))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, a := range alerts {
		if a == nil {
			return nil, fmt.Errorf("cannot store alerts: BUG: nil alert in batch")
		}
		if a.ID == "" {
			return nil, fmt.Errorf("cannot store alert of rule %q: empty id", a.Rule.ID)
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
		rows = append(rows, alertRow{
			id: a.ID, ruleID: a.Rule.ID, status: status, severity: severityRank(a.Rule.Severity),
			ts: a.Timestamp, lastSeen: a.LastSeen, doc: strings.TrimSuffix(buf.String(), "\n"),
		})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].id < rows[j].id })
	out := rows[:0]
	for i, r := range rows {
		if i+1 < len(rows) && rows[i+1].id == r.id {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// decodeAlert reads an alert back from its JSON and its status column.
func decodeAlert(doc []byte, status string) (*alert.Alert, error) {
	a := new(alert.Alert)
	if err := json.Unmarshal(doc, a); err != nil {
		return nil, fmt.Errorf("cannot decode stored alert: %w", err)
	}
	a.Status = status
	return a, nil
}

// riskKey is what makes a risk event unique.
type riskKey struct {
	alertID, entity string
	threat          bool
}

// dedupeRisk sorts risk events by their key, the last of equal keys
// winning, and checks that each has a key.
func dedupeRisk(events []RiskEvent) ([]RiskEvent, error) {
	evs := make([]RiskEvent, len(events))
	copy(evs, events)
	for _, e := range evs {
		if e.AlertID == "" || e.Entity == "" {
			return nil, fmt.Errorf("cannot store risk event %q of alert %q: alert id and entity are required", e.Entity, e.AlertID)
		}
	}
	less := func(a, b RiskEvent) bool {
		if a.AlertID != b.AlertID {
			return a.AlertID < b.AlertID
		}
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		return !a.Threat && b.Threat
	}
	sort.SliceStable(evs, func(i, j int) bool { return less(evs[i], evs[j]) })
	out := evs[:0]
	for i, e := range evs {
		if i+1 < len(evs) && !less(e, evs[i+1]) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
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
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].Score != order[j].Score {
			return order[i].Score > order[j].Score
		}
		return order[i].Entity < order[j].Entity
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

// dialect is what differs between the two SQL flavours in the queries
// built here: placeholders, and how times and booleans are passed.
type dialect struct {
	dollar bool // $1, $2 ... rather than ?
	time   func(time.Time) any
	bool   func(bool) any
}

// query builds a statement and its arguments.
type query struct {
	d    dialect
	b    strings.Builder
	args []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	if q.d.dollar {
		return "$" + strconv.Itoa(len(q.args))
	}
	return "?"
}

// listQuery builds the alerts query for f.
func listQuery(d dialect, f Filter) (string, []any, error) {
	rank, err := filterRank(f.Severity)
	if err != nil {
		return "", nil, err
	}
	if f.Status != "" && !validStatus(f.Status) {
		return "", nil, fmt.Errorf("cannot filter alerts: unknown status %q", f.Status)
	}
	q := &query{d: d}
	q.b.WriteString("SELECT doc, status FROM alerts WHERE 1=1")
	if !f.Since.IsZero() {
		q.b.WriteString(" AND ts >= " + q.arg(d.time(f.Since)))
	}
	if !f.Until.IsZero() {
		q.b.WriteString(" AND ts < " + q.arg(d.time(f.Until)))
	}
	if rank > 0 {
		q.b.WriteString(" AND severity >= " + q.arg(rank))
	}
	if f.RuleID != "" {
		q.b.WriteString(" AND rule_id = " + q.arg(f.RuleID))
	}
	if f.Status != "" {
		q.b.WriteString(" AND status = " + q.arg(f.Status))
	}
	q.b.WriteString(" ORDER BY ts DESC, id ASC")
	if f.Limit > 0 {
		q.b.WriteString(" LIMIT " + q.arg(f.Limit))
	}
	return q.b.String(), q.args, nil
}

// riskQuery builds the risk events query for f; withThreats false leaves
// threat objects out, and limit applies only when asked.
func riskQuery(d dialect, f RiskFilter, withThreats, limit bool) (string, []any) {
	q := &query{d: d}
	q.b.WriteString("SELECT alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories FROM risk_events WHERE 1=1")
	if !withThreats {
		q.b.WriteString(" AND threat = " + q.arg(d.bool(false)))
	}
	if !f.Since.IsZero() {
		q.b.WriteString(" AND time >= " + q.arg(d.time(f.Since)))
	}
	if !f.Until.IsZero() {
		q.b.WriteString(" AND time < " + q.arg(d.time(f.Until)))
	}
	if len(f.Entities) > 0 {
		q.b.WriteString(" AND entity IN (")
		for i, e := range f.Entities {
			if i > 0 {
				q.b.WriteString(", ")
			}
			q.b.WriteString(q.arg(e))
		}
		q.b.WriteString(")")
	}
	q.b.WriteString(" ORDER BY time ASC, alert_id ASC, entity ASC, threat ASC")
	if limit && f.Limit > 0 {
		q.b.WriteString(" LIMIT " + q.arg(f.Limit))
	}
	return q.b.String(), q.args
}

// scanner is a row of either driver.
type scanner interface {
	Scan(dest ...any) error
}

// scanRisk reads one row of riskQuery; readTime turns the driver's time
// column into a time.
func scanRisk[T any](row scanner, readTime func(T) time.Time) (RiskEvent, error) {
	var (
		e                  RiskEvent
		t                  T
		tac, tech, stories []byte
		threat             any
	)
	if err := row.Scan(&e.AlertID, &e.Entity, &threat, &t, &e.EntityType, &e.Score, &e.RuleID,
		&e.RuleName, &e.Message, &tac, &tech, &stories); err != nil {
		return e, fmt.Errorf("cannot read risk event: %w", err)
	}
	switch v := threat.(type) {
	case bool:
		e.Threat = v
	case int64:
		e.Threat = v != 0
	}
	e.Time = readTime(t)
	var err error
	if e.Tactics, err = parseList(tac); err != nil {
		return e, err
	}
	if e.Techniques, err = parseList(tech); err != nil {
		return e, err
	}
	if e.Stories, err = parseList(stories); err != nil {
		return e, err
	}
	return e, nil
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

// resultSet is what both drivers' result sets offer.
type resultSet interface {
	scanner
	Next() bool
	Err() error
}

// collect reads every row with read; doing names the work for errors.
func collect[T any](rs resultSet, doing string, read func(resultSet) (T, error)) ([]T, error) {
	out := []T{}
	for rs.Next() {
		v, err := read(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("cannot %s: %w", doing, err)
	}
	return out, nil
}

// readAlert reads one (doc, status) row of an alert listing.
func readAlert(r resultSet) (*alert.Alert, error) {
	var (
		doc    []byte
		status string
	)
	if err := r.Scan(&doc, &status); err != nil {
		return nil, fmt.Errorf("cannot list alerts: %w", err)
	}
	return decodeAlert(doc, status)
}
