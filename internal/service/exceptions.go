package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/store"
)

// Exceptions applies to the rules the exceptions of the files beside them
// together with those the store keeps, and again whenever the store's
// change: an exception added from an alert judges the next events and
// results. Create it with NewExceptions.
type Exceptions struct {
	rules []*engine.Compiled
	files []exception.Exception
	st    store.Exceptions // nil when the store keeps none
	log   *slog.Logger

	mu   sync.Mutex
	last string // the ids and texts applied, to skip a reload that changes nothing
}

// NewExceptions prepares the exceptions of rules: files are those read
// beside them, st the store (which may keep none).
func NewExceptions(rules []*engine.Compiled, files []exception.Exception, st store.Store, log *slog.Logger) *Exceptions {
	x := &Exceptions{rules: rules, files: files, log: log}
	x.st, _ = st.(store.Exceptions)
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	return x
}

// Files returns the exceptions read from files.
func (x *Exceptions) Files() []exception.Exception { return x.files }

// Apply reads the store's exceptions and gives every rule the union with
// the files' (a file's exception wins over a stored one of the same id).
// It is safe while the engine runs, and cheap when nothing changed.
func (x *Exceptions) Apply(ctx context.Context) error {
	all := slices.Clone(x.files)
	if x.st != nil {
		stored, err := x.st.ListExceptions(ctx, false)
		if err != nil {
			return fmt.Errorf("cannot read the stored exceptions: %w", err)
		}
		inFile := map[string]bool{}
		for _, e := range x.files {
			inFile[e.ID] = true
		}
		for _, e := range stored {
			if !inFile[e.ID] {
				all = append(all, e.Exception)
			}
		}
	}
	key := fingerprint(all)
	x.mu.Lock()
	defer x.mu.Unlock()
	if key == x.last {
		return nil
	}
	engine.ApplyExceptions(x.rules, all)
	if x.last != "" {
		x.log.Info("exceptions applied", "files", len(x.files), "stored", len(all)-len(x.files))
	}
	x.last = key
	return nil
}

// fingerprint is what an exception list says, to compare two of them.
func fingerprint(all []exception.Exception) string {
	var b strings.Builder
	b.WriteString("v\x00")
	for _, e := range all {
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%s\x00%q\x00%d\x00", e.ID, e.Rule, e.Field, e.Match, e.Values, e.Expires.UnixNano())
	}
	return b.String()
}

// Watch applies the store's exceptions every interval until ctx ends, so
// that changes another process made (the CLI, another instance sharing
// the store) apply too.
func (x *Exceptions) Watch(ctx context.Context, interval time.Duration) {
	if x.st == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := x.Apply(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("exceptions not reloaded", "err", err)
			}
		}
	}
}
