package exec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/tripline/tripline/internal/event"
)

// Snapshot encodes the instance's state (its panes) so that a restarted
// process can carry on where it stopped. The encoding is private to this
// package and versioned.
func (in *Instance) Snapshot() []byte {
	e := &enc{}
	e.uvarint(snapshotVersion)
	e.varint(in.paneWidth)
	idx := in.sortedPanes()
	sc := in.p.tail.scope
	e.uvarint(uint64(len(idx)))
	for _, i := range idx {
		pn := in.panes[i]
		e.varint(i)
		if pn.tab != nil {
			e.uvarint(1)
			e.uvarint(uint64(len(pn.tab.order)))
			for _, g := range pn.tab.order {
				e.values(g.keys)
				for _, a := range g.aggs {
					encodeAgg(e, a)
				}
				e.meta(&g.meta)
			}
		} else {
			e.uvarint(0)
			e.uvarint(uint64(len(pn.rows)))
			for _, r := range pn.rows {
				names := r.names(sc)
				sort.Strings(names)
				e.uvarint(uint64(len(names)))
				for _, k := range names {
					v, _ := r.getName(sc, k)
					e.str(k)
					e.value(v)
				}
				e.meta(r.meta)
			}
		}
	}
	return e.b
}

const snapshotVersion = 1

// Restore replaces the instance's state by a snapshot taken from an
// instance of the same program and pane width.
func (in *Instance) Restore(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt snapshot: %v", r)
		}
	}()
	d := &dec{b: data}
	if v := d.uvarint(); v != snapshotVersion {
		return fmt.Errorf("snapshot version %d, want %d", v, snapshotVersion)
	}
	if w := d.varint(); w != in.paneWidth {
		return fmt.Errorf("snapshot pane width %d, want %d (the rule's schedule changed)", w, in.paneWidth)
	}
	panes := map[int64]*pane{}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		idx := d.varint()
		pn := &pane{}
		if d.uvarint() == 1 {
			if in.p.stats == nil {
				return errors.New("snapshot has aggregate state but the program does not aggregate")
			}
			pn.tab = newGroupTable()
			s := in.p.stats
			for g := d.uvarint(); g > 0 && d.err == nil; g-- {
				grp := &group{keys: d.values()}
				if len(grp.keys) != len(s.keys) {
					return errors.New("snapshot group keys do not match the program")
				}
				for j, fn := range s.aggFns {
					a := newAggState(s.d, fn, s.aggArgs[j] == nil, s.aggParam[j])
					decodeAgg(d, a)
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
			for r := d.uvarint(); r > 0 && d.err == nil; r-- {
				row := newTRow(in.p.tail.width, nil)
				for c := d.uvarint(); c > 0 && d.err == nil; c-- {
					k := d.str()
					row.putName(in.p.tail.scope, k, d.value())
				}
				row.meta = d.meta()
				pn.rows = append(pn.rows, row)
			}
		}
		panes[idx] = pn
	}
	if d.err != nil {
		return d.err
	}
	in.panes = panes
	in.win, in.changed = nil, nil
	return nil
}

// encodeAgg writes an aggregate state; decodeAgg reads it into a fresh
// state of the same function.
func encodeAgg(e *enc, a aggState) {
	switch s := a.(type) {
	case *countRows:
		e.varint(s.n)
	case *countValues:
		e.varint(s.n)
	case *distinct:
		keys := make([]string, 0, len(s.seen.items))
		for _, it := range s.seen.items {
			keys = append(keys, it.key)
		}
		sort.Strings(keys)
		e.uvarint(uint64(len(keys)))
		for _, k := range keys {
			e.str(k)
		}
	case *extreme:
		e.bool(s.have)
		e.value(s.v)
	case *sum:
		e.float(s.f)
		e.varint(s.i)
		e.varint(s.n)
		e.bool(s.isDouble)
	case *quantile:
		e.uvarint(uint64(len(s.xs)))
		for _, x := range s.xs {
			e.float(x)
		}
	case *valueSet:
		e.values(s.vals)
	case *list:
		e.values(s.vals)
	case *byTime:
		e.bool(s.have)
		e.value(s.v)
		e.varint(s.t)
	case *rangeAgg:
		encodeAgg(e, &s.lo)
		encodeAgg(e, &s.hi)
	case *stdev:
		e.float(s.n)
		e.float(s.s)
		e.float(s.ss)
	default:
		panic(fmt.Sprintf("BUG: no snapshot encoding for %T", a))
	}
}

