package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before failing.
const sqliteBusyTimeout = 10 * time.Second

// sqliteMigrations are the schema versions, in order; version n is the
// state after migrations[:n]. Never edit one that has shipped: append.
var sqliteMigrations = []string{
	`CREATE TABLE alerts (
		id         TEXT PRIMARY KEY,
		rule_id    TEXT NOT NULL,
		severity   INTEGER NOT NULL,
		ts         INTEGER NOT NULL,
		last_seen  INTEGER NOT NULL,
		status     TEXT NOT NULL,
		updated_at INTEGER NOT NULL,
		doc        TEXT NOT NULL
	);
	CREATE INDEX alerts_ts ON alerts (ts);
	CREATE INDEX alerts_last_seen ON alerts (last_seen);
	CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
	CREATE TABLE alert_status (
		seq        INTEGER PRIMARY KEY AUTOINCREMENT,
		alert_id   TEXT NOT NULL,
		status     TEXT NOT NULL,
		changed_by TEXT NOT NULL,
		changed_at INTEGER NOT NULL,
		note       TEXT NOT NULL
	);
	CREATE INDEX alert_status_alert ON alert_status (alert_id, seq);
	CREATE TABLE risk_events (
		alert_id    TEXT NOT NULL,
		entity      TEXT NOT NULL,
		threat      INTEGER NOT NULL,
		time        INTEGER NOT NULL,
		entity_type TEXT NOT NULL,
		score       INTEGER NOT NULL,
		rule_id     TEXT NOT NULL,
		rule_name   TEXT NOT NULL,
		message     TEXT NOT NULL,
		tactics     TEXT NOT NULL,
		techniques  TEXT NOT NULL,
		stories     TEXT NOT NULL,
		PRIMARY KEY (alert_id, entity, threat)
	);
	CREATE INDEX risk_events_time ON risk_events (time);
	CREATE INDEX risk_events_entity_time ON risk_events (entity, time);
	CREATE TABLE checkpoints (
		name       TEXT PRIMARY KEY,
		data       BLOB NOT NULL,
		updated_at INTEGER NOT NULL
	);`,
}

var sqliteDialect = dialect{
	time: func(t time.Time) any { return unixNano(t) },
	bool: func(b bool) any {
		if b {
			return 1
		}
		return 0
	},
}

// sqliteStore is the SQLite Store. Writes go through one connection, so
// goroutines of this process queue in database/sql rather than spin on
// SQLite's lock; reads use a pool of their own, which WAL lets run beside
// the writer. Other processes are held off by BEGIN IMMEDIATE and the busy
// timeout.
type sqliteStore struct {
	w, r *sql.DB
}

var _ Store = (*sqliteStore)(nil)

