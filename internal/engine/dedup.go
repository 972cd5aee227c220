package engine

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// DefaultDedupHorizon is how far behind the latest record read a record's
// id is still remembered, when the options leave it zero. S3 re-delivers
// within hours and overlapping exports repeat a day or so.
const DefaultDedupHorizon = 24 * time.Hour

// dedup recognises a record delivered more than once, by its source's own
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
	seed    maphash.Seed

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
	return &dedup{horizon: int64(horizon), seed: maphash.MakeSeed(), buckets: map[int64]map[uint64]struct{}{}}
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

// key is ev's hash and hour bucket.
func (d *dedup) key(ev *event.Event) (uint64, int64) {
	t := ev.Time.UnixNano()
	var h maphash.Hash
	h.SetSeed(d.seed)
	h.WriteByte(byte(ev.Source))
	h.WriteString(ev.ID)
	var tb [8]byte
	binary.LittleEndian.PutUint64(tb[:], uint64(t))
	h.Write(tb[:])
	return h.Sum64(), t / int64(time.Hour)
}

// Dropped returns how many repeats were recognised.
func (d *dedup) Dropped() int64 {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}
