package testpg

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStartPostgres checks that the DSN reaches a running server, on
// loopback, in the test database.
func TestStartPostgres(t *testing.T) {
	dsn := StartPostgres(t)
	if !strings.HasPrefix(dsn, "postgres://tripline@127.0.0.1:") || !strings.Contains(dsn, "/"+Database+"?") {
		t.Fatalf("DSN %q, want the test database on 127.0.0.1", dsn)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db != Database {
		t.Errorf("current database %q (%v), want %q", db, err, Database)
	}
}
