package exec

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// LookupTable is a lookup table as the lookup operators read it.
type LookupTable interface {
	// Columns lists the table's columns.
	Columns() []string
	// Rows returns the table's rows, a cell per column; read only.
	Rows() [][]string
	// Matcher returns a function that looks up the values of the columns
	// in (by position) and fills dst[i] with the cells of column out[i]
	// of the matching rows, reporting whether any row matched. What dst
	// holds is valid until the next call.
	Matcher(in, out []string) (func(vals []string, dst [][]string) bool, error)
}

// Lookups resolves a lookup table's name. The error says why a name does
// not resolve; a rule naming such a table loads with a warning and its
// lookups output nothing.
type Lookups func(name string) (LookupTable, error)

// GeoLocation is the location of an IP address.
type GeoLocation struct {
	City, Country, Region, Continent, Timezone string
	MetroCode                                  int64
	Lat, Lon                                   float64
	HasCoords, HasMetro                        bool
}

// GeoIP locates an IP address, with names in the language asked for; it
// reports false for an address its database does not hold.
type GeoIP func(ip netip.Addr, lang string) (GeoLocation, bool)

// resources are what the plan names outside the events: lookup tables
// and the GeoIP database, with the warnings about those missing.
type resources struct {
	opt      Options
	warnings []string
	subs     *subPrograms
}

func (rs *resources) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	for _, x := range rs.warnings {
		if x == w {
			return
		}
	}
	rs.warnings = append(rs.warnings, w)
}

// table resolves a lookup table, warning when it cannot.
func (rs *resources) table(name string) LookupTable {
	if rs.opt.Lookups == nil {
		rs.warn("lookup %s: no lookup directory is configured (--lookups DIR), so its outputs are null", name)
		return nil
	}
	t, err := rs.opt.Lookups(name)
	if err != nil || t == nil {
		if err == nil {
			err = errors.New("not found")
		}
		rs.warn("lookup %s: %v; its outputs are null", name, err)
		return nil
	}
	return t
}

// lookupOp is SPL's lookup: a row's match fields looked up in a table,
// the matching rows' output columns set on the row.
type lookupOp struct {
	in []int
	// prev are the slots the outputs held before (an event's own field,
	// in the stream); out the slots they are written to.
	prev, out []int
	outNew    bool
	match     func(vals []string, dst [][]string) bool // nil: no table
	scratch   sync.Pool
}

type lookupScratch struct {
	vals  []string
	dst   [][]string
	acc   [][]string
	multi [][]event.Value
}

// maxLookupCombos caps the lookups one row with multi-valued match fields
// makes (one per combination of values).
const maxLookupCombos = 1000

func (l *lookupOp) apply(_ *scalar.Context, r mrow) bool {
	if l.match == nil {
		l.write(r, nil)
		return true
	}
	s, _ := l.scratch.Get().(*lookupScratch)
	if s == nil {
		s = &lookupScratch{vals: make([]string, len(l.in)), dst: make([][]string, len(l.out)),
			acc: make([][]string, len(l.out)), multi: make([][]event.Value, len(l.in))}
	}
	defer l.scratch.Put(s)
	combos := 1
	for i, slot := range l.in {
		v := r.Get(slot)
		if v.IsNull() {
			// A row without a match field is not looked up.
			l.carry(r)
			return true
		}
		s.multi[i] = v.Values()
		combos *= len(s.multi[i])
	}
	for i := range s.acc {
		s.acc[i] = s.acc[i][:0]
	}
	for c := 0; c < combos && c < maxLookupCombos; c++ {
		k := c
		for i := range l.in {
			vs := s.multi[i]
			s.vals[i] = scalar.SPLText(vs[k%len(vs)])
			k /= len(vs)
		}
		if l.match(s.vals, s.dst) {
			for i, d := range s.dst {
				s.acc[i] = append(s.acc[i], d...)
			}
		}
	}
	l.write(r, s.acc)
	return true
}

// carry keeps the outputs' previous values where the stream gave them new
// slots.
func (l *lookupOp) carry(r mrow) {
	for i, slot := range l.out {
		if l.prev[i] != slot {
			r.set(slot, r.Get(l.prev[i]))
		}
	}
}

// write sets the outputs from the matched cells (acc nil: none).
func (l *lookupOp) write(r mrow, acc [][]string) {
	for i, slot := range l.out {
		old := r.Get(l.prev[i])
		if l.outNew && !old.IsNull() {
			if l.prev[i] != slot {
				r.set(slot, old)
			}
			continue
		}
		var cells []string
		if acc != nil {
			cells = acc[i]
		}
		switch len(cells) {
		case 0:
			r.set(slot, event.Value{})
		case 1:
			r.set(slot, event.StringValue(cells[0]))
		default:
			r.set(slot, event.StringsValue(append([]string(nil), cells...)))
		}
	}
}

