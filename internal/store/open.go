package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
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

// parseURL says which database a store URL names and what to pass its opener.
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

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before failing.
const sqliteBusyTimeout = 10 * time.Second

// OpenSQLite opens (creating it and its directory when missing) the SQLite
// database at path, in WAL mode, and brings its schema up to date. The
// path ":memory:" gives a private in-memory database.
//
// Writes go through one connection, so goroutines of this process queue in
// database/sql rather than spin on SQLite's lock; reads use a pool of
// their own, which WAL lets run beside the writer. Other processes are
// held off by BEGIN IMMEDIATE and the busy timeout.
func OpenSQLite(path string) (Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("cannot open SQLite store %q: want a file path without ? or #", path)
	}
	base := fmt.Sprintf("?_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds())
	// Writers take the write lock when they begin, so two processes never
	// deadlock upgrading read locks.
	writer := base + "&_txlock=immediate&_pragma=synchronous(normal)"
	single := func(db *sql.DB) *sql.DB {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return db
	}
	if path == ":memory:" {
		db, err := sql.Open("sqlite", path+writer)
		if err != nil {
			return nil, fmt.Errorf("cannot open SQLite store: %w", err)
		}
		return newStore(context.Background(), sqliteDialect, single(db), db)
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
	// The writer creates the file and switches it to WAL before any reader
	// opens it.
	if err := single(w).Ping(); err != nil {
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
	return newStore(context.Background(), sqliteDialect, w, r)
}

// OpenPostgres connects to the PostgreSQL database dsn names (a URL or
// key=value string as libpq takes) and brings its schema up to date.
// Several tripline processes may share the database.
func OpenPostgres(ctx context.Context, dsn string) (Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot open PostgreSQL store: %w", err)
	}
	// As many connections as pgxpool keeps by default.
	conns := max(4, runtime.NumCPU())
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL store: %w", err)
	}
	return newStore(ctx, postgresDialect, db, db)
}

// newStore brings the schema of the database behind w and r up to date.
func newStore(ctx context.Context, d *dialect, w, r *sql.DB) (Store, error) {
	s := &sqlStore{d: d, w: w, r: r}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
