package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tripline/tripline/internal/alert"
)

// pgMigrationLock is the advisory lock key that serialises schema
// migrations of tripline processes sharing one database.
const pgMigrationLock = 0x7472_6970_6c69 // "tripli"

// pgMigrations are the schema versions, in order, as for SQLite. Alert
// documents are json, not jsonb, which would reorder an alert's fields.
var pgMigrations = []string{
	`CREATE TABLE alerts (
		id         text PRIMARY KEY,
		rule_id    text NOT NULL,
		severity   integer NOT NULL,
		ts         timestamptz NOT NULL,
		last_seen  timestamptz NOT NULL,
		status     text NOT NULL,
		updated_at timestamptz NOT NULL,
		doc        json NOT NULL
	);
	CREATE INDEX alerts_ts ON alerts (ts);
	CREATE INDEX alerts_last_seen ON alerts (last_seen);
	CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
	CREATE TABLE alert_status (
		seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		alert_id   text NOT NULL,
		status     text NOT NULL,
		changed_by text NOT NULL,
		changed_at timestamptz NOT NULL,
		note       text NOT NULL
	);
	CREATE INDEX alert_status_alert ON alert_status (alert_id, seq);
	CREATE TABLE risk_events (
		alert_id    text NOT NULL,
		entity      text NOT NULL,
		threat      boolean NOT NULL,
		time        timestamptz NOT NULL,
		entity_type text NOT NULL,
		score       integer NOT NULL,
		rule_id     text NOT NULL,
		rule_name   text NOT NULL,
		message     text NOT NULL,
		tactics     json NOT NULL,
		techniques  json NOT NULL,
		stories     json NOT NULL,
		PRIMARY KEY (alert_id, entity, threat)
	);
	CREATE INDEX risk_events_time ON risk_events (time);
	CREATE INDEX risk_events_entity_time ON risk_events (entity, time);
	CREATE TABLE checkpoints (
		name       text PRIMARY KEY,
		data       bytea NOT NULL,
		updated_at timestamptz NOT NULL
	);`,
}

var pgDialect = dialect{
	dollar: true,
	time:   func(t time.Time) any { return t },
	bool:   func(b bool) any { return b },
}

// pgStore is the PostgreSQL Store. Every write is one statement or one
// transaction, batches touch rows in id order, and conflicts resolve with
// ON CONFLICT, so several tripline processes can share the database.
type pgStore struct {
	pool *pgxpool.Pool
}

var _ Store = (*pgStore)(nil)

