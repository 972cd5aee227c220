package exec

import (
	"errors"
	"fmt"
	"sort"

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
		if d.Uvarint() == 1 {
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
	if d.Err() != nil {
		return d.Err()
	}
	in.panes = panes
	in.win, in.changed = nil, nil
	return nil
}

// enc and dec add the encoding of provenance to aggregate's, which the
// states themselves use.
type enc struct{ aggregate.Encoder }

type dec struct{ *aggregate.Decoder }

func (e *enc) meta(m *meta) {
	if m == nil {
		m = &meta{}
	}
	e.Varint(m.count)
	e.Varint(m.first)
	e.Varint(m.last)
	e.Uvarint(uint64(len(m.evidence)))
	for _, r := range m.evidence {
		ev := r.evidence()
		e.Str(ev.Origin.File)
		e.Varint(int64(ev.Origin.Line))
		e.Varint(ev.Origin.Offset)
		e.Str(ev.ID)
		e.Varint(ev.Time)
	}
}

func (d *dec) meta() *meta {
	m := &meta{count: d.Varint(), first: d.Varint(), last: d.Varint()}
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		var ev Evidence
		ev.Origin.File = d.Str()
		ev.Origin.Line = int(d.Varint())
		ev.Origin.Offset = d.Varint()
		ev.ID = d.Str()
		ev.Time = d.Varint()
		m.evidence = append(m.evidence, newEvRef(ev.Origin, ev.ID, ev.Time))
	}
	return m
}
