package engine

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// DefaultDedupHorizon is how far behind the latest record read a record's
// id is still remembered, when the options leave it zero. S3 re-delivers
// within hours and overlapping exports repeat a day or so.
const DefaultDedupHorizon = 24 * time.Hour

// dedup recognises a record delivered more than once, by its log's own
// id (CloudTrail eventID, invocation requestId), as Elastic's integrations
// do by fingerprinting the document id: S3 re-delivery and overlapping
// exports would otherwise count one request twice. Ids are remembered in
// hourly buckets by the record's time, so a copy, which has the same time,
// is looked up in one bucket, and buckets older than the horizon behind
// the latest record are dropped: memory holds the horizon's ids, not the
// run's. A record older than that is let through unchecked. It is safe for
// concurrent use.
type dedup struct {
	horizon int64 // Unix nanoseconds

	mu      sync.Mutex
	latest  int64
	swept   int64                         // the hour of latest when old buckets were last dropped
	buckets map[int64]map[uint64]struct{} // by hour since the epoch
	dropped int64
}

func newDedup(horizon time.Duration) *dedup {
	if horizon == 0 {
		horizon = DefaultDedupHorizon
	}
	return &dedup{horizon: int64(horizon), buckets: map[int64]map[uint64]struct{}{}}
}

// repeated reports whether ev's id was seen before within the horizon,
// remembering it if not. Records without an id are never repeats.
func (d *dedup) repeated(ev *event.Event) bool {
	if d == nil || ev.ID == "" || d.horizon < 0 {
		return false
	}
	// A copy has the same time as well as the same id: two records that
	// share only an id (as generated data may) are both kept.
	key, hour := d.key(ev)
	t := ev.Time.UnixNano()

	d.mu.Lock()
	defer d.mu.Unlock()
	if t < d.latest-d.horizon {
		return false
	}
	ids := d.buckets[hour]
	if _, ok := ids[key]; ok {
		d.dropped++
		return true
	}
	if ids == nil {
		ids = map[uint64]struct{}{}
		d.buckets[hour] = ids
	}
	ids[key] = struct{}{}
	if t > d.latest {
		d.latest = t
		if hour == d.swept {
			return false
		}
		d.swept = hour
		for b := range d.buckets {
			if (b+1)*int64(time.Hour) <= d.latest-d.horizon {
				delete(d.buckets, b)
			}
		}
	}
	return false
}

// seen reports whether ev's id was remembered, without remembering it.
func (d *dedup) seen(ev *event.Event) bool {
	if d == nil || ev.ID == "" || d.horizon < 0 {
		return false
	}
	key, hour := d.key(ev)
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.buckets[hour][key]
	return ok
}

// key is ev's hash and hour bucket. The hash is the same in every
// process, so that a checkpoint's ids still match after a restart.
func (d *dedup) key(ev *event.Event) (uint64, int64) {
	t := ev.Time.UnixNano()
	var b [9]byte
	b[0] = byte(ev.LogType)
	binary.LittleEndian.PutUint64(b[1:], uint64(t))
	return fnv1a(fnv1a(fnvOffset, b[:]), ev.ID), t / int64(time.Hour)
}

// fnv1a is the 64-bit FNV-1a hash of s continued from h, written out so
// that hashing each record's id allocates nothing (hash/fnv's hasher and
// a []byte of the id would, on every parsed record).
func fnv1a[T string | []byte](h uint64, s T) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// snapshot encodes the ids remembered, for a checkpoint: per bucket its
// hour, its count and its keys.
func (d *dedup) snapshot() []byte {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := binary.LittleEndian.AppendUint64(nil, uint64(d.latest))
	for hour, ids := range d.buckets {
		out = binary.LittleEndian.AppendUint64(out, uint64(hour))
		out = binary.LittleEndian.AppendUint64(out, uint64(len(ids)))
		for k := range ids {
			out = binary.LittleEndian.AppendUint64(out, k)
		}
	}
	return out
}

// restore takes back what snapshot encoded.
func (d *dedup) restore(b []byte) error {
	if d == nil || len(b) == 0 {
		return nil
	}
	next := func() (uint64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(b)
		b = b[8:]
		return v, true
	}
	latest, ok := next()
	if !ok {
		return errDedupSnapshot
	}
	buckets := map[int64]map[uint64]struct{}{}
	for len(b) > 0 {
		hour, ok1 := next()
		n, ok2 := next()
		if !ok1 || !ok2 || n > uint64(len(b)/8) {
			return errDedupSnapshot
		}
		ids := make(map[uint64]struct{}, n)
		for range n {
			k, _ := next()
			ids[k] = struct{}{}
		}
		buckets[int64(hour)] = ids
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.latest, d.buckets = int64(latest), buckets
	return nil
}

var errDedupSnapshot = errors.New("damaged record of the ids seen")

// Dropped returns how many repeats were recognised.
func (d *dedup) Dropped() int64 {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}
