package notify

import (
	"encoding/json"
	"fmt"
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

// gateRecord is one alert's last notice, as saved.
type gateRecord struct {
	Severity string `json:"s"`
	Events   int64  `json:"e"`
	Last     int64  `json:"l"`
}

// Snapshot returns what the gate has sent, for Restore after a restart:
// saved before the notices it records are handed to the sinks, an alert
// raised again after a crash (the engine replays from its checkpoint) is
// not posted a second time.
func (g *Gate) Snapshot() ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]gateRecord, len(g.sent))
	for id, n := range g.sent {
		out[id] = gateRecord{Severity: n.severity, Events: n.events, Last: n.last}
	}
	return json.Marshal(out)
}

// Restore loads a Snapshot.
func (g *Gate) Restore(data []byte) error {
	var in map[string]gateRecord
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("cannot read the notices sent: %w", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, r := range in {
		g.sent[id] = notice{severity: r.Severity, events: r.Events, last: r.Last}
	}
	return nil
}
