package exec

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tripline/tripline/internal/aggregate"
)

// Snapshot encodes the instance's state (its panes) so that a restarted
// process can carry on where it stopped. The encoding is private to this
// package and versioned.
func (in *Instance) Snapshot() []byte {
	e := &enc{}
	e.Uvarint(snapshotVersion)
	e.Varint(in.paneWidth)
	idx := in.sortedPanes()
	sc := in.p.tail.scope
	e.Uvarint(uint64(len(idx)))
	for _, i := range idx {
		pn := in.panes[i]
		e.Varint(i)
		if in.p.seq != nil {
			e.Uvarint(2)
			e.seqRecs(pn.seq)
			continue
		}
		if pn.tab != nil {
			e.Uvarint(1)
			e.Uvarint(uint64(len(pn.tab.order)))
			for _, g := range pn.tab.order {
				e.Values(g.keys)
				for _, a := range g.aggs {
					a.Encode(&e.Encoder)
				}
				e.meta(&g.meta)
			}
		} else {
			e.Uvarint(0)
			e.Uvarint(uint64(len(pn.rows)))
			for _, r := range pn.rows {
				names := r.names(sc)
				sort.Strings(names)
				e.Uvarint(uint64(len(names)))
				for _, k := range names {
					v, _ := r.getName(sc, k)
					e.Str(k)
					e.Value(v)
				}
				e.meta(r.meta)
			}
		}
	}
	// The subsearches' state follows, each a snapshot of its own; a
	// snapshot without it (written before it was kept) restores them
	// empty.
	e.Uvarint(uint64(len(in.subs)))
	for _, s := range in.subs {
		e.Str(string(s.Snapshot()))
	}
	// Then, for a sequence with a trailing missing step, the sequences
	// waiting for its deadline.
	if in.p.seq != nil && in.p.seq.trail != 0 {
		e.pending(in.pending)
	}
	return e.Bytes()
}

// snapshotVersion is the version a snapshot is written in. The panes are
// framed as in version 1; the version moves with the states' encoding,
// and Restore reads every version up to it.
const snapshotVersion = aggregate.EncodingVersion

// Restore replaces the instance's state by a snapshot taken from an
// instance of the same program and pane width.
func (in *Instance) Restore(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt snapshot: %v", r)
		}
	}()
	d := dec{aggregate.NewDecoder(data)}
	v := d.Uvarint()
	if v < 1 || v > snapshotVersion {
		return fmt.Errorf("snapshot version %d, want 1 to %d", v, snapshotVersion)
	}
	d.SetVersion(v)
	if w := d.Varint(); w != in.paneWidth {
		return fmt.Errorf("snapshot pane width %d, want %d (the rule's schedule changed)", w, in.paneWidth)
	}
	panes := map[int64]*pane{}
	for n := d.Uvarint(); n > 0 && d.Err() == nil; n-- {
		idx := d.Varint()
		pn := &pane{}
		kind := d.Uvarint()
		if (kind == 2) != (in.p.seq != nil) {
			return errors.New("snapshot sequence state does not match the program")
		}
		if kind == 2 {
			pn.seq = d.seqRecs()
		} else if kind == 1 {
			if in.p.stats == nil {
				return errors.New("snapshot has aggregate state but the program does not aggregate")
			}
			pn.tab = newGroupTable()
			s := in.p.stats
			for g := d.Uvarint(); g > 0 && d.Err() == nil; g-- {
				grp := &group{keys: d.Values()}
				if len(grp.keys) != len(s.keys) {
					return errors.New("snapshot group keys do not match the program")
				}
				for j := range s.aggFns {
					a := s.newAgg(j)
					a.Decode(d.Decoder)
					grp.aggs = append(grp.aggs, a)
				}
				grp.meta = *d.meta()
				var key []byte
				for _, v := range grp.keys {
					key = v.Key(key)
				}
				grp.key = string(key)
				pn.tab.insert(grp)
			}
		} else {
			for r := d.Uvarint(); r > 0 && d.Err() == nil; r-- {
				row := newTRow(in.p.tail.width, nil)
				for c := d.Uvarint(); c > 0 && d.Err() == nil; c-- {
					k := d.Str()
					row.putName(in.p.tail.scope, k, d.Value())
				}
				row.meta = d.meta()
				pn.rows = append(pn.rows, row)
			}
		}
		panes[idx] = pn
	}
	var subs [][]byte
	if d.More() {
		n := d.Count()
		if int(n) != len(in.subs) {
			return fmt.Errorf("snapshot has %d subsearches, the program %d", n, len(in.subs))
		}
		for i := 0; i < int(n) && d.Err() == nil; i++ {
			subs = append(subs, []byte(d.Str()))
		}
	}
	// Only a sequence with a trailing missing step keeps pending
	// sequences, and no snapshot of one predates them or the subsearch
	// count before them.
	var pending []*pendingSeq
	if in.p.seq != nil && in.p.seq.trail != 0 {
		pending = d.pending()
	}
	if d.Err() != nil {
		return d.Err()
	}
	fresh := in.p.newSubInstances(time.Duration(in.paneWidth))
	for i, b := range subs {
		if err := fresh[i].Restore(b); err != nil {
			return fmt.Errorf("subsearch %d: %w", i+1, err)
		}
	}
	in.subs = fresh
	in.panes, in.pending = panes, pending
	for _, pn := range panes {
		for _, r := range pn.seq {
			in.arrival = max(in.arrival, r.arrival)
		}
	}
	for _, ps := range pending {
		for _, r := range ps.recs {
			in.arrival = max(in.arrival, r.arrival)
		}
	}
	in.win, in.changed = nil, nil
	return nil
}

