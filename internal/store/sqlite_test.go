package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tripline/tripline/internal/alert"
)

func openSQLiteTest(t testing.TB) Store {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "data", "tripline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestSQLite(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return openSQLiteTest(t) })
}

func TestSQLiteMemory(t *testing.T) {
	testStore(t, func(t *testing.T) Store {
		s, err := OpenSQLite(":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestSQLiteReopen checks that data and status survive a reopen, that the
// schema is not migrated twice, and that two stores on one file (two
// processes) both work.
func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tripline.db")
	s1, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Upsert(ctx, []*alert.Alert{mkAlert("a1", "r1", "high", 0)}); err != nil {
		t.Fatal(err)
	}
	if err := s1.SetStatus(ctx, "a1", StatusChange{Status: StatusClosed, By: "bob"}); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("second open of one file: %v", err)
	}
	if err := s2.Upsert(ctx, []*alert.Alert{mkAlert("a2", "r1", "high", 0)}); err != nil {
		t.Fatal(err)
	}
	if got, err := s1.List(ctx, Filter{}); err != nil || len(got) != 2 {
		t.Errorf("first store sees %d alerts (%v), want 2", len(got), err)
	}
	s1.Close()
	s2.Close()
	s3, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s3.Close()
	a, hist, err := s3.Get(ctx, "a1")
	if err != nil || a.Status != StatusClosed || len(hist) != 1 {
		t.Errorf("after reopen: %v %v %v", a, hist, err)
	}
	var mode string
	if err := s3.(*sqlStore).r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode = %q (%v), want wal", mode, err)
	}
	var v int
	if err := s3.(*sqlStore).r.QueryRow("SELECT version FROM schema_version").Scan(&v); err != nil || v != len(migrations) {
		t.Errorf("schema version = %d (%v), want %d", v, err, len(migrations))
	}
}

func TestSQLiteNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tripline.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.(*sqlStore).w.Exec("UPDATE schema_version SET version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := OpenSQLite(path); err == nil {
		s.Close()
		t.Error("open of a newer schema: no error")
	}
}

func BenchmarkSQLiteUpsert(b *testing.B) {
	benchStore(b, openSQLiteTest(b))
}
