package notify

import (
	"sync"

	"github.com/tripline/tripline/internal/alert"
)

// Gate decides which alert changes reach people. The engine hands on an
// alert each time a tick touches it (a burst seen by six overlapping
// windows, a risk incident gaining a contribution), and posting each one
// buried a channel: 14 alerts made 65 Slack posts. Through a Gate an alert
// is sent once when it is raised, and again, marked as an update, only
// when its severity changes or its event count has grown by the step
// since it was last sent (doubled, by default). It is safe for concurrent
// use.
type Gate struct {
	step int64 // 0: an update when the count has doubled

	mu   sync.Mutex
	sent map[string]notice
	n    int
}

type notice struct {
	severity string
	events   int64
	last     int64 // the alert's last-seen time, Unix seconds, to forget old alerts
}

// NewGate returns a gate that sends an update when an alert's event count
// has grown by step since it was last sent; 0 means when it has doubled.
func NewGate(step int64) *Gate { return &Gate{step: step, sent: map[string]notice{}} }

// Pass reports whether a should be sent, and whether as an update of an
// alert sent before.
func (g *Gate) Pass(a *alert.Alert) (send, update bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	if g.n%4096 == 0 {
		g.forget(a.LastSeen.Unix() - 30*24*3600)
	}
	prev, ok := g.sent[a.ID]
	now := notice{severity: a.Rule.Severity, events: a.EventCount, last: a.LastSeen.Unix()}
	switch {
	case !ok:
		g.sent[a.ID] = now
		return true, a.Matches > 1
	case prev.severity != now.severity, g.grown(prev.events, now.events):
		g.sent[a.ID] = now
		return true, true
	}
	prev.last = now.last
	g.sent[a.ID] = prev
	return false, false
}

func (g *Gate) grown(was, is int64) bool {
	if g.step > 0 {
		return is-was >= g.step
	}
	return is >= 2*max(was, 1)
}

// forget drops alerts last seen before t (Unix seconds): they will not
// change again.
func (g *Gate) forget(t int64) {
	for id, n := range g.sent {
		if n.last < t {
			delete(g.sent, id)
		}
	}
}
