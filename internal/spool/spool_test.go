package spool

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/source"
)

// TestSpoolBacklog checks that ingest refuses bodies (429) once the
// spooled bodies the engine has not processed reach the bound, takes them
// again once the engine caught up, and ends every body with a newline.
func TestSpoolBacklog(t *testing.T) {
	dir := t.TempDir()
	sp := New(dir, engine.NewLive(nil, engine.LiveOptions{}), 64)
	body := `{"schemaType":"ModelInvocationLog","timestamp":"2026-10-03T06:00:00Z","requestId":"r1","operation":"InvokeModel"}`
	sp.maxBacklog = int64(3 * (len(body) + 1))
	ctx := context.Background()
	for i := range 3 {
		res, err := sp.Ingest(ctx, strings.NewReader(body), server.IngestMeta{ContentType: "application/json"})
		if err != nil || res.Accepted != 1 {
			t.Fatalf("body %d: %+v, %v; want it accepted", i, res, err)
		}
	}
	if _, err := sp.Ingest(ctx, strings.NewReader(body), server.IngestMeta{}); !errors.Is(err, server.ErrBusy) {
		t.Fatalf("with a full backlog ingest returned %v, want ErrBusy", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ingest-*.json"))
	if len(files) != 3 {
		t.Fatalf("spooled %d files, want 3", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || string(data) != body+"\n" {
			t.Fatalf("spooled %q (%v), want the body and a newline", data, err)
		}
	}
	// A chunk read part way does not free its file; read to its end, it does.
	sp.Committed(files[0], source.Position{Offset: 10})
	if _, err := sp.Ingest(ctx, strings.NewReader(body), server.IngestMeta{}); !errors.Is(err, server.ErrBusy) {
		t.Fatalf("after a partial read ingest returned %v, want ErrBusy", err)
	}
	sp.Committed(files[0], source.Position{Offset: int64(len(body) + 1)})
	if res, err := sp.Ingest(ctx, strings.NewReader(body), server.IngestMeta{}); err != nil || res.Accepted != 1 {
		t.Fatalf("after the engine caught up: %+v, %v; want the body accepted", res, err)
	}
}

// After a checkpoint, bodies read to their end are deleted and the others
// stay.
func TestSpoolPrune(t *testing.T) {
	dir := t.TempDir()
	done := filepath.Join(dir, "ingest-1.json")
	half := filepath.Join(dir, "ingest-2.json")
	os.WriteFile(done, []byte("{}\n{}\n"), 0o644)
	os.WriteFile(half, []byte("{}\n{}\n"), 0o644)
	positions := source.NewPositions()
	positions.Set(done, source.Position{Offset: 6})
	positions.Set(half, source.Position{Offset: 3})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// An archive that fails keeps the body spooled; one that takes it
	// keeps it instead; without one it is deleted.
	var offered []string
	failing := func(p string) (bool, error) { offered = append(offered, p); return false, errors.New("disk full") }
	(&Spool{dir: dir}).Prune(positions, failing, quiet)
	if _, err := os.Stat(done); err != nil || len(offered) != 1 || offered[0] != done {
		t.Errorf("a body the archive failed to take was lost (%v), or the wrong ones offered: %v", err, offered)
	}
	taking := func(p string) (bool, error) { return true, nil }
	(&Spool{dir: dir}).Prune(positions, taking, quiet)
	if _, err := os.Stat(done); err != nil {
		t.Errorf("the spool deleted a body the archive took: %v", err)
	}
	(&Spool{dir: dir}).Prune(positions, nil, quiet)
	if _, err := os.Stat(done); !os.IsNotExist(err) {
		t.Errorf("a processed body was kept: %v", err)
	}
	if _, err := os.Stat(half); err != nil {
		t.Errorf("a body not yet processed was deleted: %v", err)
	}
}
