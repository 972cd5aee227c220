// Package spool makes HTTP ingest durable: an accepted body is written and
// synced to a directory before the client hears 202, and the engine reads
// it from there like a watched file. It bounds what waits (429 beyond it),
// checks bodies as they stream to disk, names each client's stream, and
// deletes bodies once no checkpoint or alert needs them. It imports the
// engine's and API's types, never the command.
package spool

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/source"
)

// Engine is what the spool asks of the live engine.
type Engine interface {
	// QueueDepth is how many input chunks wait.
	QueueDepth() int
	// Screen says whether the engine would drop ev as a copy or as late.
	Screen(ev *event.Event) (duplicate, late bool)
}

// maxSpoolBacklog is how many bytes of accepted bodies, decompressed, may
// wait in the spool for the engine before ingest answers 429: some seconds
// of work, and room for the largest body the API takes.
const maxSpoolBacklog = 256 << 20

// Spool makes HTTP ingest durable: an accepted body is written and synced
// to the spool directory before the client hears 202, and the engine reads
// it from there like any watched file. When the engine falls behind (its
// queue fills, or more than maxSpoolBacklog bytes of spooled bodies wait),
// new bodies are refused with ErrBusy (429) rather than dropped.
type Spool struct {
	dir   string
	live  Engine
	limit int
	seq   atomic.Uint64

	mu         sync.Mutex
	waiting    map[string]int64 // spooled files not yet processed, by absolute path: their size
	backlog    int64            // sum of waiting
	maxBacklog int64
	// Keep is how long a body read to its end stays, for the evidence of
	// alerts raised later: the rules' longest look-back and the lateness.
	Keep time.Duration
}

// New returns the spool in dir, for an engine whose queue holds queue
// chunks.
func New(dir string, live Engine, queue int) *Spool {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the watcher names files by absolute path
	}
	return &Spool{dir: dir, live: live, limit: queue, waiting: map[string]int64{}, maxBacklog: maxSpoolBacklog}
}

// Committed tells the spool that the engine processed a chunk: a spooled
// file read to its end no longer counts against the backlog.
func (s *Spool) Committed(key string, pos source.Position) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if size, ok := s.waiting[key]; ok && (pos.Done || pos.Offset >= size) {
		delete(s.waiting, key)
		s.backlog -= size
	}
}

func (s *Spool) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backlog >= s.maxBacklog || s.live.QueueDepth() >= s.limit*3/4
}

// Ingest takes one request body: see server.IngestFunc.
func (s *Spool) Ingest(ctx context.Context, body io.Reader, meta server.IngestMeta) (server.IngestResult, error) {
	if s.busy() {
		return server.IngestResult{}, server.ErrBusy
	}
	stream := cmp.Or(meta.Stream, server.DefaultIngestStream)
	name := filepath.Join(s.dir, fmt.Sprintf("ingest-%d-%06d-%s.json", time.Now().UnixNano(), s.seq.Add(1), stream))
	// The body goes to disk as it arrives, and is checked from there: what
	// a request holds in memory is a buffer, however large it inflates.
	tmp := filepath.Join(s.dir, "."+filepath.Base(name)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return server.IngestResult{}, fmt.Errorf("cannot spool ingest body: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(tmp)
		}
	}()
	lw := &lastByteWriter{w: f}
	size, err := io.Copy(lw, body)
	if err != nil {
		return server.IngestResult{}, fmt.Errorf("cannot read body: %w", err)
	}
	if size > 0 && lw.last != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil { // else the watcher waits for the last line to end
			return server.IngestResult{}, fmt.Errorf("cannot spool ingest body: %w", err)
		}
		size++
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return server.IngestResult{}, fmt.Errorf("cannot spool ingest body: %w", err)
	}
	var res server.IngestResult
	st, err := logs.ReadStream(ctx, "ingest", f, logs.StreamStart{Line: 1}, logs.Options{},
		func(_ int, ev *event.Event) error {
			switch dup, late := s.live.Screen(ev); {
			case dup:
				res.Duplicates++
			case late:
				res.Late++
			default:
				res.Accepted++
			}
			return nil
		})
	if err != nil {
		return res, err
	}
	res.Bad = st.Bad
	for _, p := range st.BadSamples {
		res.Problems = append(res.Problems, p.String())
	}
	if res.Accepted == 0 {
		return res, nil
	}
	// The backlog is bounded in decompressed bytes: a small gzip body that
	// inflates past it waits for the engine like any other.
	s.mu.Lock()
	if s.backlog > 0 && s.backlog+size > s.maxBacklog {
		s.mu.Unlock()
		return server.IngestResult{}, server.ErrBusy
	}
	s.waiting[name] = size
	s.backlog += size
	s.mu.Unlock()
	if err := syncAndRename(f, tmp, name); err != nil {
		s.Committed(name, source.Position{Done: true})
		return server.IngestResult{}, fmt.Errorf("cannot spool ingest body: %w", err)
	}
	keep = true
	return res, nil
}

// lastByteWriter remembers the last byte written through it.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		l.last = p[len(p)-1]
	}
	return l.w.Write(p)
}

// syncAndRename syncs and closes a spooled body written under tmp and
// renames it into place, so the watcher never sees half a body.
func syncAndRename(f *os.File, tmp, name string) error {
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// StreamOf returns the ingest stream of a spooled body's path, for its
// events' watermarks: "ingest:" and the name the client gave.
func (s *Spool) StreamOf(path string) (string, bool) {
	if filepath.Dir(path) != s.dir {
		return "", false
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	parts := strings.SplitN(name, "-", 4)
	if len(parts) != 4 || parts[0] != "ingest" {
		return "ingest:" + server.DefaultIngestStream, true
	}
	return "ingest:" + parts[3], true
}

// Prune deletes spooled bodies that were read to their end by the time of
// the checkpoint just saved (the checkpoint holds their events, so they are
// no longer needed to recover) and that are older than keep: until then an
// alert may still cite their records, which the engine reads back from
// them to store with it. When archive is set it is offered each such body
// first: a body it takes (true) is its to keep, one it fails on stays
// spooled for the next checkpoint. It runs on the engine's goroutine, when
// the positions are exactly those saved.
func (s *Spool) Prune(positions *source.Positions, archive func(path string) (bool, error), log *slog.Logger) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(s.dir, e.Name())
		pos, ok := positions.Get(path)
		info, err := e.Info()
		if !ok || err != nil || !(pos.Done || pos.Offset >= info.Size()) || time.Since(info.ModTime()) < s.Keep {
			continue
		}
		if archive != nil {
			taken, err := archive(path)
			if err != nil {
				log.Warn("cannot archive a processed ingest body; it stays spooled", "file", path, "err", err)
				continue
			}
			if taken {
				continue
			}
		}
		if err := os.Remove(path); err != nil {
			log.Warn("cannot delete a processed ingest body", "file", path, "err", err)
		}
	}
}
