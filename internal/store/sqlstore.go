package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// sqlStore is the Store over database/sql, in either dialect. Writes go
// through w, reads through r: for SQLite a single writing connection and a
// read-only pool (see OpenSQLite), for PostgreSQL one pool. Every write is
// one transaction that touches rows in key order and resolves conflicts
// with ON CONFLICT, so several processes can share the database.
type sqlStore struct {
	d    *dialect
	w, r *sql.DB
}

var _ Store = (*sqlStore)(nil)

// conn runs statements written with ? placeholders on a database or a
// transaction, in the dialect's spelling.
type conn struct {
	d *dialect
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.d.bind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.d.bind(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.d.bind(query), args...)
}

// maxArgs is the most arguments put in one statement: well under what
// SQLite and PostgreSQL take (32766, 65535), so that statements stay small
// and the texts the PostgreSQL driver prepares and caches stay few.
const maxArgs = 1000

// execRows runs insert, whose %s stands for its list of VALUES, over rows,
// in as few statements as maxArgs allows.
func (c conn) execRows(ctx context.Context, insert string, rows [][]any) error {
	cols := len(rows[0])
	group := "(?" + strings.Repeat(", ?", cols-1) + ")"
	for len(rows) > 0 {
		n := min(len(rows), maxArgs/cols)
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		values := strings.Repeat(group+", ", n-1) + group
		if _, err := c.exec(ctx, fmt.Sprintf(insert, values), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// collect reads every row of a query with read; doing names the work for
// errors.
func collect[T any](rows *sql.Rows, err error, doing string, read func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("cannot %s: %w", doing, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := read(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot %s: %w", doing, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot %s: %w", doing, err)
	}
	return out, nil
}

// write runs f in a transaction, and again when it failed for a conflict
// with another writer; doing names the work for errors.
func (s *sqlStore) write(ctx context.Context, doing string, f func(c conn) error) error {
	return retry(ctx, s.d.retryable, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		defer tx.Rollback()
		if err := f(conn{s.d, tx}); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		return nil
	})
}

func (s *sqlStore) Upsert(ctx context.Context, alerts []*alert.Alert) error {
	rows, err := alertRows(s.d, alerts)
	if err != nil || len(rows) == 0 {
		return err
	}
	doing := fmt.Sprintf("store %d alerts", len(rows))
	return s.write(ctx, doing, func(c conn) error {
		err := c.execRows(ctx, `INSERT INTO alerts (`+alertColumns+`) VALUES %s
			ON CONFLICT (id) DO UPDATE SET rule_id = excluded.rule_id, severity = excluded.severity, ts = excluded.ts,
				last_seen = excluded.last_seen, updated_at = excluded.updated_at, doc = excluded.doc`, rows)
		if err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		return nil
	})
}

func (s *sqlStore) Get(ctx context.Context, id string) (*alert.Alert, []StatusChange, error) {
	// The alert and its history from one snapshot (SQLite's reads are
	// serializable whatever the level).
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	defer tx.Rollback()
	c := conn{s.d, tx}
	a, err := scanAlert(c.queryRow(ctx, alertSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	rows, err := c.query(ctx, `SELECT status, changed_by, changed_at, note FROM alert_status WHERE alert_id = ? ORDER BY seq`, id)
	hist, err := collect(rows, err, "read status history of alert "+id, func(r *sql.Rows) (ch StatusChange, err error) {
		err = r.Scan(&ch.Status, &ch.By, timeCol{&ch.At}, &ch.Note)
		return ch, err
	})
	if err != nil {
		return nil, nil, err
	}
	return a, hist, nil
}

// query is a statement being built, with ? placeholders, and its arguments.
type query struct {
	b    strings.Builder
	args []any
}

func (q *query) add(sql string, args ...any) {
	q.b.WriteString(sql)
	q.args = append(q.args, args...)
}

func (s *sqlStore) List(ctx context.Context, f Filter) ([]*alert.Alert, error) {
	var q query
	q.add(alertSelect + " WHERE 1=1")
	if err := s.where(&q, f, ""); err != nil {
		return nil, err
	}
	q.add(" ORDER BY ts DESC, id ASC")
	switch {
	case f.Limit > 0:
		q.add(" LIMIT ?", f.Limit)
	case f.Offset > 0:
		q.add(" LIMIT ?", math.MaxInt64) // SQLite takes OFFSET only after a LIMIT
	}
	if f.Offset > 0 {
		q.add(" OFFSET ?", f.Offset)
	}
	rows, err := conn{s.d, s.r}.query(ctx, q.b.String(), q.args...)
	return collect(rows, err, "list alerts", func(r *sql.Rows) (*alert.Alert, error) { return scanAlert(r) })
}

func (s *sqlStore) SetStatus(ctx context.Context, id string, ch StatusChange) error {
	if !validStatus(ch.Status) {
		return fmt.Errorf("cannot set status of alert %s: unknown status %q", id, ch.Status)
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	return s.write(ctx, "set status of alert "+id, func(c conn) error { return s.setStatus(ctx, c, id, ch) })
}

// setStatus changes one alert's status and records the change, in the
// transaction of c.
func (s *sqlStore) setStatus(ctx context.Context, c conn, id string, ch StatusChange) error {
	res, err := c.exec(ctx, `UPDATE alerts SET status = ? WHERE id = ?`, ch.Status, id)
	if err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("cannot set status of alert %s: %w", id, ErrNotFound)
	}
	if _, err := c.exec(ctx, `INSERT INTO alert_status (alert_id, status, changed_by, changed_at, note) VALUES (?, ?, ?, ?, ?)`,
		id, ch.Status, ch.By, s.d.time(ch.At), ch.Note); err != nil {
		return fmt.Errorf("cannot record status change of alert %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) AddRisk(ctx context.Context, events []RiskEvent) error {
	rows, err := riskRows(s.d, events)
	if err != nil || len(rows) == 0 {
		return err
	}
	doing := fmt.Sprintf("store %d risk events", len(rows))
	return s.write(ctx, doing, func(c conn) error {
		err := c.execRows(ctx, `INSERT INTO risk_events (`+riskColumns+`) VALUES %s
			ON CONFLICT (alert_id, entity, threat) DO UPDATE SET time = excluded.time, entity_type = excluded.entity_type,
				score = excluded.score, rule_id = excluded.rule_id, rule_name = excluded.rule_name, message = excluded.message,
				tactics = excluded.tactics, techniques = excluded.techniques, stories = excluded.stories`, rows)
		if err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		return nil
	})
}

// riskEvents reads the risk events f selects, oldest first: for
// aggregating, without threat objects and without f's limit, which then
// applies to entities.
func (s *sqlStore) riskEvents(ctx context.Context, f RiskFilter, aggregate bool) ([]RiskEvent, error) {
	var q query
	q.add("SELECT " + riskColumns + " FROM risk_events WHERE 1=1")
	if aggregate {
		q.add(" AND threat = ?", false)
	}
	if !f.Since.IsZero() {
		q.add(" AND time >= ?", s.d.time(f.Since))
	}
	if !f.Until.IsZero() {
		q.add(" AND time < ?", s.d.time(f.Until))
	}
	if len(f.Entities) > 0 {
		q.add(" AND entity IN (?" + strings.Repeat(", ?", len(f.Entities)-1) + ")")
		for _, e := range f.Entities {
			q.args = append(q.args, e)
		}
	}
	if len(f.AlertIDs) > 0 {
		q.add(" AND alert_id IN (?" + strings.Repeat(", ?", len(f.AlertIDs)-1) + ")")
		for _, id := range f.AlertIDs {
			q.args = append(q.args, id)
		}
	}
	q.add(" ORDER BY time ASC, alert_id ASC, entity ASC, threat ASC")
	if !aggregate && f.Limit > 0 {
		q.add(" LIMIT ?", f.Limit)
	}
	rows, err := conn{s.d, s.r}.query(ctx, q.b.String(), q.args...)
	return collect(rows, err, "read risk events", scanRisk)
}

func (s *sqlStore) RiskEvents(ctx context.Context, f RiskFilter) ([]RiskEvent, error) {
	return s.riskEvents(ctx, f, false)
}

func (s *sqlStore) Risk(ctx context.Context, f RiskFilter) ([]EntityRisk, error) {
	evs, err := s.riskEvents(ctx, f, true)
	if err != nil {
		return nil, err
	}
	return aggregateRisk(evs, f.Limit), nil
}

func (s *sqlStore) Prune(ctx context.Context, before time.Time) (int, error) {
	t := s.d.time(before)
	var n int64
	err := s.write(ctx, "prune store", func(c conn) error {
		if _, err := c.exec(ctx, `DELETE FROM alert_status WHERE alert_id IN (SELECT id FROM alerts WHERE last_seen < ?)`, t); err != nil {
			return fmt.Errorf("cannot prune status history: %w", err)
		}
		res, err := c.exec(ctx, `DELETE FROM alerts WHERE last_seen < ?`, t)
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err != nil {
			return fmt.Errorf("cannot prune alerts: %w", err)
		}
		if _, err := c.exec(ctx, `DELETE FROM risk_events WHERE time < ?`, t); err != nil {
			return fmt.Errorf("cannot prune risk events: %w", err)
		}
		return nil
	})
	return int(n), err
}

func (s *sqlStore) PutCheckpoint(ctx context.Context, name string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	if _, err := (conn{s.d, s.w}).exec(ctx, `INSERT INTO checkpoints (name, data, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		name, data, s.d.time(time.Now())); err != nil {
		return fmt.Errorf("cannot write checkpoint %q: %w", name, err)
	}
	return nil
}

func (s *sqlStore) GetCheckpoint(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := conn{s.d, s.r}.queryRow(ctx, `SELECT data FROM checkpoints WHERE name = ?`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read checkpoint %q: %w", name, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

func (s *sqlStore) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		if rerr := s.r.Close(); err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("cannot close %s store: %w", s.d.name, err)
	}
	return nil
}