// compileLookup compiles a lookup against sc. Outputs of a table that
// cannot be read are null (OUTPUTNEW: left alone).
func compileLookup(t *plan.Lookup, sc resolver, rs *resources) (rowOp, error) {
	tab := rs.table(t.Table)
	op := &lookupOp{outNew: t.OutputNew}
	var inCols []string
	for _, m := range t.Match {
		inCols = append(inCols, m.Column)
		op.in = append(op.in, sc.resolve(m.Field))
	}
	outs := t.Output
	if len(outs) == 0 && tab != nil {
		for _, c := range tab.Columns() {
			isMatch := false
			for _, m := range t.Match {
				isMatch = isMatch || m.Column == c
			}
			if !isMatch {
				outs = append(outs, plan.LookupField{Column: c, Field: c})
			}
		}
	}
	var outCols []string
	for _, o := range outs {
		outCols = append(outCols, o.Column)
		op.prev = append(op.prev, sc.resolve(o.Field))
		op.out = append(op.out, sc.define(o.Field))
	}
	if tab != nil {
		m, err := tab.Matcher(inCols, outCols)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", t.Table, err)
		}
		op.match = m
	}
	return op, nil
}

// lookupOutputs lists the fields a lookup sets, for the column lists of
// the tail.
func lookupOutputs(t *plan.Lookup, rs *resources) []string {
	var out []string
	for _, o := range t.Output {
		out = append(out, o.Field)
	}
	if len(t.Output) == 0 && rs.opt.Lookups != nil {
		if tab, err := rs.opt.Lookups(t.Table); err == nil && tab != nil {
			for _, c := range tab.Columns() {
				isMatch := false
				for _, m := range t.Match {
					isMatch = isMatch || m.Column == c
				}
				if !isMatch {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// The fields iplocation sets, in Splunk's names; the last three only with
// allfields=true.
var ipLocationFields = []string{"City", "Country", "Region", "lat", "lon", "Continent", "MetroCode", "Timezone"}

func ipLocationNames(t *plan.IPLocation) []string {
	n := 5
	if t.AllFields {
		n = len(ipLocationFields)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = t.Prefix + ipLocationFields[i]
	}
	return out
}

// ipLocationOp is SPL's iplocation.
type ipLocationOp struct {
	src    int
	prev   []int
	out    []int
	locate GeoIP
	lang   string
}

func compileIPLocation(t *plan.IPLocation, sc resolver, rs *resources) rowOp {
	op := &ipLocationOp{src: sc.resolve(t.Field), locate: rs.opt.GeoIP, lang: t.Lang}
	if op.locate == nil {
		rs.warn("iplocation: no GeoIP database is configured (--geoip FILE), so City, Country, Region, lat and lon stay unset")
	}
	for _, name := range ipLocationNames(t) {
		op.prev = append(op.prev, sc.resolve(name))
		op.out = append(op.out, sc.define(name))
	}
	return op
}

func (op *ipLocationOp) apply(_ *scalar.Context, r mrow) bool {
	loc, ok := op.find(r.Get(op.src))
	if !ok {
		// An address with no location adds no fields.
		for i, slot := range op.out {
			if op.prev[i] != slot {
				r.set(slot, r.Get(op.prev[i]))
			}
		}
		return true
	}
	for i, slot := range op.out {
		var v event.Value
		switch i {
		case 0:
			v = event.StringValue(loc.City)
		case 1:
			v = event.StringValue(loc.Country)
		case 2:
			v = event.StringValue(loc.Region)
		case 3, 4:
			v = event.StringValue("")
			if loc.HasCoords {
				v = event.DoubleValue(loc.Lat)
				if i == 4 {
					v = event.DoubleValue(loc.Lon)
				}
			}
		case 5:
			v = event.StringValue(loc.Continent)
		case 6:
			v = event.StringValue("")
			if loc.HasMetro {
				v = event.LongValue(loc.MetroCode)
			}
		case 7:
			v = event.StringValue(loc.Timezone)
		}
		r.set(slot, v)
	}
	return true
}

// find locates the first value of v that reads as an address (or a
// network, by its address).
func (op *ipLocationOp) find(v event.Value) (GeoLocation, bool) {
	if op.locate == nil || v.IsNull() {
		return GeoLocation{}, false
	}
	for _, e := range v.Values() {
		if a, ok := e.Addr(); ok {
			return op.locate(a, op.lang)
		}
		s, ok := e.Str()
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		if i := strings.IndexByte(s, '/'); i >= 0 {
			s = s[:i]
		}
		if a, err := netip.ParseAddr(s); err == nil {
			return op.locate(a, op.lang)
		}
	}
	return GeoLocation{}, false
}
