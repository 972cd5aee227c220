package notify

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sync"
	"sync/atomic"

	"github.com/tripline/tripline/internal/alert"
)

// Route sends the alerts that match it to one sink.
type Route struct {
	Sink Sink
	// MinSeverity is the lowest severity sent (one of Severities); empty
	// sends every alert.
	MinSeverity string
	// Rules are rule ids or names, or path.Match globs over them
	// ("aws-bedrock-*"); empty matches every rule.
	Rules []string
}

// matches reports whether the route takes a.
func (r *Route) matches(a *alert.Alert) bool {
	if r.MinSeverity != "" && severityRank(a.Rule.Severity) < severityRank(r.MinSeverity) {
		return false
	}
	if len(r.Rules) == 0 {
		return true
	}
	for _, p := range r.Rules {
		if p == a.Rule.ID || p == a.Rule.Name {
			return true
		}
		if ok, _ := path.Match(p, a.Rule.ID); ok {
			return true
		}
		if ok, _ := path.Match(p, a.Rule.Name); ok {
			return true
		}
	}
	return false
}

// SinkStats is one sink's statistics as a Router reports them.
type SinkStats struct {
	Name string `json:"name"`
	Stats
	// Routed counts the alerts the route matched and handed to the sink.
	Routed uint64 `json:"routed"`
}

// Router fans each alert out to the sinks whose routes match it. Every sink
// that is not already queueing is put behind an Async, so Send never waits
// for a sink: a slow or stalled sink loses its own alerts (counted), never
// anyone else's and never detection's time.
type Router struct {
	routes []Route
	routed []atomic.Uint64
	mu     sync.RWMutex
	closed bool
}

// NewRouter checks the routes and takes ownership of their sinks: Close
// closes them. A sink whose Send could block (Stdout, File, a sink of the
// caller's) is put behind NewAsync with the default Delivery; wrap it with
// NewAsync first to choose the queue size, drain deadline or logger.
func NewRouter(routes ...Route) (*Router, error) {
	for i, rt := range routes {
		if rt.Sink == nil {
			return nil, fmt.Errorf("cannot route alerts: route %d has no sink", i+1)
		}
		if err := checkSeverity(rt.MinSeverity); err != nil {
			return nil, fmt.Errorf("cannot route alerts to %s: %w", rt.Sink.Name(), err)
		}
		for _, p := range rt.Rules {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("cannot route alerts to %s: bad rule pattern %q: %w", rt.Sink.Name(), p, err)
			}
		}
	}
	r := &Router{routed: make([]atomic.Uint64, len(routes))}
	for _, rt := range routes {
		if _, ok := rt.Sink.(queued); !ok {
			rt.Sink = NewAsync(rt.Sink, Delivery{})
		}
		rt.Rules = append([]string(nil), rt.Rules...)
		r.routes = append(r.routes, rt)
	}
	return r, nil
}

// Send hands a to every sink whose route matches it and returns at once.
// The error joins the sinks' refusals (ErrQueueFull, ErrClosed); the other
// sinks still got the alert. ctx is not used for delivery, which outlives
// the call.
func (r *Router) Send(ctx context.Context, a *alert.Alert) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return ErrClosed
	}
	var errs []error
	for i := range r.routes {
		rt := &r.routes[i]
		if !rt.matches(a) {
			continue
		}
		r.routed[i].Add(1)
		if err := rt.Sink.Send(ctx, a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close closes every sink at once, so the whole takes about the longest
// drain deadline, and joins their errors.
func (r *Router) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	errs := make([]error, len(r.routes))
	var wg sync.WaitGroup
	for i := range r.routes {
		wg.Go(func() { errs[i] = r.routes[i].Sink.Close() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stats returns each route's sink statistics, in route order.
func (r *Router) Stats() []SinkStats {
	out := make([]SinkStats, len(r.routes))
	for i, rt := range r.routes {
		out[i] = SinkStats{Name: rt.Sink.Name(), Routed: r.routed[i].Load()}
		if s, ok := rt.Sink.(StatsSink); ok {
			out[i].Stats = s.Stats()
		}
	}
	return out
}
