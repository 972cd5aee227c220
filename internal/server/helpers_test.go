package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/store"
)

// memStore is an in-memory store.Store with the semantics the interface
// documents, and it remembers the last filters it was given.
type memStore struct {
	mu         sync.Mutex
	alerts     map[string]*alert.Alert
	history    map[string][]store.StatusChange
	risk       []store.RiskEvent
	lastFilter store.Filter
	lastRisk   store.RiskFilter
	failList   error
}

var _ store.Store = (*memStore)(nil)

func newMemStore(alerts ...*alert.Alert) *memStore {
	m := &memStore{alerts: map[string]*alert.Alert{}, history: map[string][]store.StatusChange{}}
	_ = m.Upsert(context.Background(), alerts)
	return m
}

func rank(sev string) int { return slices.Index(severities, sev) }

func (m *memStore) Upsert(_ context.Context, alerts []*alert.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range alerts {
		c := *a
		if old, ok := m.alerts[a.ID]; ok {
			c.Status = old.Status
		} else if c.Status == "" {
			c.Status = store.StatusOpen
		}
		m.alerts[a.ID] = &c
	}
	return nil
}

func (m *memStore) Get(_ context.Context, id string) (*alert.Alert, []store.StatusChange, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alerts[id]
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	c := *a
	return &c, slices.Clone(m.history[id]), nil
}

func (m *memStore) List(_ context.Context, f store.Filter) ([]*alert.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastFilter = f
	if m.failList != nil {
		return nil, m.failList
	}
	var out []*alert.Alert
	for _, a := range m.alerts {
		switch {
		case !f.Since.IsZero() && a.Timestamp.Before(f.Since),
			!f.Until.IsZero() && !a.Timestamp.Before(f.Until),
			f.Severity != "" && rank(a.Rule.Severity) < rank(f.Severity),
			f.RuleID != "" && a.Rule.ID != f.RuleID,
			f.Status != "" && a.Status != f.Status:
			continue
		}
		c := *a
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Timestamp.After(out[j].Timestamp) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (m *memStore) SetStatus(_ context.Context, id string, ch store.StatusChange) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alerts[id]
	if !ok {
		return store.ErrNotFound
	}
	a.Status = ch.Status
	m.history[id] = append(m.history[id], ch)
	return nil
}

func (m *memStore) AddRisk(_ context.Context, events []store.RiskEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.risk = append(m.risk, events...)
	return nil
}

func (m *memStore) RiskEvents(_ context.Context, f store.RiskFilter) ([]store.RiskEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastRisk = f
	var out []store.RiskEvent
	for _, e := range m.risk {
		if (!f.Since.IsZero() && e.Time.Before(f.Since)) || (!f.Until.IsZero() && !e.Time.Before(f.Until)) ||
			(len(f.Entities) > 0 && !slices.Contains(f.Entities, e.Entity)) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func (m *memStore) Risk(ctx context.Context, f store.RiskFilter) ([]store.EntityRisk, error) {
	evs, _ := m.RiskEvents(ctx, f)
	by := map[string]*store.EntityRisk{}
	var out []store.EntityRisk
	for _, e := range evs {
		if e.Threat {
			continue
		}
		r := by[e.Entity]
		if r == nil {
			r = &store.EntityRisk{Entity: e.Entity, EntityType: e.EntityType}
			by[e.Entity] = r
		}
		r.Score += e.Score
		r.Count++
		r.AlertIDs = append(r.AlertIDs, e.AlertID)
	}
	for _, r := range by {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

func (m *memStore) Prune(context.Context, time.Time) (int, error)         { return 0, nil }
func (m *memStore) PutCheckpoint(context.Context, string, []byte) error   { return nil }
func (m *memStore) GetCheckpoint(context.Context, string) ([]byte, error) { return nil, nil }
func (m *memStore) Close() error                                          { return nil }

// testNow is the clock of test servers.
var testNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

func testAlert(id, ruleID, severity string, ts time.Time) *alert.Alert {
	return &alert.Alert{
		ID:        id,
		Rule:      alert.RuleRef{ID: ruleID, Name: "Rule " + ruleID, Language: "esql", Severity: severity, RiskScore: 47, Tags: []string{"Domain: LLM"}, Threat: []alert.Threat{}},
		Timestamp: ts,
		Window:    alert.Window{Start: ts.Add(-time.Hour), End: ts},
		Group:     alert.Fields{{Name: "user.id", Value: event.StringValue("arn:aws:iam::1:user/<x>&y")}},
		Row:       alert.Fields{{Name: "n", Value: event.LongValue(3)}},
		FirstSeen: ts.Add(-30 * time.Minute),
		LastSeen:  ts,
		Evidence:  []alert.Evidence{},
		Reason:    "reason for " + id,
		Matches:   1,
	}
}

// fixture is three alerts at different times and severities.
func fixture() *memStore {
	return newMemStore(
		testAlert("a1", "r-denied", "medium", testNow.Add(-2*time.Hour)),
		testAlert("a2", "r-jack", "high", testNow.Add(-30*time.Hour)),
		testAlert("a3", "r-jack", "critical", testNow.Add(-8*24*time.Hour)),
	)
}

// newTest builds a server around opt with the test clock; it fails the
// test when New fails.
func newTest(t *testing.T, opt Options) *Server {
	t.Helper()
	s, err := New(opt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s.now = func() time.Time { return testNow }
	return s
}

type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v\n%s", r.code, err, r.body)
	}
}

// errMsg is the "error" of a JSON error body.
func (r response) errMsg(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.json(t, &e)
	return e.Error
}

func do(t *testing.T, h http.Handler, method, target string, body io.Reader, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	req.Host = "127.0.0.1:7700" // as a client of the default listen address sends it
	if body != nil && (method == "POST" || method == "PATCH") {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{code: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// logBuffer is a slog handler target safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }
