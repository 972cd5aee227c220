package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/notify"
	"github.com/tripline/tripline/internal/store"
)

// router fans alerts out to the configured sinks; it never blocks the
// engine (sinks queue their own work).
type router struct {
	r    *notify.Router
	gate *notify.Gate
	log  *slog.Logger
	// st and name keep what the gate sent, saved before it is sent.
	st   store.Store
	name string
}

// remember loads what the sinks were sent before a restart and keeps it in
// st under name from now on: the engine replays input read since its last
// checkpoint, and the alerts it raises again must not be posted again.
func (r *router) remember(ctx context.Context, st store.Store, name string) error {
	data, err := st.GetCheckpoint(ctx, name)
	if err != nil {
		return fmt.Errorf("cannot read the notices sent: %w", err)
	}
	if data != nil {
		if err := r.gate.Restore(data); err != nil {
			return err
		}
	}
	r.st, r.name = st, name
	return nil
}

func buildRouter(specs []notify.SinkSpec, updateEvents int64, log *slog.Logger) (*router, error) {
	r, err := notify.FromConfig(specs)
	if err != nil {
		return nil, fmt.Errorf("cannot set up notifications: %w", err)
	}
	return &router{r: r, gate: notify.NewGate(updateEvents), log: log}, nil
}

// SendAll hands the sinks each alert that is new, or changed in a way a
// person acts on (see notify.Gate).
func (r *router) SendAll(ctx context.Context, alerts []*alert.Alert) {
	var out []*alert.Alert
	for _, a := range alerts {
		send, update := r.gate.Pass(a)
		if !send {
			continue
		}
		if update {
			c := *a
			c.Update = true
			a = &c
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return
	}
	// Saved before sending: a crash now loses these notices rather than
	// posting them twice after the restart.
	if r.st != nil {
		if data, err := r.gate.Snapshot(); err != nil {
			r.log.Error("cannot record the notices sent", "err", err)
		} else if err := r.st.PutCheckpoint(ctx, r.name, data); err != nil {
			r.log.Error("cannot record the notices sent", "err", err)
		}
	}
	for _, a := range out {
		if err := r.r.Send(ctx, a); err != nil {
			r.log.Warn("notification not queued", "alert", a.ID, "err", err)
		}
	}
}

func (r *router) Close() error { return r.r.Close() }
