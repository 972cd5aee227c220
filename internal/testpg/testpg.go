package testpg

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
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database is the name of the database StartPostgres creates.
const Database = "tripline_test"

// StartPostgres initialises a cluster in a temporary directory, starts it
// on a free port of 127.0.0.1 with trust authentication, creates the
// database Database and returns its DSN (user tripline, sslmode=disable).
// t.Cleanup stops the server and removes the directory. It skips the test
// when no server is installed. Run as root, the server runs as the
// postgres user, since initdb refuses root.
func StartPostgres(t testing.TB) (dsn string) {
	t.Helper()
	bin := binDir()
	if bin == "" {
		t.Skip("PostgreSQL server not installed (apt-get install -y postgresql)")
	}
	var runAs []string
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("PostgreSQL tests run as root need the postgres user (apt-get install -y postgresql)")
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
		t.Fatalf("cannot make a directory for PostgreSQL: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("cannot hand the PostgreSQL directory to its user: %v", err)
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		argv := append(append(append([]string{}, runAs...), filepath.Join(bin, name)), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		return cmd
	}
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := command(name, args...).CombinedOutput(); err != nil {
			logFile, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("%s failed: %v\n%s\n%s", name, err, out, logFile)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "tripline", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	port := freePort(t)
	run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "-o",
		fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F -c full_page_writes=off -c max_connections=100", port, dir), "start")
	t.Cleanup(func() {
		if out, err := command("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			t.Errorf("cannot stop PostgreSQL: %v\n%s", err, out)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://tripline@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatalf("cannot connect to PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+Database); err != nil {
		t.Fatalf("cannot create the test database: %v", err)
	}
	return fmt.Sprintf("postgres://tripline@127.0.0.1:%d/%s?sslmode=disable", port, Database)
}

// binDir is the newest installed server's bin directory, or "".
func binDir() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	version := func(initdb string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
		return v
	}
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
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
		t.Fatalf("cannot find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