// OpenSQLite opens (creating it and its directory when missing) the SQLite
// database at path, in WAL mode, and brings its schema up to date. The
// path ":memory:" gives a private in-memory database.
func OpenSQLite(path string) (Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("cannot open SQLite store %q: want a file path without ? or #", path)
	}
	base := fmt.Sprintf("?_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds())
	// Writers take the write lock when they begin, so two processes never
	// deadlock upgrading read locks.
	writer := base + "&_txlock=immediate&_pragma=synchronous(normal)"
	if path == ":memory:" {
		db, err := sql.Open("sqlite", path+writer)
		if err != nil {
			return nil, fmt.Errorf("cannot open SQLite store: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return newSQLite(db, db)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cannot open SQLite store: %w", err)
		}
	}
	w, err := sql.Open("sqlite", path+writer+"&_pragma=journal_mode(wal)")
	if err != nil {
		return nil, fmt.Errorf("cannot open SQLite store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// The writer creates the file and switches it to WAL before any reader
	// opens it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot open SQLite store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot open SQLite store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return newSQLite(w, r)
}

func newSQLite(w, r *sql.DB) (Store, error) {
	s := &sqliteStore{w: w, r: r}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// migrate brings the schema to the latest version in one transaction.
func (s *sqliteStore) migrate(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cannot migrate SQLite store: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("cannot migrate SQLite store: %w", err)
	}
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("cannot read SQLite store schema version: %w", err)
	}
	have := int(v.Int64)
	if have > len(sqliteMigrations) {
		return fmt.Errorf("cannot open SQLite store: its schema version %d is newer than this tripline knows (%d)", have, len(sqliteMigrations))
	}
	if have == len(sqliteMigrations) {
		return nil
	}
	for i := have; i < len(sqliteMigrations); i++ {
		if _, err := tx.ExecContext(ctx, sqliteMigrations[i]); err != nil {
			return fmt.Errorf("cannot migrate SQLite store to schema version %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return fmt.Errorf("cannot migrate SQLite store: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(sqliteMigrations)); err != nil {
		return fmt.Errorf("cannot migrate SQLite store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cannot migrate SQLite store: %w", err)
	}
	return nil
}

func (s *sqliteStore) Upsert(ctx context.Context, alerts []*alert.Alert) error {
	rows, err := encodeAlerts(alerts)
	if err != nil || len(rows) == 0 {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cannot store alerts: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO alerts (id, rule_id, severity, ts, last_seen, status, updated_at, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET rule_id = excluded.rule_id, severity = excluded.severity, ts = excluded.ts,
			last_seen = excluded.last_seen, updated_at = excluded.updated_at, doc = excluded.doc`)
	if err != nil {
		return fmt.Errorf("cannot store alerts: %w", err)
	}
	defer st.Close()
	now := time.Now().UnixNano()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.id, r.ruleID, r.severity, unixNano(r.ts), unixNano(r.lastSeen), r.status, now, r.doc); err != nil {
			return fmt.Errorf("cannot store alert %s: %w", r.id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cannot store alerts: %w", err)
	}
	return nil
}

func (s *sqliteStore) Get(ctx context.Context, id string) (*alert.Alert, []StatusChange, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	defer tx.Rollback()
	var (
		doc    []byte
		status string
	)
	err = tx.QueryRowContext(ctx, `SELECT doc, status FROM alerts WHERE id = ?`, id).Scan(&doc, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	a, err := decodeAlert(doc, status)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT status, changed_by, changed_at, note FROM alert_status WHERE alert_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
	}
	defer rows.Close()
	hist := []StatusChange{}
	for rows.Next() {
		var (
			ch StatusChange
			at int64
		)
		if err := rows.Scan(&ch.Status, &ch.By, &at, &ch.Note); err != nil {
			return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
		}
		ch.At = fromUnixNano(at)
		hist = append(hist, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
	}
	return a, hist, nil
}

func (s *sqliteStore) List(ctx context.Context, f Filter) ([]*alert.Alert, error) {
	q, args, err := listQuery(sqliteDialect, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list alerts: %w", err)
	}
	defer rows.Close()
	return collect(rows, "list alerts", readAlert)
}

func (s *sqliteStore) SetStatus(ctx context.Context, id string, ch StatusChange) error {
	if !validStatus(ch.Status) {
		return fmt.Errorf("cannot set status of alert %s: unknown status %q", id, ch.Status)
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE alerts SET status = ? WHERE id = ?`, ch.Status, id)
	if err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("cannot set status of alert %s: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO alert_status (alert_id, status, changed_by, changed_at, note) VALUES (?, ?, ?, ?, ?)`,
		id, ch.Status, ch.By, unixNano(ch.At), ch.Note); err != nil {
		return fmt.Errorf("cannot record status change of alert %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	return nil
}

func (s *sqliteStore) AddRisk(ctx context.Context, events []RiskEvent) error {
	evs, err := dedupeRisk(events)
	if err != nil || len(evs) == 0 {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cannot store risk events: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO risk_events
		(alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (alert_id, entity, threat) DO UPDATE SET time = excluded.time, entity_type = excluded.entity_type,
			score = excluded.score, rule_id = excluded.rule_id, rule_name = excluded.rule_name, message = excluded.message,
			tactics = excluded.tactics, techniques = excluded.techniques, stories = excluded.stories`)
	if err != nil {
		return fmt.Errorf("cannot store risk events: %w", err)
	}
	defer st.Close()
	for _, e := range evs {
		if _, err := st.ExecContext(ctx, e.AlertID, e.Entity, sqliteDialect.bool(e.Threat), unixNano(e.Time), e.EntityType,
			e.Score, e.RuleID, e.RuleName, e.Message, jsonList(e.Tactics), jsonList(e.Techniques), jsonList(e.Stories)); err != nil {
			return fmt.Errorf("cannot store risk event %s of alert %s: %w", e.Entity, e.AlertID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cannot store risk events: %w", err)
	}
	return nil
}

func (s *sqliteStore) riskEvents(ctx context.Context, f RiskFilter, aggregate bool) ([]RiskEvent, error) {
	q, args := riskQuery(sqliteDialect, f, !aggregate, !aggregate)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read risk events: %w", err)
	}
	defer rows.Close()
	return collect(rows, "read risk events", func(r resultSet) (RiskEvent, error) { return scanRisk(r, fromUnixNano) })
}

func (s *sqliteStore) RiskEvents(ctx context.Context, f RiskFilter) ([]RiskEvent, error) {
	return s.riskEvents(ctx, f, false)
}

func (s *sqliteStore) Risk(ctx context.Context, f RiskFilter) ([]EntityRisk, error) {
	evs, err := s.riskEvents(ctx, f, true)
	if err != nil {
		return nil, err
	}
	return aggregateRisk(evs, f.Limit), nil
}

func (s *sqliteStore) Prune(ctx context.Context, before time.Time) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("cannot prune store: %w", err)
	}
	defer tx.Rollback()
	t := unixNano(before)
	if _, err := tx.ExecContext(ctx, `DELETE FROM alert_status WHERE alert_id IN (SELECT id FROM alerts WHERE last_seen < ?)`, t); err != nil {
		return 0, fmt.Errorf("cannot prune status history: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE last_seen < ?`, t)
	if err != nil {
		return 0, fmt.Errorf("cannot prune alerts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("cannot prune alerts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM risk_events WHERE time < ?`, t); err != nil {
		return 0, fmt.Errorf("cannot prune risk events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("cannot prune store: %w", err)
	}
	return int(n), nil
}

func (s *sqliteStore) PutCheckpoint(ctx context.Context, name string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO checkpoints (name, data, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		name, data, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("cannot write checkpoint %q: %w", name, err)
	}
	return nil
}

func (s *sqliteStore) GetCheckpoint(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM checkpoints WHERE name = ?`, name).Scan(&data)
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

func (s *sqliteStore) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		if rerr := s.r.Close(); err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("cannot close SQLite store: %w", err)
	}
	return nil
}
