package notify

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// memSink records the rule ids it was sent, optionally stalling first.
type memSink struct {
	name  string
	stall chan struct{} // when set, Send waits for it to close
	mu    sync.Mutex
	got   []string
}

func (m *memSink) Name() string { return m.name }
func (m *memSink) Send(ctx context.Context, a *alert.Alert) error {
	if m.stall != nil {
		<-m.stall
	}
	m.mu.Lock()
	m.got = append(m.got, a.Rule.ID)
	m.mu.Unlock()
	return nil
}
func (m *memSink) Close() error { return nil }
func (m *memSink) ids() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.got)
}

var _ Sink = (*memSink)(nil)

func TestRouterRoutes(t *testing.T) {
	all, high, bedrock, named := &memSink{name: "all"}, &memSink{name: "high"}, &memSink{name: "bedrock"}, &memSink{name: "named"}
	r, err := NewRouter(
		Route{Sink: all},
		Route{Sink: high, MinSeverity: "HIGH"},
		Route{Sink: bedrock, MinSeverity: "medium", Rules: []string{"aws-bedrock-*", "exact-id"}},
		Route{Sink: named, Rules: []string{"rule splunk-?"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*alert.Alert{
		withRule("aws-bedrock-denied", "low"),
		withRule("aws-bedrock-denied", "medium"),
		withRule("aws-bedrock-denied", "critical"),
		withRule("exact-id", "high"),
		withRule("splunk-1", "high"),
		withRule("other", "unknown"),
	} {
		if err := r.Send(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sink *memSink
		want string
	}{
		{all, "aws-bedrock-denied aws-bedrock-denied aws-bedrock-denied exact-id splunk-1 other"},
		{high, "aws-bedrock-denied exact-id splunk-1"},
		{bedrock, "aws-bedrock-denied aws-bedrock-denied exact-id"},
		{named, "splunk-1"},
	}
	for _, tc := range tests {
		if got := strings.Join(tc.sink.ids(), " "); got != tc.want {
			t.Errorf("%s got %s, want %s", tc.sink.name, got, tc.want)
		}
	}
	st := r.Stats()
	if len(st) != 4 || st[1].Name != "high" || st[1].Routed != 3 || st[1].Sent != 3 || st[0].Sent != 6 {
		t.Errorf("stats = %+v", st)
	}
	if err := r.Send(context.Background(), sampleAlert()); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v", err)
	}
}

func TestRouterNeverWaitsForASlowSink(t *testing.T) {
	stall := make(chan struct{})
	slow, fastSink := &memSink{name: "slow", stall: stall}, &memSink{name: "fast"}
	r, err := NewRouter(
		Route{Sink: NewAsync(slow, Delivery{QueueSize: 1, DrainTimeout: 50 * time.Millisecond, Logger: quiet})},
		Route{Sink: fastSink},
	)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var refused int
	for i := 0; i < 20; i++ {
		if err := r.Send(context.Background(), sampleAlert()); errors.Is(err, ErrQueueFull) {
			refused++
		}
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("20 sends took %s behind a stalled sink", took)
	}
	waitFor(t, "the fast sink", func() bool { return len(fastSink.ids()) == 20 })
	if refused < 18 {
		t.Errorf("%d sends refused by the stalled sink's full queue, want >= 18", refused)
	}
	close(stall)
	r.Close()
	st := r.Stats()
	if st[0].Routed != 20 || st[0].Sent+st[0].Dropped+st[0].Failed != 20 || st[1].Sent != 20 {
		t.Errorf("stats = %+v", st)
	}
}

func TestNewRouterErrors(t *testing.T) {
	tests := []struct {
		route Route
		want  string
	}{
		{Route{}, "has no sink"},
		{Route{Sink: &memSink{name: "m"}, MinSeverity: "urgent"}, `unknown severity "urgent"`},
		{Route{Sink: &memSink{name: "m"}, Rules: []string{"[a-"}}, "bad rule pattern"},
	}
	for _, tc := range tests {
		if _, err := NewRouter(tc.route); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}