// OpenPostgres connects to the PostgreSQL database dsn names (a URL or
// key=value string as libpq takes) and brings its schema up to date.
func OpenPostgres(ctx context.Context, dsn string) (Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot open PostgreSQL store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL store: %w", err)
	}
	s := &pgStore{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// migrate brings the schema to the latest version in one transaction,
// holding an advisory lock so concurrent openers wait for each other.
func (s *pgStore) migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("cannot migrate PostgreSQL store: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgMigrationLock)); err != nil {
		return fmt.Errorf("cannot lock PostgreSQL store for migration: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
		return fmt.Errorf("cannot migrate PostgreSQL store: %w", err)
	}
	var v *int
	if err := tx.QueryRow(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("cannot read PostgreSQL store schema version: %w", err)
	}
	have := 0
	if v != nil {
		have = *v
	}
	if have > len(pgMigrations) {
		return fmt.Errorf("cannot open PostgreSQL store: its schema version %d is newer than this tripline knows (%d)", have, len(pgMigrations))
	}
	if have == len(pgMigrations) {
		return nil
	}
	for i := have; i < len(pgMigrations); i++ {
		if _, err := tx.Exec(ctx, pgMigrations[i]); err != nil {
			return fmt.Errorf("cannot migrate PostgreSQL store to schema version %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
		return fmt.Errorf("cannot migrate PostgreSQL store: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, len(pgMigrations)); err != nil {
		return fmt.Errorf("cannot migrate PostgreSQL store: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("cannot migrate PostgreSQL store: %w", err)
	}
	return nil
}

func (s *pgStore) Upsert(ctx context.Context, alerts []*alert.Alert) error {
	rows, err := encodeAlerts(alerts)
	if err != nil || len(rows) == 0 {
		return err
	}
	var (
		ids      = make([]string, len(rows))
		ruleIDs  = make([]string, len(rows))
		sev      = make([]int32, len(rows))
		ts       = make([]time.Time, len(rows))
		lastSeen = make([]time.Time, len(rows))
		status   = make([]string, len(rows))
		docs     = make([]string, len(rows))
	)
	for i, r := range rows {
		ids[i], ruleIDs[i], sev[i], ts[i], lastSeen[i], status[i], docs[i] =
			r.id, r.ruleID, int32(r.severity), r.ts, r.lastSeen, r.status, r.doc
	}
	// unnest keeps the arrays' order, so rows are locked in id order.
	err = pgRetry(ctx, func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO alerts (id, rule_id, severity, ts, last_seen, status, updated_at, doc)
		SELECT u.id, u.rule_id, u.severity, u.ts, u.last_seen, u.status, now(), u.doc::json
		FROM unnest($1::text[], $2::text[], $3::integer[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])
			WITH ORDINALITY AS u(id, rule_id, severity, ts, last_seen, status, doc, n)
		ORDER BY u.n
		ON CONFLICT (id) DO UPDATE SET rule_id = EXCLUDED.rule_id, severity = EXCLUDED.severity, ts = EXCLUDED.ts,
			last_seen = EXCLUDED.last_seen, updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
			ids, ruleIDs, sev, ts, lastSeen, status, docs)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot store %d alerts: %w", len(rows), err)
	}
	return nil
}

func (s *pgStore) Get(ctx context.Context, id string) (*alert.Alert, []StatusChange, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	defer tx.Rollback(ctx)
	var (
		doc    []byte
		status string
	)
	err = tx.QueryRow(ctx, `SELECT doc, status FROM alerts WHERE id = $1`, id).Scan(&doc, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	a, err := decodeAlert(doc, status)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.Query(ctx, `SELECT status, changed_by, changed_at, note FROM alert_status WHERE alert_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
	}
	defer rows.Close()
	hist := []StatusChange{}
	for rows.Next() {
		var ch StatusChange
		if err := rows.Scan(&ch.Status, &ch.By, &ch.At, &ch.Note); err != nil {
			return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
		}
		ch.At = ch.At.UTC()
		hist = append(hist, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("cannot read status history of alert %s: %w", id, err)
	}
	return a, hist, nil
}

func (s *pgStore) List(ctx context.Context, f Filter) ([]*alert.Alert, error) {
	q, args, err := listQuery(pgDialect, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list alerts: %w", err)
	}
	defer rows.Close()
	return collect(rows, "list alerts", readAlert)
}

func (s *pgStore) SetStatus(ctx context.Context, id string, ch StatusChange) error {
	if !validStatus(ch.Status) {
		return fmt.Errorf("cannot set status of alert %s: unknown status %q", id, ch.Status)
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE alerts SET status = $1 WHERE id = $2`, ch.Status, id)
	if err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("cannot set status of alert %s: %w", id, ErrNotFound)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO alert_status (alert_id, status, changed_by, changed_at, note) VALUES ($1, $2, $3, $4, $5)`,
		id, ch.Status, ch.By, ch.At, ch.Note); err != nil {
		return fmt.Errorf("cannot record status change of alert %s: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("cannot set status of alert %s: %w", id, err)
	}
	return nil
}

func (s *pgStore) AddRisk(ctx context.Context, events []RiskEvent) error {
	evs, err := dedupeRisk(events)
	if err != nil || len(evs) == 0 {
		return err
	}
	n := len(evs)
	var (
		alertIDs, entities, types, ruleIDs = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		names, messages                    = make([]string, n), make([]string, n)
		tactics, techniques, stories       = make([]string, n), make([]string, n), make([]string, n)
		threats                            = make([]bool, n)
		times                              = make([]time.Time, n)
		scores                             = make([]int32, n)
	)
	for i, e := range evs {
		alertIDs[i], entities[i], threats[i], times[i], types[i], scores[i] = e.AlertID, e.Entity, e.Threat, e.Time, e.EntityType, int32(e.Score)
		ruleIDs[i], names[i], messages[i] = e.RuleID, e.RuleName, e.Message
		tactics[i], techniques[i], stories[i] = jsonList(e.Tactics), jsonList(e.Techniques), jsonList(e.Stories)
	}
	err = pgRetry(ctx, func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO risk_events
		(alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories)
		SELECT u.alert_id, u.entity, u.threat, u.time, u.entity_type, u.score, u.rule_id, u.rule_name, u.message,
			u.tactics::json, u.techniques::json, u.stories::json
		FROM unnest($1::text[], $2::text[], $3::boolean[], $4::timestamptz[], $5::text[], $6::integer[],
			$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
			WITH ORDINALITY AS u(alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message,
				tactics, techniques, stories, n)
		ORDER BY u.n
		ON CONFLICT (alert_id, entity, threat) DO UPDATE SET time = EXCLUDED.time, entity_type = EXCLUDED.entity_type,
			score = EXCLUDED.score, rule_id = EXCLUDED.rule_id, rule_name = EXCLUDED.rule_name, message = EXCLUDED.message,
			tactics = EXCLUDED.tactics, techniques = EXCLUDED.techniques, stories = EXCLUDED.stories`,
			alertIDs, entities, threats, times, types, scores, ruleIDs, names, messages, tactics, techniques, stories)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot store %d risk events: %w", n, err)
	}
	return nil
}

func (s *pgStore) riskEvents(ctx context.Context, f RiskFilter, aggregate bool) ([]RiskEvent, error) {
	q, args := riskQuery(pgDialect, f, !aggregate, !aggregate)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read risk events: %w", err)
	}
	defer rows.Close()
	return collect(rows, "read risk events", func(r resultSet) (RiskEvent, error) {
		return scanRisk(r, func(t time.Time) time.Time { return t.UTC() })
	})
}

func (s *pgStore) RiskEvents(ctx context.Context, f RiskFilter) ([]RiskEvent, error) {
	return s.riskEvents(ctx, f, false)
}

func (s *pgStore) Risk(ctx context.Context, f RiskFilter) ([]EntityRisk, error) {
	evs, err := s.riskEvents(ctx, f, true)
	if err != nil {
		return nil, err
	}
	return aggregateRisk(evs, f.Limit), nil
}

func (s *pgStore) Prune(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := pgRetry(ctx, func() error {
		var err error
		n, err = s.prune(ctx, before)
		return err
	})
	return n, err
}

func (s *pgStore) prune(ctx context.Context, before time.Time) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("cannot prune store: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM alert_status WHERE alert_id IN (SELECT id FROM alerts WHERE last_seen < $1)`, before); err != nil {
		return 0, fmt.Errorf("cannot prune status history: %w", err)
	}
	tag, err := tx.Exec(ctx, `DELETE FROM alerts WHERE last_seen < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("cannot prune alerts: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM risk_events WHERE time < $1`, before); err != nil {
		return 0, fmt.Errorf("cannot prune risk events: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("cannot prune store: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func (s *pgStore) PutCheckpoint(ctx context.Context, name string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO checkpoints (name, data, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`, name, data); err != nil {
		return fmt.Errorf("cannot write checkpoint %q: %w", name, err)
	}
	return nil
}

func (s *pgStore) GetCheckpoint(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM checkpoints WHERE name = $1`, name).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
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

func (s *pgStore) Close() error {
	s.pool.Close()
	return nil
}

// pgRetry runs f again, up to a few times, when PostgreSQL aborted it for
// a deadlock or a serialization failure with another writer.
func pgRetry(ctx context.Context, f func() error) error {
	const attempts = 4
	for i := 1; ; i++ {
		err := f()
		var pgErr *pgconn.PgError
		if err == nil || i == attempts || !errors.As(err, &pgErr) ||
			(pgErr.Code != "40P01" && pgErr.Code != "40001") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i*i) * 10 * time.Millisecond):
		}
	}
}
