package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/server"
)

// spool makes HTTP ingest durable: an accepted body is written and synced
// to the spool directory before the client hears 202, and the engine reads
// it from there like any watched file. When the engine falls behind, new
// bodies are refused with ErrBusy (429) rather than dropped.
type spool struct {
	dir   string
	live  *engine.Live
	limit int
	seq   atomic.Uint64
}

func newSpool(dir string, live *engine.Live, queue int) *spool {
	return &spool{dir: dir, live: live, limit: queue}
}

func (s *spool) ingest(ctx context.Context, body io.Reader, _ string) (server.IngestResult, error) {
	if s.live.QueueDepth() >= s.limit*3/4 {
		return server.IngestResult{}, server.ErrBusy
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return server.IngestResult{}, fmt.Errorf("cannot read body: %w", err)
	}
	var res server.IngestResult
	st, err := logs.ReadStream(ctx, "ingest", bytes.NewReader(data), logs.StreamStart{Line: 1}, logs.Options{},
		func(int, *event.Event) error { return nil })
	if err != nil {
		return res, err
	}
	res.Accepted, res.Bad = st.Total(), st.Bad
	for _, p := range st.BadSamples {
		res.Problems = append(res.Problems, p.String())
	}
	if res.Accepted == 0 {
		return res, nil
	}
	name := filepath.Join(s.dir, fmt.Sprintf("ingest-%d-%06d.json", time.Now().UnixNano(), s.seq.Add(1)))
	if err := writeSynced(name, data); err != nil {
		return server.IngestResult{}, fmt.Errorf("cannot spool ingest body: %w", err)
	}
	return res, nil
}

// writeSynced writes a file under a temporary name, syncs it and renames
// it into place, so the watcher never sees half a body.
func writeSynced(name string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
