package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is what SQLite and PostgreSQL spell differently. Every statement
// is written once, with ? placeholders and, in the schema, the type words
// {time}, {bool}, {json}, {bytes} and {serial}; the dialect spells them.
// Both take INSERT ... ON CONFLICT (key) DO UPDATE SET c = excluded.c as
// written, and a Go bool as a boolean (SQLite stores it as 0 or 1).
type dialect struct {
	name string // for messages
	// dollar numbers placeholders $1, $2 ... rather than ?.
	dollar bool
	// types spells the schema's type words.
	types *strings.Replacer
	// time is a time as a time column holds it; timeCol reads it back.
	time func(time.Time) any
	// lockMigration, when set, runs first in the migration's transaction,
	// so that processes opening one database at once migrate in turn.
	lockMigration string
	// docText is the alerts' document as text, for LIKE; like is the
	// operator that matches it ignoring ASCII case.
	docText, like string
	// ruleLanguage reads the rule's language out of the document; %s
	// stands for the table's prefix ("" or "a.").
	ruleLanguage string
	// retryable says that a transaction failed for a conflict with another
	// writer and may succeed if run again.
	retryable func(error) bool
}

var sqliteDialect = &dialect{
	name: "SQLite",
	types: strings.NewReplacer("{time}", "INTEGER", "{bool}", "INTEGER", "{json}", "TEXT", "{bytes}", "BLOB",
		"{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
	// Nanoseconds since the epoch: SQLite has no time type.
	time: func(t time.Time) any { return unixNano(t) },
	// SQLite's LIKE ignores the case of ASCII letters.
	docText: "doc", like: "LIKE",
	ruleLanguage: "json_extract(%sdoc, '$.rule.language')",
	// BEGIN IMMEDIATE already serialises migrations.
	lockMigration: "",
	// SQLITE_BUSY_SNAPSHOT comes at once to a transaction that read before
	// another process wrote: it must start again. A plain SQLITE_BUSY comes
	// when the busy timeout ran out, and running again would only wait longer.
	retryable: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_BUSY_SNAPSHOT
	},
}

var postgresDialect = &dialect{
	name:   "PostgreSQL",
	dollar: true,
	// Alert documents are json, not jsonb, which would reorder an alert's fields.
	types: strings.NewReplacer("{time}", "timestamptz", "{bool}", "boolean", "{json}", "json", "{bytes}", "bytea",
		"{serial}", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
	time:    func(t time.Time) any { return t },
	docText: "doc::text", like: "ILIKE",
	ruleLanguage:  "(%sdoc->'rule'->>'language')",
	lockMigration: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", pgMigrationLock),
	// A deadlock or a serialization failure with another writer.
	retryable: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
	},
}

// pgMigrationLock is the advisory lock key that serialises schema
// migrations of tripline processes sharing one database. Never change it:
// processes of older versions take it too.
const pgMigrationLock = 0x7472_6970_6c69 // "tripli"

// bind spells the ? placeholders of a statement.
func (d *dialect) bind(query string) string {
	if !d.dollar {
		return query
	}
	b := make([]byte, 0, len(query)+16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b = append(b, query[i])
			continue
		}
		n++
		b = strconv.AppendInt(append(b, '$'), int64(n), 10)
	}
	return string(b)
}

// retry runs f again, up to a few times, while it fails with an error
// retryable accepts.
func retry(ctx context.Context, retryable func(error) bool, f func() error) error {
	const attempts = 4
	for i := 1; ; i++ {
		err := f()
		if err == nil || i == attempts || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i*i) * 10 * time.Millisecond):
		}
	}
}
