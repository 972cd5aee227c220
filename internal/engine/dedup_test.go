package engine

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/store"
)

func TestDedupRepeated(t *testing.T) {
	d := newDedup(2 * time.Hour)
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	ev := func(lt event.LogType, id string, t time.Time) *event.Event {
		return &event.Event{LogType: lt, ID: id, Time: t}
	}
	steps := []struct {
		ev   *event.Event
		want bool
		why  string
	}{
		{ev(event.CloudTrail, "a", at(0)), false, "first sight"},
		{ev(event.CloudTrail, "a", at(0)), true, "a copy"},
		{ev(event.BedrockInvocation, "a", at(0)), false, "the same id from another log"},
		{ev(event.CloudTrail, "a", at(0).Add(time.Second)), false, "the same id at another time: not a copy"},
		{ev(event.CloudTrail, "", at(0)), false, "no id"},
		{ev(event.CloudTrail, "", at(0)), false, "no id, again"},
		{ev(event.CloudTrail, "b", at(1)), false, "another record"},
		{ev(event.CloudTrail, "c", at(5)), false, "moves the latest past a's horizon"},
		{ev(event.CloudTrail, "a", at(0)), false, "older than the horizon: unchecked"},
		{ev(event.CloudTrail, "c", at(5)), true, "a copy within the horizon"},
	}
	for i, s := range steps {
		if got := d.repeated(s.ev); got != s.want {
			t.Errorf("step %d (%s): repeated = %v, want %v", i, s.why, got, s.want)
		}
	}
	if got := d.Dropped(); got != 2 {
		t.Errorf("Dropped = %d, want 2", got)
	}
	if len(d.buckets) > 3 {
		t.Errorf("%d hour buckets held with a 2h horizon", len(d.buckets))
	}
	off := newDedup(-1)
	for range 2 {
		if off.repeated(ev(event.CloudTrail, "a", at(0))) {
			t.Error("a negative horizon still dropped a copy")
		}
	}
}

// The same CloudTrail file delivered twice (S3 re-delivery, overlapping
// exports) counts each request once: the alert is the one the file raises
// alone, and the copies are reported.
func TestHuntDropsDuplicateDeliveries(t *testing.T) {
	var lines []string
	for i := 0; i < 10; i++ {
		lines = append(lines, listFailure(base.Add(time.Duration(i)*time.Minute), "mallory", "203.0.113.9"))
	}
	dir := t.TempDir()
	text := strings.Join(lines, "\n") + "\n"
	for _, name := range []string{"a.json", "copy-of-a.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hunt := func(paths []string, opt HuntOptions) *Report {
		rep, err := Hunt(context.Background(), builtinRules(t), paths, opt)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	one := hunt([]string{filepath.Join(dir, "a.json")}, HuntOptions{})
	both := hunt([]string{dir}, HuntOptions{})
	want, got := alertsOf(one.Alerts, splunkSeedID), alertsOf(both.Alerts, splunkSeedID)
	if len(want) != 1 || len(got) != 1 {
		t.Fatalf("alerts: %d from one copy, %d from two; want 1 each", len(want), len(got))
	}
	if w, g := want[0].Row.Get("count").String(), got[0].Row.Get("count").String(); w != g || w != "10" {
		t.Errorf("count %s from two copies, %s from one; want 10", g, w)
	}
	if both.Duplicates != 10 || one.Duplicates != 0 {
		t.Errorf("duplicates: %d from two copies, %d from one; want 10 and 0", both.Duplicates, one.Duplicates)
	}
	var sum strings.Builder
	WriteSummary(&sum, both)
	if !strings.Contains(sum.String(), "10 duplicate records dropped") {
		t.Errorf("summary does not report the copies:\n%s", sum.String())
	}
	kept := hunt([]string{dir}, HuntOptions{DedupHorizon: -1})
	if k := alertsOf(kept.Alerts, splunkSeedID); len(k) != 1 || k[0].Row.Get("count").String() != "20" {
		t.Errorf("with dedup off, want the copies counted (count 20): %v", k)
	}
}

func TestDedupSnapshot(t *testing.T) {
	d := newDedup(0)
	evs := []*event.Event{
		{LogType: event.CloudTrail, ID: "a", Time: base},
		{LogType: event.BedrockInvocation, ID: "b", Time: base.Add(2 * time.Hour)},
	}
	for _, ev := range evs {
		d.repeated(ev)
	}
	back := newDedup(0)
	if err := back.restore(d.snapshot()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if !back.repeated(ev) {
			t.Errorf("%s not recognised after a restore", ev.ID)
		}
	}
	if back.repeated(&event.Event{LogType: event.CloudTrail, ID: "c", Time: base}) {
		t.Error("an id never seen was taken for a copy")
	}
	if err := newDedup(0).restore([]byte{1, 2, 3}); err == nil {
		t.Error("a damaged snapshot restored without error")
	}
}

// A copy delivered after a restart is still recognised: the ids read
// are checkpointed with the rest of the state.
func TestLiveRecognisesCopiesAcrossARestart(t *testing.T) {
	st := openTestStore(t)
	var three []string
	for i := 0; i < 3; i++ {
		three = append(three, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	ctx := context.Background()
	first := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far})
	first.process(ctx, item{in: chunk("a.json", three...)})
	if err := first.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	second := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far})
	if err := second.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	second.process(ctx, item{in: chunk("a-again.json", three...)})
	second.process(ctx, item{in: chunk("later.json", denial(base.Add(3*time.Hour), "other", "m2"))})
	stored, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := alertsOf(stored, esqlSeedID(t)); len(got) != 0 || second.dedup.Dropped() != 3 {
		t.Errorf("after a restart the copies raised %d seed alerts and %d were dropped; want 0 and 3", len(got), second.dedup.Dropped())
	}
}

// The hash is FNV-1a as hash/fnv computes it, so checkpoints stay
// readable, and hashing a record's id allocates nothing.
func TestDedupKey(t *testing.T) {
	ev := &event.Event{LogType: event.CloudTrail, ID: "3a1b-ff", Time: base}
	h := fnv.New64a()
	var b [9]byte
	b[0] = byte(ev.LogType)
	binary.LittleEndian.PutUint64(b[1:], uint64(base.UnixNano()))
	h.Write(b[:])
	h.Write([]byte(ev.ID))
	d := newDedup(0)
	if got, _ := d.key(ev); got != h.Sum64() {
		t.Errorf("key %x, FNV-1a %x", got, h.Sum64())
	}
	if n := testing.AllocsPerRun(100, func() { d.key(ev) }); n != 0 {
		t.Errorf("key allocates %v times", n)
	}
}
