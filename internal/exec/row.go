package exec

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/schema"
)

// mrow is a row that operators can read and write by slot.
type mrow interface {
	Get(slot int) event.Value
	Raw() []byte
	set(slot int, v event.Value)
}

// streamRow is a row of the stream stage: an event whose fields are read
// lazily, once, through the view's getters, plus computed columns. It is
// reused from event to event: a slot holds a value for the current event
// when its stamp is the row's current one, so starting the next event
// clears nothing.
type streamRow struct {
	ev      *event.Event
	getters []schema.Getter // by slot; nil for computed slots
	vals    []event.Value
	stamp   []uint32
	cur     uint32
}

func (r *streamRow) reset(ev *event.Event, getters []schema.Getter) {
	r.ev = ev
	r.getters = getters
	r.cur++
	if r.cur == 0 { // wrapped: old stamps could look current
		clear(r.stamp)
		clear(r.vals)
		r.cur = 1
	}
}

// Get implements scalar.Row.
func (r *streamRow) Get(slot int) event.Value {
	if r.stamp[slot] == r.cur {
		return r.vals[slot]
	}
	var v event.Value
	if g := r.getters[slot]; g != nil && r.ev != nil {
		v = g(r.ev)
	}
	r.vals[slot], r.stamp[slot] = v, r.cur
	return v
}

// Raw implements scalar.Row.
func (r *streamRow) Raw() []byte {
	if r.ev == nil {
		return nil
	}
	return r.ev.Raw
}

func (r *streamRow) set(slot int, v event.Value) { r.vals[slot], r.stamp[slot] = v, r.cur }

// tRow is a materialized row of the tail stage. Columns whose names the
// tail knows at compile time live in vals, by tail slot; a null value
// there means absent unless pnull marks the slot as present-but-null (a
// fillnull with a null value, a document's JSON null). extra holds the
// other columns of an open event document, by name. meta says which source
// events stand behind the row.
type tRow struct {
	vals  []event.Value
	pnull []bool // nil unless some slot holds a present null
	extra map[string]event.Value
	meta  *meta
	// grp is the window group the row came from, for ordering rows that a
	// sliding window gave the tail out of order; nil otherwise.
	grp *wgroup
}

func newTRow(width int, m *meta) *tRow {
	return &tRow{vals: make([]event.Value, width), meta: m}
}

// has reports whether the row holds a column in slot, null or not.
func (r *tRow) has(slot int) bool {
	return !r.vals[slot].IsNull() || (r.pnull != nil && r.pnull[slot])
}

// put stores v in slot; a null v stays present as a column.
func (r *tRow) put(slot int, v event.Value) {
	r.vals[slot] = v
	if v.IsNull() {
		if r.pnull == nil {
			r.pnull = make([]bool, len(r.vals))
		}
		r.pnull[slot] = true
	} else if r.pnull != nil {
		r.pnull[slot] = false
	}
}

// del removes the column in slot.
func (r *tRow) del(slot int) {
	r.vals[slot] = event.Value{}
	if r.pnull != nil {
		r.pnull[slot] = false
	}
}

// putName stores a column by name: in its slot when the tail knows it.
func (r *tRow) putName(sc *tailScope, name string, v event.Value) {
	if slot, ok := sc.index[name]; ok {
		r.put(slot, v)
		return
	}
	if r.extra == nil {
		r.extra = map[string]event.Value{}
	}
	r.extra[name] = v
}

// getName returns a column by name and whether the row holds it.
func (r *tRow) getName(sc *tailScope, name string) (event.Value, bool) {
	if slot, ok := sc.index[name]; ok {
		return r.vals[slot], r.has(slot)
	}
	v, ok := r.extra[name]
	return v, ok
}

// names lists the columns the row holds, unsorted.
func (r *tRow) names(sc *tailScope) []string {
	out := make([]string, 0, len(r.extra)+8)
	for slot := range r.vals {
		if r.has(slot) {
			out = append(out, sc.names[slot])
		}
	}
	for k := range r.extra {
		out = append(out, k)
	}
	return out
}

