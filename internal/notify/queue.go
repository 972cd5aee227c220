package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// Delivery configures how a queueing sink delivers: its queue, and for
// network sinks the timeouts and retries. Zero fields take the defaults
// named on each.
type Delivery struct {
	// QueueSize bounds the alerts waiting for delivery (default 1024).
	// An alert that finds the queue full is dropped and counted.
	QueueSize int `yaml:"queue_size" json:"queue_size"`
	// Timeout bounds one delivery attempt (default 10s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// MaxRetries is how many times a failed attempt is repeated (default 5;
	// negative means never).
	MaxRetries int `yaml:"max_retries" json:"max_retries"`
	// MinBackoff is the wait before the first retry (default 500ms); each
	// retry doubles it, up to MaxBackoff (default 30s), with jitter.
	MinBackoff time.Duration `yaml:"min_backoff" json:"min_backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff" json:"max_backoff"`
	// MaxRetryAfter caps the wait a receiver can ask for with Retry-After
	// (default 1m).
	MaxRetryAfter time.Duration `yaml:"max_retry_after" json:"max_retry_after"`
	// DrainTimeout bounds how long Close waits for the queue to empty
	// (default 5s); what is left after it is dropped and counted.
	DrainTimeout time.Duration `yaml:"drain_timeout" json:"drain_timeout"`
	// Logger receives delivery failures (default slog.Default()).
	Logger *slog.Logger `yaml:"-" json:"-"`
	// Client sends the requests of network sinks (default: a new client).
	Client *http.Client `yaml:"-" json:"-"`
}

func (d Delivery) withDefaults() Delivery {
	if d.QueueSize <= 0 {
		d.QueueSize = 1024
	}
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	switch {
	case d.MaxRetries == 0:
		d.MaxRetries = 5
	case d.MaxRetries < 0:
		d.MaxRetries = 0
	}
	if d.MinBackoff <= 0 {
		d.MinBackoff = 500 * time.Millisecond
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = 30 * time.Second
	}
	if d.MaxBackoff < d.MinBackoff {
		d.MaxBackoff = d.MinBackoff
	}
	if d.MaxRetryAfter <= 0 {
		d.MaxRetryAfter = time.Minute
	}
	if d.DrainTimeout <= 0 {
		d.DrainTimeout = 5 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Client == nil {
		d.Client = &http.Client{}
	}
	return d
}

// queue is the bounded queue and the goroutine draining it that every
// queueing sink shares. deliver makes one alert's whole delivery (with its
// own retries) and returns nil, or the error it gave up with.
type queue struct {
	name    string
	deliver func(ctx context.Context, a *alert.Alert) error
	log     *slog.Logger
	drain   time.Duration

	mu     sync.RWMutex // guards closed against the close of ch
	closed bool
	ch     chan *alert.Alert

	ctx    context.Context // cancelled when Close's deadline passes
	cancel context.CancelFunc
	done   chan struct{}

	sent, failed, dropped, retried atomic.Uint64
}

func newQueue(name string, d Delivery, deliver func(context.Context, *alert.Alert) error) *queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{
		name: name, deliver: deliver, log: d.Logger, drain: d.DrainTimeout,
		ch: make(chan *alert.Alert, d.QueueSize), ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
	go q.run()
	return q
}

// enqueue never blocks: it hands a to the queue or drops it.
func (q *queue) enqueue(a *alert.Alert) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ch <- a:
		return nil
	default:
		q.dropped.Add(1)
		return fmt.Errorf("cannot queue alert %s for %s: %w", a.ID, q.name, ErrQueueFull)
	}
}

func (q *queue) run() {
	defer close(q.done)
	for a := range q.ch {
		if q.ctx.Err() != nil {
			q.dropped.Add(1)
			continue
		}
		err := q.deliver(q.ctx, a)
		switch {
		case err == nil:
			q.sent.Add(1)
		case q.ctx.Err() != nil:
			q.dropped.Add(1)
		default:
			q.failed.Add(1)
			q.log.Warn("cannot deliver alert", "sink", q.name, "alert", a.ID, "rule", a.Rule.ID, "err", err)
		}
	}
}

// close stops taking alerts and waits up to the drain deadline for the
// queue to empty; then it abandons the rest, counting them as dropped.
func (q *queue) close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.ch)
	q.mu.Unlock()
	defer q.cancel()
	t := time.NewTimer(q.drain)
	defer t.Stop()
	select {
	case <-q.done:
		return nil
	case <-t.C:
	}
	before := q.dropped.Load()
	q.cancel()
	<-q.done
	return fmt.Errorf("cannot deliver every alert to %s within %s: %d dropped", q.name, q.drain, q.dropped.Load()-before)
}

func (q *queue) stats() Stats {
	return Stats{
		Sent: q.sent.Load(), Failed: q.failed.Load(), Dropped: q.dropped.Load(),
		Retried: q.retried.Load(), Queued: len(q.ch),
	}
}

// queued marks sinks whose Send never blocks; a Router puts every other
// sink behind an Async.
type queued interface{ queued() }

// Async puts any sink behind a bounded queue drained by its own goroutine,
// so that Send never waits for the sink. The wrapped sink's Send is called
// from one goroutine, in order, without retries.
type Async struct {
	sink Sink
	q    *queue
}

var (
	_ StatsSink = (*Async)(nil)
	_ queued    = (*Async)(nil)
)

// NewAsync wraps s. Of d only QueueSize, DrainTimeout and Logger apply.
func NewAsync(s Sink, d Delivery) *Async {
	d = d.withDefaults()
	return &Async{sink: s, q: newQueue(s.Name(), d, s.Send)}
}

// Name implements Sink: the wrapped sink's name.
func (s *Async) Name() string { return s.sink.Name() }

// Send implements Sink: it queues a, or drops it and returns ErrQueueFull.
func (s *Async) Send(_ context.Context, a *alert.Alert) error { return s.q.enqueue(a) }

// Close implements Sink: it drains the queue (within the drain deadline),
// then closes the wrapped sink.
func (s *Async) Close() error {
	err := s.q.close()
	if cerr := s.sink.Close(); err == nil {
		err = cerr
	}
	return err
}

// Stats implements StatsSink.
func (s *Async) Stats() Stats { return s.q.stats() }

func (s *Async) queued() {}
