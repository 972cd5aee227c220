package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

var _ Views = (*sqlStore)(nil)

// where adds to q the conditions of f, on the alerts table named by
// prefix ("" or "a.").
func (s *sqlStore) where(q *query, f Filter, prefix string) error {
	rank, err := filterRank(f.Severity)
	if err != nil {
		return err
	}
	if f.Status != "" && !validStatus(f.Status) {
		return fmt.Errorf("cannot filter alerts: unknown status %q", f.Status)
	}
	col := func(name string) string { return prefix + name }
	if !f.Since.IsZero() {
		q.add(" AND "+col("ts")+" >= ?", s.d.time(f.Since))
	}
	if !f.Until.IsZero() {
		q.add(" AND "+col("ts")+" < ?", s.d.time(f.Until))
	}
	if rank > 0 {
		q.add(" AND "+col("severity")+" >= ?", rank)
	}
	if f.RuleID != "" {
		q.add(" AND "+col("rule_id")+" = ?", f.RuleID)
	}
	if f.Status != "" {
		q.add(" AND "+col("status")+" = ?", f.Status)
	}
	if f.Entity != "" {
		q.add(" AND "+col("id")+" IN (SELECT alert_id FROM risk_events WHERE entity = ?)", f.Entity)
	}
	if f.Language != "" {
		q.add(" AND "+fmt.Sprintf(s.d.ruleLanguage, prefix)+" = ?", f.Language)
	}
	if f.Technique != "" {
		// Documents are written by alertRows's encoder, without spaces: a
		// technique (or sub-technique) is "id":"T1078" inside rule.threat.
		q.add(" AND "+prefix+s.d.docText+" "+s.d.like+` ? ESCAPE '\'`, "%"+likeEscape(`"id":`+jsonText(f.Technique))+"%")
	}
	if f.Text != "" {
		// The text as the document spells it: quotes, backslashes and
		// control characters escaped as JSON escapes them.
		needle := strings.TrimSuffix(strings.TrimPrefix(jsonText(f.Text), `"`), `"`)
		q.add(" AND "+prefix+s.d.docText+" "+s.d.like+` ? ESCAPE '\'`, "%"+likeEscape(needle)+"%")
	}
	return nil
}

// jsonText is s as a JSON string, quoted, spelt as alertRows writes it.
func jsonText(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// likeEscape escapes LIKE's wildcards (and the escape character) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *sqlStore) Count(ctx context.Context, f Filter) (int, error) {
	var q query
	q.add("SELECT COUNT(*) FROM alerts WHERE 1=1")
	if err := s.where(&q, f, ""); err != nil {
		return 0, err
	}
	var n int
	if err := (conn{s.d, s.r}).queryRow(ctx, q.b.String(), q.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("cannot count alerts: %w", err)
	}
	return n, nil
}

func (s *sqlStore) Groups(ctx context.Context, f Filter, by GroupBy) ([]Group, error) {
	var q query
	switch by {
	case ByRule:
		q.add("SELECT a.rule_id, COUNT(*), MAX(a.ts) FROM alerts a WHERE 1=1")
	case ByEntity:
		// (alert_id, entity, threat) is the key of risk_events: with threat
		// fixed, each alert counts once per entity without DISTINCT.
		q.add("SELECT r.entity, COUNT(*), MAX(a.ts) FROM alerts a JOIN risk_events r ON r.alert_id = a.id WHERE r.threat = ?", false)
	default:
		return nil, fmt.Errorf("cannot group alerts by %q: want rule or entity", by)
	}
	if err := s.where(&q, f, "a."); err != nil {
		return nil, err
	}
	q.add(" GROUP BY 1 ORDER BY 2 DESC, 1 ASC")
	rows, err := conn{s.d, s.r}.query(ctx, q.b.String(), q.args...)
	return collect(rows, err, "group alerts by "+string(by), func(r *sql.Rows) (g Group, err error) {
		err = r.Scan(&g.Key, &g.Count, timeCol{&g.Latest})
		return g, err
	})
}

// maxStatusBatch bounds the alerts one SetStatuses changes.
const maxStatusBatch = maxArgs

func (s *sqlStore) SetStatuses(ctx context.Context, ids []string, ch StatusChange) error {
	if !validStatus(ch.Status) {
		return fmt.Errorf("cannot set status of %d alerts: unknown status %q", len(ids), ch.Status)
	}
	if len(ids) > maxStatusBatch {
		return fmt.Errorf("cannot set status of %d alerts at once: at most %d", len(ids), maxStatusBatch)
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	return s.write(ctx, fmt.Sprintf("set status of %d alerts", len(ids)), func(c conn) error {
		for _, id := range ids {
			if err := s.setStatus(ctx, c, id, ch); err != nil {
				return err
			}
		}
		return nil
	})
}