// clone copies the row's columns; meta is shared.
func (r *tRow) clone(m *meta) *tRow {
	c := &tRow{vals: append([]event.Value(nil), r.vals...), meta: m, grp: r.grp}
	if r.pnull != nil {
		c.pnull = append([]bool(nil), r.pnull...)
	}
	if r.extra != nil {
		c.extra = make(map[string]event.Value, len(r.extra))
		for k, v := range r.extra {
			c.extra[k] = v
		}
	}
	return c
}

// tableRow adapts a tRow to the slot access of row operators: setting a
// null removes the column.
type tableRow struct{ r *tRow }

func (t tableRow) Get(slot int) event.Value { return t.r.vals[slot] }
func (t tableRow) Raw() []byte              { return nil }
func (t tableRow) set(slot int, v event.Value) {
	if v.IsNull() {
		t.r.del(slot)
		return
	}
	t.r.vals[slot] = v
	if t.r.pnull != nil {
		t.r.pnull[slot] = false
	}
}

// Evidence points at one source event behind a result.
type Evidence struct {
	Origin event.Origin
	ID     string
	Time   int64
}

// maxEvidence is how many source events a result keeps by reference.
const maxEvidence = 10

// evRef is an Evidence as window state keeps it, the latest maxEvidence
// per group and pane while newer panes do not hold as many: an id in the canonical
// UUID form (CloudTrail's eventID, Bedrock's requestId) is held as its 16
// bytes, not as a string of its own.
type evRef struct {
	file   string
	offset int64
	time   int64
	line   int32
	isUUID bool
	uuid   [16]byte
	id     string // when not a UUID
}

func newEvRef(o event.Origin, id string, t int64) evRef {
	r := evRef{file: o.File, offset: o.Offset, time: t, line: int32(o.Line)}
	if u, ok := parseUUID(id); ok {
		r.uuid, r.isUUID = u, true
	} else {
		r.id = id
	}
	if int(r.line) != o.Line {
		r.line = -1 // past 2^31 lines: the offset still locates it
	}
	return r
}

// evidence returns the reference as a result shows it.
func (r evRef) evidence() Evidence {
	e := Evidence{Origin: event.Origin{File: r.file, Line: int(r.line), Offset: r.offset}, ID: r.id, Time: r.time}
	if r.line < 0 {
		e.Origin.Line = 0
	}
	if r.isUUID {
		e.ID = formatUUID(r.uuid)
	}
	return e
}

const hexDigits = "0123456789abcdef"

// hexValue maps a lower-case hex digit to its value and any other byte to -1.
var hexValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(hexDigits); i++ {
		t[hexDigits[i]] = int8(i)
	}
	return t
}()

// parseUUID reads a UUID written in lower case as 8-4-4-4-12 hex digits,
// the only spelling formatUUID gives back.
func parseUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i--
			continue
		}
		hi, lo := hexValue[s[i]], hexValue[s[i+1]]
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi)<<4 | byte(lo)
		j++
	}
	return u, true
}

func formatUUID(u [16]byte) string {
	b := make([]byte, 0, 36)
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&15])
	}
	return string(b)
}

// meta is the provenance of a group or row: how many events, when, and a
// few of them by reference.
type meta struct {
	count       int64
	first, last int64
	evidence    []evRef
	// panes counts the events by pane index once a window merged panes, so
	// that overlapping windows can be unioned without counting twice.
	panes map[int64]int64
}

func (m *meta) addPane(idx, n int64) {
	if m.panes == nil {
		m.panes = map[int64]int64{}
	}
	m.panes[idx] += n
}

