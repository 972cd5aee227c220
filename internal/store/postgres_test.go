package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/testpg"
)

// pgServer is a PostgreSQL server a test started on 127.0.0.1.
type pgServer struct {
	dsn     string // of the test database
	schemas int    // schemas handed out, one per store
	mu      sync.Mutex
}

// startPostgres starts a server for the test (see testpg); it skips the
// test when PostgreSQL is not installed.
func startPostgres(t testing.TB) *pgServer {
	t.Helper()
	return &pgServer{dsn: testpg.StartPostgres(t)}
}

// newSchema makes an empty schema and returns a DSN whose search_path is
// it, so each store of the suite starts empty without a new database.
func (p *pgServer) newSchema(t testing.TB) string {
	t.Helper()
	p.mu.Lock()
	p.schemas++
	name := fmt.Sprintf("s%d", p.schemas)
	p.mu.Unlock()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	return p.dsn + "&search_path=" + name
}

func (p *pgServer) open(t testing.TB, dsn string) Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgres(t *testing.T) {
	srv := startPostgres(t)
	t.Run("Suite", func(t *testing.T) {
		testStore(t, func(t *testing.T) Store { return srv.open(t, srv.newSchema(t)) })
	})

	t.Run("V1", func(t *testing.T) {
		dsns := map[bool]string{false: srv.newSchema(t), true: srv.newSchema(t)}
		dbs := map[bool]*sql.DB{}
		for fresh, dsn := range dsns {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs[fresh] = db
		}
		testV1(t, "postgres", dbs[false], dbs[true], func(t *testing.T, fresh bool) Store { return srv.open(t, dsns[fresh]) })
	})

	// Several processes share one database: they open (and migrate) at
	// once, and upsert the same alerts.
	t.Run("SharedDatabase", func(t *testing.T) {
		dsn := srv.newSchema(t)
		ctx := context.Background()
		stores := make([]Store, 4)
		var wg sync.WaitGroup
		errs := make([]error, len(stores))
		for i := range stores {
			wg.Go(func() {
				s, err := OpenPostgres(ctx, dsn)
				if err != nil {
					errs[i] = err
					return
				}
				stores[i] = s
				errs[i] = s.Upsert(ctx, []*alert.Alert{mkAlert("shared", "r1", "high", 0), mkAlert(fmt.Sprint("own", i), "r1", "low", 0)})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("store %d: %v", i, err)
			}
			defer stores[i].Close()
		}
		if err := stores[0].SetStatus(ctx, "shared", StatusChange{Status: StatusAcknowledged, By: "bob"}); err != nil {
			t.Fatal(err)
		}
		a, _, err := stores[3].Get(ctx, "shared")
		if err != nil || a.Status != StatusAcknowledged {
			t.Errorf("status seen by another process: %v, %v", a, err)
		}
		got, err := stores[1].List(ctx, Filter{})
		if err != nil || len(got) != 1+len(stores) {
			t.Errorf("alerts in the shared database = %d (%v), want %d", len(got), err, 1+len(stores))
		}
		var v int
		if err := stores[2].(*sqlStore).r.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v); err != nil || v != len(migrations) {
			t.Errorf("schema version = %d (%v), want %d (one row)", v, err, len(migrations))
		}
	})
}

func BenchmarkPostgresUpsert(b *testing.B) {
	srv := startPostgres(b)
	benchStore(b, srv.open(b, srv.newSchema(b)))
}
