package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// sqliteBusy returns what SQLite says to a writer whose read snapshot went
// stale, and to one that finds the write lock taken and does not wait.
func sqliteBusy(t *testing.T) (snapshot, busy error) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	exec := func(c *sql.Conn, q string) error { _, err := c.ExecContext(ctx, q); return err }
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	open := func() *sql.Conn {
		db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(wal)")
		must(err)
		t.Cleanup(func() { db.Close() })
		c, err := db.Conn(ctx)
		must(err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	a, b := open(), open()
	must(exec(a, "CREATE TABLE t (x INTEGER)"))
	must(exec(a, "BEGIN"))
	must(a.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(new(int)))
	must(exec(b, "INSERT INTO t VALUES (1)"))
	snapshot = exec(a, "INSERT INTO t VALUES (2)")
	must(exec(a, "ROLLBACK"))
	must(exec(b, "BEGIN IMMEDIATE"))
	busy = exec(a, "BEGIN IMMEDIATE")
	must(exec(b, "ROLLBACK"))
	if snapshot == nil || busy == nil {
		t.Fatalf("SQLite did not refuse the writers: %v, %v", snapshot, busy)
	}
	return snapshot, busy
}

func TestRetry(t *testing.T) {
	deadlock := &pgconn.PgError{Code: "40P01"}
	serial := &pgconn.PgError{Code: "40001"}
	other := &pgconn.PgError{Code: "23505"}
	snapshot, busy := sqliteBusy(t)
	tests := []struct {
		name      string
		d         *dialect
		errs      []error // returned by successive calls; nil after the end
		wantCalls int
		wantErr   error
	}{
		{"succeeds at once", postgresDialect, nil, 1, nil},
		{"retries a deadlock", postgresDialect, []error{deadlock, fmt.Errorf("cannot store: %w", serial)}, 3, nil},
		{"gives up", postgresDialect, []error{deadlock, deadlock, deadlock, deadlock, deadlock}, 4, deadlock},
		{"other errors are final", postgresDialect, []error{other}, 1, other},
		{"plain errors are final", postgresDialect, []error{context.Canceled}, 1, context.Canceled},
		{"SQLite retries a stale snapshot", sqliteDialect, []error{snapshot}, 2, nil},
		{"SQLite does not wait out the busy timeout twice", sqliteDialect, []error{busy}, 1, busy},
		{"SQLite takes PostgreSQL's errors as final", sqliteDialect, []error{deadlock}, 1, deadlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retry(context.Background(), tt.d.retryable, func() error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) {
				t.Errorf("retry: %d calls, %v; want %d, %v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}
