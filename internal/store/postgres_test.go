package store

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tripline/tripline/internal/alert"
)

// pgServer is a PostgreSQL server a test started on 127.0.0.1.
type pgServer struct {
	dsn     string // of the test database
	schemas int    // schemas handed out, one per store
	mu      sync.Mutex
}

// startPostgres initdb's a cluster in a temporary directory, starts it on
// a free port of 127.0.0.1 and creates a database; t.Cleanup stops it. It
// skips the test when the server is not installed. As root, the server
// runs as the postgres user (initdb refuses root).
func startPostgres(t testing.TB) *pgServer {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("PostgreSQL server not installed (apt-get install postgresql)")
	}
	var runAs []string
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("PostgreSQL tests run as root need the postgres user (apt-get install postgresql)")
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Skip("PostgreSQL tests run as root need runuser (util-linux)")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		runAs = []string{runuser, "-u", "postgres", "--"}
	}
	// Not t.TempDir: its parent is private to this user, and the server
	// may run as another.
	dir, err := os.MkdirTemp("", "tripline-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		argv := append(append(append([]string{}, runAs...), filepath.Join(bin, name)), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			logFile, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("%s failed: %v\n%s\n%s", name, err, out, logFile)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "tripline", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	port := freePort(t)
	run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "-o",
		fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F -c full_page_writes=off -c max_connections=50", port, dir), "start")
	t.Cleanup(func() {
		argv := append(append(append([]string{}, runAs...), filepath.Join(bin, "pg_ctl")), "-D", data, "-m", "immediate", "-w", "stop")
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Errorf("cannot stop PostgreSQL: %v\n%s", err, out)
		}
	})
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://tripline@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE tripline_test"); err != nil {
		t.Fatal(err)
	}
	return &pgServer{dsn: fmt.Sprintf("postgres://tripline@127.0.0.1:%d/tripline_test?sslmode=disable", port)}
}

// pgBinDir is the newest installed server's bin directory, or "".
func pgBinDir() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[j]))))
		return vi > vj
	})
	for _, m := range matches {
		dir := filepath.Dir(m)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
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
		if err := stores[2].(*pgStore).pool.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&v); err != nil || v != len(pgMigrations) {
			t.Errorf("schema version = %d (%v), want %d (one row)", v, err, len(pgMigrations))
		}
	})
}

func BenchmarkPostgresUpsert(b *testing.B) {
	srv := startPostgres(b)
	benchStore(b, srv.open(b, srv.newSchema(b)))
}