// enc and dec add the encoding of provenance to aggregate's, which the
// states themselves use.
type enc struct{ aggregate.Encoder }

type dec struct{ *aggregate.Decoder }

// seqRecs encodes a sequence's records in order.
func (e *enc) seqRecs(rs []*seqRec) {
	e.Uvarint(uint64(len(rs)))
	for _, r := range rs {
		e.Varint(r.t)
		e.Varint(r.arrival)
		e.evRef(r.ref)
		e.Uvarint(r.steps)
		e.Uvarint(uint64(len(r.keys)))
		for _, k := range r.keys {
			e.Str(k)
		}
		e.Bool(r.until)
		e.Str(r.ukey)
		e.Values(r.by)
	}
}

func (d *dec) seqRecs() []*seqRec {
	var rs []*seqRec
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		r := &seqRec{t: d.Varint(), arrival: d.Varint(), ref: d.evRef(), steps: d.Uvarint()}
		for k := d.Count(); k > 0 && d.Err() == nil; k-- {
			r.keys = append(r.keys, d.Str())
		}
		if len(r.keys) != popcount(r.steps) {
			d.Fail()
		}
		r.until = d.Bool()
		r.ukey = d.Str()
		r.by = d.Values()
		if len(r.by) == 0 {
			r.by = nil
		}
		rs = append(rs, r)
	}
	return rs
}

// pending encodes the sequences waiting for a trailing missing step.
func (e *enc) pending(ps []*pendingSeq) {
	e.Uvarint(uint64(len(ps)))
	for _, p := range ps {
		e.seqRecs(p.recs)
		for _, idx := range p.panes {
			e.Varint(idx)
		}
		e.Str(p.key)
		e.Varint(p.last)
		e.Varint(p.deadline)
	}
}

func (d *dec) pending() []*pendingSeq {
	var out []*pendingSeq
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		p := &pendingSeq{recs: d.seqRecs()}
		for range p.recs {
			p.panes = append(p.panes, d.Varint())
		}
		p.key = d.Str()
		p.last = d.Varint()
		p.deadline = d.Varint()
		if len(p.recs) == 0 {
			d.Fail()
		}
		out = append(out, p)
	}
	return out
}

func (e *enc) evRef(r evRef) {
	ev := r.evidence()
	e.Str(ev.Origin.File)
	e.Varint(int64(ev.Origin.Line))
	e.Varint(ev.Origin.Offset)
	e.Str(ev.ID)
	e.Varint(ev.Time)
}

func (d *dec) evRef() evRef {
	var ev Evidence
	ev.Origin.File = d.Str()
	ev.Origin.Line = int(d.Varint())
	ev.Origin.Offset = d.Varint()
	ev.ID = d.Str()
	ev.Time = d.Varint()
	return newEvRef(ev.Origin, ev.ID, ev.Time)
}

func (e *enc) meta(m *meta) {
	if m == nil {
		m = &meta{}
	}
	e.Varint(m.count)
	e.Varint(m.first)
	e.Varint(m.last)
	e.Uvarint(uint64(len(m.evidence)))
	for _, r := range m.evidence {
		e.evRef(r)
	}
}

func (d *dec) meta() *meta {
	m := &meta{count: d.Varint(), first: d.Varint(), last: d.Varint()}
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		m.evidence = append(m.evidence, d.evRef())
	}
	return m
}