func decodeAgg(d *dec, a aggState) {
	switch s := a.(type) {
	case *countRows:
		s.n = d.varint()
	case *countValues:
		s.n = d.varint()
	case *distinct:
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			d.fail()
			return
		}
		for ; n > 0 && d.err == nil; n-- {
			s.seen.put(d.str(), 1)
		}
	case *extreme:
		s.have = d.bool()
		s.v = d.value()
	case *sum:
		s.f, s.i, s.n, s.isDouble = d.float(), d.varint(), d.varint(), d.bool()
	case *quantile:
		for n := d.uvarint(); n > 0 && d.err == nil; n-- {
			s.xs = append(s.xs, d.float())
		}
	case *valueSet:
		for _, v := range d.values() {
			s.put(string(v.Key(nil)), v, 1, false)
		}
	case *list:
		s.vals = d.values()
	case *byTime:
		s.have, s.v, s.t = d.bool(), d.value(), d.varint()
	case *rangeAgg:
		s.lo.spl, s.hi.spl, s.hi.max = true, true, true
		decodeAgg(d, &s.lo)
		decodeAgg(d, &s.hi)
	case *stdev:
		s.n, s.s, s.ss = d.float(), d.float(), d.float()
	default:
		panic(fmt.Sprintf("BUG: no snapshot decoding for %T", a))
	}
}

type enc struct{ b []byte }

func (e *enc) uvarint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *enc) varint(n int64)   { e.b = binary.AppendVarint(e.b, n) }
func (e *enc) float(f float64)  { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f)) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) value(v event.Value) {
	e.b = v.AppendBinary(e.b)
}
func (e *enc) bool(b bool) {
	if b {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *enc) values(vs []event.Value) {
	e.uvarint(uint64(len(vs)))
	for _, v := range vs {
		e.value(v)
	}
}
func (e *enc) meta(m *meta) {
	if m == nil {
		m = &meta{}
	}
	e.varint(m.count)
	e.varint(m.first)
	e.varint(m.last)
	e.uvarint(uint64(len(m.evidence)))
	for _, r := range m.evidence {
		ev := r.evidence()
		e.str(ev.Origin.File)
		e.varint(int64(ev.Origin.Line))
		e.varint(ev.Origin.Offset)
		e.str(ev.ID)
		e.varint(ev.Time)
	}
}

// dec reads what enc wrote; the first error sticks and later reads return
// zero values (callers check err once at the end).
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errors.New("truncated snapshot")
	}
	d.b = nil
}
func (d *dec) uvarint() uint64 {
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}
func (d *dec) varint() int64 {
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}
func (d *dec) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}
func (d *dec) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
func (d *dec) bool() bool {
	if len(d.b) < 1 {
		d.fail()
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}
func (d *dec) value() event.Value {
	v, rest, err := event.ReadBinary(d.b)
	if err != nil {
		d.fail()
		return event.Value{}
	}
	d.b = rest
	return v
}
func (d *dec) values() []event.Value {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	out := make([]event.Value, 0, n)
	for ; n > 0 && d.err == nil; n-- {
		out = append(out, d.value())
	}
	return out
}
func (d *dec) meta() *meta {
	m := &meta{count: d.varint(), first: d.varint(), last: d.varint()}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return m
	}
	for ; n > 0 && d.err == nil; n-- {
		var ev Evidence
		ev.Origin.File = d.str()
		ev.Origin.Line = int(d.varint())
		ev.Origin.Offset = d.varint()
		ev.ID = d.str()
		ev.Time = d.varint()
		m.evidence = append(m.evidence, newEvRef(ev.Origin, ev.ID, ev.Time))
	}
	return m
}
