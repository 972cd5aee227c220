package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/alert"
)

// Sink is one destination for alerts. Send may be called from several
// goroutines. A sink that queues (webhook, Slack, anything behind a Router)
// returns from Send at once; the others write before returning. Close
// flushes what the sink holds and releases it; Send after Close fails with
// ErrClosed.
type Sink interface {
	// Name identifies the sink in logs and statistics, e.g. "file:/var/log/a.ndjson".
	Name() string
	// Send delivers or enqueues one alert. The sink does not modify a and
	// does not keep it past delivery.
	Send(ctx context.Context, a *alert.Alert) error
	// Close flushes and releases the sink.
	Close() error
}

// Stats counts what a sink did with the alerts it was given. Every alert
// handed to Send is counted once as Sent, Failed or Dropped, or is still
// Queued (or in delivery).
type Stats struct {
	// Sent alerts were delivered (written, or answered 2xx).
	Sent uint64 `json:"sent"`
	// Failed alerts were given up on: a write error, a rejection, or retries
	// exhausted.
	Failed uint64 `json:"failed"`
	// Dropped alerts never reached delivery: the queue was full, or Close's
	// deadline passed while they waited.
	Dropped uint64 `json:"dropped"`
	// Retried counts repeated delivery attempts (not alerts).
	Retried uint64 `json:"retried"`
	// Queued is the number of alerts waiting now.
	Queued int `json:"queued"`
}

// StatsSink is a Sink that reports its Stats. Every sink in this package is one.
type StatsSink interface {
	Sink
	// Stats returns a snapshot of the sink's counters.
	Stats() Stats
}

var (
	// ErrClosed is returned by Send after Close.
	ErrClosed = errors.New("sink is closed")
	// ErrQueueFull is returned by Send when a queueing sink had no room: the
	// alert was dropped and counted in Stats.Dropped.
	ErrQueueFull = errors.New("notification queue is full")
)

// Severities are the alert severities a route can ask for, lowest first.
var Severities = []string{"low", "medium", "high", "critical"}

// severityRank returns 1..4 for a known severity (any case) and 0 otherwise.
func severityRank(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, v := range Severities {
		if s == v {
			return i + 1
		}
	}
	return 0
}

// checkSeverity accepts "" (no minimum) and the names in Severities.
func checkSeverity(s string) error {
	if s == "" || severityRank(s) > 0 {
		return nil
	}
	return fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(Severities, ", "))
}
