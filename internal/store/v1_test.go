package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to load fixtures
	"github.com/tripline/tripline/internal/alert"
)

// schemaQueries describe a database's tables and indexes, one line each.
var schemaQueries = map[string]string{
	"sqlite": `SELECT m.name || ' ' || p.name || ' ' || lower(p.type) || ' ' || p."notnull" || ' ' || p.pk
		FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'
		UNION ALL SELECT 'index ' || name || ' ' || tbl_name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index'
		ORDER BY 1`,
	"postgres": `SELECT table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
			is_identity || ' ' || coalesce(identity_generation, '') || ' ' || coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema()
		UNION ALL SELECT 'index ' || indexname || ' ' || replace(indexdef, current_schema() || '.', '')
		FROM pg_indexes WHERE schemaname = current_schema()
		ORDER BY 1`,
}

func describeSchema(t *testing.T, kind string, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(schemaQueries[kind])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testV1 checks that a store written by the code of schema version 1
// (testdata/v1.<kind>.sql, its migration verbatim and rows as it wrote
// them, which testV1 runs on old) opens, reads back, takes writes, and
// that a new store (on fresh) gets the same schema.
func testV1(t *testing.T, kind string, old, fresh *sql.DB, open func(t *testing.T, fresh bool) Store) {
	ctx := context.Background()
	fixture, err := os.ReadFile(filepath.Join("testdata", "v1."+kind+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(string(fixture)); err != nil {
		t.Fatalf("cannot load the version 1 fixture: %v", err)
	}
	s := open(t, false)

	want := mkAlert("old1", "r1", "high", 0)
	want.Status = StatusAcknowledged
	want.RaisedAt = time.Time{} // version 1 wrote none
	a, hist, err := s.Get(ctx, "old1")
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 dates an old alert's raising by its last write.
	if a.RaisedAt.IsZero() {
		t.Error("an alert stored before raised_at existed has none")
	}
	a.RaisedAt = time.Time{}
	if g, w := jsonOf(t, a), jsonOf(t, want); g != w {
		t.Errorf("old alert:\n got %s\nwant %s", g, w)
	}
	mine := StatusChange{Status: StatusAcknowledged, By: "bob", At: t0.Add(time.Hour), Note: "mine"}
	if g, w := jsonOf(t, hist), jsonOf(t, []StatusChange{mine}); g != w {
		t.Errorf("old history = %s, want %s", g, w)
	}
	if got, err := s.List(ctx, Filter{Since: t0, Until: t0.Add(time.Second), Severity: "high"}); err != nil || len(got) != 1 {
		t.Errorf("List of the old alert by time and severity = %v, %v", ids(got), err)
	}
	evs, err := s.RiskEvents(ctx, RiskFilter{Since: t0})
	if err != nil || len(evs) != 2 || !evs[0].Threat || evs[1].Threat || !evs[1].Time.Equal(t0) ||
		!reflect.DeepEqual(evs[1].Tactics, []string{"AML.TA0000"}) || evs[1].Techniques != nil {
		t.Errorf("old risk events = %+v, %v", evs, err)
	}
	if cp, err := s.GetCheckpoint(ctx, "reader/logs"); err != nil || string(cp) != "\x00\x01\xff" {
		t.Errorf("old checkpoint = %q, %v", cp, err)
	}

	// Writes land on the old rows: the history goes on after the old
	// change, an update keeps the status, risk replaces by its old key.
	if err := s.SetStatus(ctx, "old1", StatusChange{Status: StatusClosed, By: "carol", At: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	upd := mkAlert("old1", "r1", "high", 0)
	upd.EventCount = 7
	if err := s.Upsert(ctx, []*alert.Alert{upd}); err != nil {
		t.Fatal(err)
	}
	if a, hist, err := s.Get(ctx, "old1"); err != nil || a.Status != StatusClosed || a.EventCount != 7 ||
		len(hist) != 2 || hist[0].By != "bob" || hist[1].By != "carol" {
		t.Errorf("after writes: %+v, %+v, %v", a, hist, err)
	}
	if err := s.AddRisk(ctx, []RiskEvent{{Time: t0, Entity: "10.0.0.1", Threat: true, Score: 5, AlertID: "old1"}}); err != nil {
		t.Fatal(err)
	}
	if evs, err := s.RiskEvents(ctx, RiskFilter{}); err != nil || len(evs) != 2 || evs[0].Score != 5 {
		t.Errorf("risk after replacing the old threat = %+v, %v", evs, err)
	}
	if n, err := s.Prune(ctx, t0.Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("Prune of the old alert = %d, %v", n, err)
	}

	open(t, true)
	if g, w := describeSchema(t, kind, fresh), describeSchema(t, kind, old); !reflect.DeepEqual(g, w) {
		t.Errorf("a new store's schema differs from version 1's:\n got %s\nwant %s", strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
	}
}

func TestSQLiteV1(t *testing.T) {
	dir := t.TempDir()
	paths := map[bool]string{false: filepath.Join(dir, "old.db"), true: filepath.Join(dir, "new.db")}
	dbs := map[bool]*sql.DB{}
	for fresh, path := range paths {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[fresh] = db
	}
	testV1(t, "sqlite", dbs[false], dbs[true], func(t *testing.T, fresh bool) Store {
		s, err := OpenSQLite(paths[fresh])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
