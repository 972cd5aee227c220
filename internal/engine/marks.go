package engine

import (
	"sort"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// DefaultStreamIdle is how long an input stream may deliver nothing and
// still hold back the rules that read its log types, when LiveOptions leave
// it zero.
const DefaultStreamIdle = 5 * time.Minute

// streamMarks keeps, for each input stream (a watched directory, an S3
// prefix, an ingest client) and each log type it delivers, the latest event
// time seen. A rule's windows are complete up to the earliest of these
// marks among the streams of its log types, not up to the latest record of
// any kind: a day of invocation logs ingested before the same day's
// CloudTrail must not make that CloudTrail late. A stream that has
// delivered nothing for the idle time stops holding rules back, so that
// one finished or broken stream does not stall the rest.
type streamMarks struct {
	idle  time.Duration
	marks map[markKey]*mark
}

type markKey struct {
	stream string
	lt     event.LogType
}

type mark struct {
	max  time.Time // latest event time delivered
	seen time.Time // wall time of the last delivery
}

func newStreamMarks(idle time.Duration) *streamMarks {
	if idle <= 0 {
		idle = DefaultStreamIdle
	}
	return &streamMarks{idle: idle, marks: map[markKey]*mark{}}
}

// expect registers a stream that will deliver, before it has: until it
// delivers, or stays quiet for the idle time after now, it holds back every
// rule, as a stream that has delivered nothing since the start of time.
func (m *streamMarks) expect(stream string, now time.Time) {
	for _, lt := range event.LogTypes {
		k := markKey{stream, lt}
		if m.marks[k] == nil {
			m.marks[k] = &mark{seen: now}
		}
	}
}

// quiet lets stream hold no rule back until it delivers again.
func (m *streamMarks) quiet(stream string) {
	for k, mk := range m.marks {
		if k.stream == stream {
			mk.seen = time.Time{}
		}
	}
}

// see records an event of lt from stream at event time t, delivered at
// wall time now.
func (m *streamMarks) see(stream string, lt event.LogType, t, now time.Time) {
	k := markKey{stream, lt}
	mk := m.marks[k]
	if mk == nil {
		mk = &mark{}
		m.marks[k] = mk
	}
	if t.After(mk.max) {
		mk.max = t
	}
	mk.seen = now
}

// complete returns the event time up to which the input of the log types
// that reads says are read is complete, as far as the streams tell: the
// earliest mark among the streams that delivered them within the idle
// time, or, when all of those are idle, the latest mark of all. It is zero
// when no stream delivered those log types yet, or an expected one has not.
func (m *streamMarks) complete(reads func(event.LogType) bool, now time.Time) time.Time {
	var earliest, latest time.Time
	held := false // an active stream holds the rules back to earliest
	for k, mk := range m.marks {
		if !reads(k.lt) {
			continue
		}
		if mk.max.After(latest) {
			latest = mk.max
		}
		if now.Sub(mk.seen) < m.idle && (!held || mk.max.Before(earliest)) {
			earliest, held = mk.max, true
		}
	}
	if !held {
		return latest
	}
	return earliest
}

// latest returns the latest event time of any stream.
func (m *streamMarks) latest() time.Time {
	var t time.Time
	for _, mk := range m.marks {
		if mk.max.After(t) {
			t = mk.max
		}
	}
	return t
}

// laggard names the stream and log type that holds complete back, for
// messages about late events: "" when none does.
func (m *streamMarks) laggard(reads func(event.LogType) bool, now time.Time) string {
	c := m.complete(reads, now)
	for k, mk := range m.marks {
		if reads(k.lt) && mk.max.Equal(c) && now.Sub(mk.seen) < m.idle {
			return k.lt.String() + " from " + k.stream
		}
	}
	return ""
}

// save returns the marks for a checkpoint, keyed "logtype stream" (the log type's
// String, a space, the stream).
func (m *streamMarks) save() map[string]time.Time {
	out := make(map[string]time.Time, len(m.marks))
	for k, mk := range m.marks {
		out[k.lt.String()+" "+k.stream] = mk.max
	}
	return out
}

// restore takes marks saved by save; they count as delivered at now, so
// each stream holds rules back for one idle time after a restart unless
// it delivers again.
func (m *streamMarks) restore(saved map[string]time.Time, now time.Time) {
	keys := make([]string, 0, len(saved))
	for k := range saved {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, stream, _ := strings.Cut(k, " ")
		for _, lt := range event.LogTypes {
			if lt.String() == name {
				m.see(stream, lt, saved[k], now)
			}
		}
	}
}
