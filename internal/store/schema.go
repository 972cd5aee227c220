package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema versions, in order; version n is the state
// after migrations[:n]. Never edit one that has shipped: append. The
// dialect spells the type words in braces; so spelled, version 1 makes the
// schema each database had when SQLite and PostgreSQL kept a copy each
// (testdata/v1.*.sql; TestSQLiteV1 and TestPostgres/V1 compare them).
var migrations = []string{
	`CREATE TABLE alerts (
		id         TEXT PRIMARY KEY,
		rule_id    TEXT NOT NULL,
		severity   INTEGER NOT NULL,
		ts         {time} NOT NULL,
		last_seen  {time} NOT NULL,
		status     TEXT NOT NULL,
		updated_at {time} NOT NULL,
		doc        {json} NOT NULL
	);
	CREATE INDEX alerts_ts ON alerts (ts);
	CREATE INDEX alerts_last_seen ON alerts (last_seen);
	CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
	CREATE TABLE alert_status (
		seq        {serial},
		alert_id   TEXT NOT NULL,
		status     TEXT NOT NULL,
		changed_by TEXT NOT NULL,
		changed_at {time} NOT NULL,
		note       TEXT NOT NULL
	);
	CREATE INDEX alert_status_alert ON alert_status (alert_id, seq);
	CREATE TABLE risk_events (
		alert_id    TEXT NOT NULL,
		entity      TEXT NOT NULL,
		threat      {bool} NOT NULL,
		time        {time} NOT NULL,
		entity_type TEXT NOT NULL,
		score       INTEGER NOT NULL,
		rule_id     TEXT NOT NULL,
		rule_name   TEXT NOT NULL,
		message     TEXT NOT NULL,
		tactics     {json} NOT NULL,
		techniques  {json} NOT NULL,
		stories     {json} NOT NULL,
		PRIMARY KEY (alert_id, entity, threat)
	);
	CREATE INDEX risk_events_time ON risk_events (time);
	CREATE INDEX risk_events_entity_time ON risk_events (entity, time);
	CREATE TABLE checkpoints (
		name       TEXT PRIMARY KEY,
		data       {bytes} NOT NULL,
		updated_at {time} NOT NULL
	);`,
	// 2: when each alert was first raised, kept as updates replace its
	// document; alerts stored before get the time they were last written.
	`ALTER TABLE alerts ADD COLUMN raised_at {time};
	UPDATE alerts SET raised_at = updated_at;`,
	// 3: exceptions users add from alerts, and every change of them. An
	// exception removed keeps its row (removed_at set) for its history.
	`CREATE TABLE exceptions (
		id           TEXT PRIMARY KEY,
		rule_id      TEXT NOT NULL,
		created_at   {time} NOT NULL,
		doc          {json} NOT NULL,
		removed_at   {time},
		removed_by   TEXT NOT NULL,
		removed_note TEXT NOT NULL
	);
	CREATE TABLE exception_changes (
		seq          {serial},
		exception_id TEXT NOT NULL,
		action       TEXT NOT NULL,
		changed_by   TEXT NOT NULL,
		changed_at   {time} NOT NULL,
		note         TEXT NOT NULL
	);
	CREATE INDEX exception_changes_exception ON exception_changes (exception_id, seq);`,
}

// migrate brings the schema to the latest version in one transaction.
func (s *sqlStore) migrate(ctx context.Context) error {
	return s.write(ctx, "migrate "+s.d.name+" store", func(c conn) error {
		if s.d.lockMigration != "" {
			if _, err := c.exec(ctx, s.d.lockMigration); err != nil {
				return fmt.Errorf("cannot lock %s store for migration: %w", s.d.name, err)
			}
		}
		if _, err := c.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("cannot migrate %s store: %w", s.d.name, err)
		}
		var v sql.NullInt64
		if err := c.queryRow(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("cannot read %s store schema version: %w", s.d.name, err)
		}
		have := int(v.Int64)
		switch {
		case have > len(migrations):
			return fmt.Errorf("cannot open %s store: its schema version %d is newer than this tripline knows (%d)", s.d.name, have, len(migrations))
		case have == len(migrations):
			return nil
		}
		for i := have; i < len(migrations); i++ {
			if _, err := c.exec(ctx, s.d.types.Replace(migrations[i])); err != nil {
				return fmt.Errorf("cannot migrate %s store to schema version %d: %w", s.d.name, i+1, err)
			}
		}
		if _, err := c.exec(ctx, `DELETE FROM schema_version`); err != nil {
			return fmt.Errorf("cannot migrate %s store: %w", s.d.name, err)
		}
		if _, err := c.exec(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(migrations)); err != nil {
			return fmt.Errorf("cannot migrate %s store: %w", s.d.name, err)
		}
		return nil
	})
}
