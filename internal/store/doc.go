// Package store keeps alerts, their status and history, the risk they add
// to entities, and small named checkpoints for the live engine, behind one
// interface (Store) over database/sql, in one of two databases: SQLite,
// embedded and the default (OpenSQLite, pure Go, no cgo), and PostgreSQL,
// which several tripline processes may share (OpenPostgres). Open picks
// one from a URL.
//
// Every statement is written once; a small dialect spells what the two
// databases spell differently (placeholders, column types, how a time is
// stored, locking for migrations, which errors are worth a retry). Both
// keep the same schema, versioned in a schema_version table and migrated
// on open. Alerts are stored as their JSON next to indexed columns (id,
// rule id, severity rank, timestamp, last seen, status), so an alert reads
// back exactly as it was written while filters stay cheap. Views answers
// what a triage screen asks beyond that: counts, groups by rule or entity,
// and status changes of many alerts in one transaction. Exceptions keeps
// the exceptions users add from alerts, with who changed them, when and
// why.
//
// store imports alert, exception, the standard library and the two
// database drivers (modernc.org/sqlite and pgx's database/sql driver). It never imports the
// executor, the engine or a front end.
package store