func (m *meta) addEvent(ev *event.Event, t int64) {
	if m.count == 0 || t < m.first {
		m.first = t
	}
	if m.count == 0 || t > m.last {
		m.last = t
	}
	m.count++
	n := len(m.evidence)
	if n == maxEvidence && t < m.evidence[0].time {
		return // older than every event kept
	}
	r := newEvRef(ev.Origin, ev.ID, t)
	if n < maxEvidence && n == cap(m.evidence) {
		// Grow to one, then four, then ten: most groups see one event or
		// a few, and a group's evidence is held as long as it is.
		m.evidence = append(make([]evRef, 0, min(max(4*n, 1), maxEvidence)), m.evidence...)
	}
	m.evidence = insertLatest(m.evidence, r)
}

// insertLatest adds r to refs, kept in time order (ties in arrival order),
// dropping the oldest when refs already holds maxEvidence. It does not
// allocate when refs has room.
func insertLatest(refs []evRef, r evRef) []evRef {
	i := len(refs)
	for i > 0 && refs[i-1].time > r.time {
		i--
	}
	if len(refs) < maxEvidence {
		refs = append(refs, evRef{})
		copy(refs[i+1:], refs[i:])
		refs[i] = r
		return refs
	}
	// Full: shift the older ones down over the oldest.
	copy(refs[:i-1], refs[1:i])
	refs[i-1] = r
	return refs
}

// merge folds o's provenance into m. Evidence keeps the latest events:
// they are the ones that brought the group to the state the rule reports,
// and a window that slides on needs no older pane's evidence once newer
// panes hold enough (see wgroup.dropOldEvidence).
func (m *meta) merge(o *meta) {
	if o == nil || o.count == 0 {
		return
	}
	if m.count == 0 || o.first < m.first {
		m.first = o.first
	}
	if m.count == 0 || o.last > m.last {
		m.last = o.last
	}
	m.count += o.count
	for idx, n := range o.panes {
		m.addPane(idx, n)
	}
	if len(o.evidence) == 0 {
		return
	}
	all := make([]evRef, 0, len(m.evidence)+len(o.evidence))
	all = append(append(all, m.evidence...), o.evidence...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].time < all[j].time })
	if len(all) > maxEvidence {
		all = append(make([]evRef, 0, maxEvidence), all[len(all)-maxEvidence:]...)
	}
	m.evidence = all
}

func (m *meta) clone() *meta {
	c := *m
	c.evidence = append([]evRef(nil), m.evidence...)
	c.panes = nil
	for idx, n := range m.panes {
		c.addPane(idx, n)
	}
	return &c
}

// rowSlab hands out the rows of one evaluation from buffers it keeps for
// the next, so that a window evaluated every tick does not allocate its
// rows each time. The rows are valid until the next call: whatever outlives
// an evaluation (results, cached tail output) is copied out of them.
type rowSlab struct {
	ptrs []*tRow
	rows []tRow
	vals []event.Value
}

// take returns n empty rows width slots wide.
func (s *rowSlab) take(n, width int) []*tRow {
	// Grow to what is asked, with room; shrink only when far more is held
	// than asked, so that one large evaluation does not pin its rows for
	// good while ticks of varying size do not keep reallocating.
	if cap(s.rows) < n || cap(s.rows) > 16*n+4096 {
		c := n + n/2
		s.rows = make([]tRow, c)
		s.ptrs = make([]*tRow, c)
	}
	if cap(s.vals) < n*width || cap(s.vals) > 16*n*width+4096 {
		s.vals = make([]event.Value, (n+n/2)*width)
	}
	rows, vals, out := s.rows[:n], s.vals[:n*width], s.ptrs[:n]
	clear(vals)
	for i := range rows {
		rows[i] = tRow{vals: vals[i*width : (i+1)*width : (i+1)*width]}
		out[i] = &rows[i]
	}
	return out
}

// newRows returns n empty rows width slots wide, their values in one slab.
func newRows(n, width int) []*tRow {
	out := make([]*tRow, n)
	rows := make([]tRow, n)
	vals := make([]event.Value, width*n)
	for i := range rows {
		rows[i].vals = vals[i*width : (i+1)*width : (i+1)*width]
		out[i] = &rows[i]
	}
	return out
}
