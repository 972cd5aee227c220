package event

import (
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fastjson"
)

// LogType says which log a record belongs to: CloudTrail, Bedrock's
// model-invocation log, or tripline's own risk events. It is decided per
// record, from the record's keys.
type LogType uint8

// The log types tripline reads.
const (
	UnknownLogType LogType = iota
	CloudTrail
	BedrockInvocation
	// Risk is a risk event of tripline's store, written as a record of
	// Splunk's Risk data model (it has "normalized_risk_object"). Raw log
	// searches never read it; only a search of the Risk data model does.
	Risk
)

// NumLogTypes is one more than the largest LogType, for arrays indexed by
// log type.
const NumLogTypes = int(Risk) + 1

// LogTypes lists the known log types, for iteration.
var LogTypes = []LogType{CloudTrail, BedrockInvocation, Risk}

// String returns the log type's short name, as printed in run summaries
// and used as the "source" label of metrics.
func (t LogType) String() string {
	switch t {
	case CloudTrail:
		return "cloudtrail"
	case BedrockInvocation:
		return "bedrock_invocation"
	case Risk:
		return "risk"
	}
	return "unknown"
}

// Origin says where a record was read: the file (or "-" for stdin, or an
// s3:// URL), the 1-based line where the record starts, and the byte offset.
type Origin struct {
	File   string
	Line   int
	Offset int64
}

// String renders the origin as file:line, or file@offset when the line is unknown.
func (o Origin) String() string {
	if o.Line > 0 {
		return o.File + ":" + strconv.Itoa(o.Line)
	}
	return o.File + "@" + strconv.FormatInt(o.Offset, 10)
}

// Event is one log record. Raw and Doc belong to the reader and are valid
// only until the callback that received the event returns; a consumer that
// keeps anything copies it (see Value, which never aliases Raw).
type Event struct {
	// LogType is which log the record belongs to.
	LogType LogType
	Time    time.Time
	Origin  Origin
	// ID is the record's own id: CloudTrail eventID, invocation requestId.
	ID  string
	Raw []byte
	Doc *fastjson.Value
	// Strings, when set, hands out the strings of field values, so that a
	// value repeated from record to record is not copied each time.
	Strings *Interner
	// Memo, when set, holds what rules computed from this record so far.
	Memo *Memo
}

// Interner keeps recent short strings, so that reading a field whose
// values repeat (event names, error codes, principals) allocates once per
// distinct value instead of once per read. It is a cache of internSlots
// strings indexed by hash, each slot holding the last string that fell in
// it: values that repeat stay, one-off values (timestamps, request ids)
// pass through without filling it, and its memory stays a few hundred
// kilobytes. The strings it returns are ordinary immutable strings, safe
// to keep. It is not safe for concurrent use: give each reader its own.
type Interner struct{ slots []string }

// Bounds of an Interner: longer strings are copied as they are.
const (
	maxInternedLen = 256
	internSlots    = 1 << 13
)

var internSeed = maphash.MakeSeed()

// String returns b as a string, the kept copy when there is one.
func (in *Interner) String(b []byte) string {
	if in == nil || len(b) > maxInternedLen {
		return string(b)
	}
	if in.slots == nil {
		in.slots = make([]string, internSlots)
	}
	h := maphash.Bytes(internSeed, b) & (internSlots - 1)
	if s := in.slots[h]; s == string(b) {
		return s
	}
	s := string(b)
	in.slots[h] = s
	return s
}

// Path returns the value at a raw JSON path. Keys may end in "{}" (Splunk's
// array notation), which is ignored: arrays met on the way are walked and
// their elements' values gathered into a multi-value. A missing path, an
// object or JSON null is null.
func (e *Event) Path(keys []string) Value {
	if e.Doc == nil {
		return Value{}
	}
	return pathValue(e.Doc, keys, e.Strings)
}

// PathLeaves is Path, except that an object at the path reads as the
// values of all its leaves, nested ones included (a multi-value): a rule
// that matches requestParameters whole ("contains Suspended") matches when
// any value inside it does, the way Sigma rules written against such
// fields expect.
func (e *Event) PathLeaves(keys []string) Value {
	if e.Doc == nil {
		return Value{}
	}
	v := e.Doc
	for _, k := range keys {
		if v.Type() != fastjson.TypeObject {
			return e.Path(keys) // arrays and scalars on the way: as Path reads them
		}
		if v = v.Get(k); v == nil {
			return Value{}
		}
	}
	if v.Type() != fastjson.TypeObject {
		return fromJSON(v, e.Strings)
	}
	var leaves []Value
	var walk func(v *fastjson.Value)
	walk = func(v *fastjson.Value) {
		switch v.Type() {
		case fastjson.TypeObject:
			o, _ := v.Object()
			o.Visit(func(_ []byte, c *fastjson.Value) { walk(c) })
		case fastjson.TypeArray:
			arr, _ := v.Array()
			for _, c := range arr {
				walk(c)
			}
		default:
			if x := fromJSON(v, e.Strings); !x.IsNull() {
				leaves = append(leaves, x)
			}
		}
	}
	walk(v)
	return MultiValue(leaves)
}

// SplitPath splits a dotted field name into path keys, dropping "{}" array
// markers ("resources{}.ARN" -> ["resources", "ARN"]).
func SplitPath(name string) []string {
	keys := strings.Split(name, ".")
	for i, k := range keys {
		keys[i] = strings.TrimSuffix(k, "{}")
	}
	return keys
}

func pathValue(v *fastjson.Value, keys []string, strs *Interner) Value {
	for i, k := range keys {
		if v.Type() == fastjson.TypeArray {
			arr, _ := v.Array()
			vs := make([]Value, 0, len(arr))
			for _, el := range arr {
				vs = append(vs, pathValue(el, keys[i:], strs))
			}
			return MultiValue(vs)
		}
		if v.Type() != fastjson.TypeObject {
			return Value{}
		}
		v = v.Get(k)
		if v == nil {
			return Value{}
		}
	}
	return fromJSON(v, strs)
}

// FromJSON converts a parsed JSON value: strings to String, integral numbers
// to Long, other numbers to Double, booleans to Bool, arrays to a multi-value
// of their scalar elements. Objects and JSON null are null.
func FromJSON(v *fastjson.Value) Value { return fromJSON(v, nil) }

func fromJSON(v *fastjson.Value, strs *Interner) Value {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return StringValue(strs.String(b))
	case fastjson.TypeNumber:
		if n, err := v.Int64(); err == nil {
			return LongValue(n)
		}
		f, _ := v.Float64()
		return DoubleValue(f)
	case fastjson.TypeTrue:
		return BoolValue(true)
	case fastjson.TypeFalse:
		return BoolValue(false)
	case fastjson.TypeArray:
		arr, _ := v.Array()
		vs := make([]Value, 0, len(arr))
		for _, el := range arr {
			vs = append(vs, fromJSON(el, strs))
		}
		return MultiValue(vs)
	}
	return Value{}
}

// RawJSON returns the JSON text at a path, for objects that a view exposes
// whole; "" when absent.
func (e *Event) RawJSON(keys []string) string {
	if e.Doc == nil {
		return ""
	}
	v := e.Doc.Get(keys...)
	if v == nil {
		return ""
	}
	if e.Memo == nil {
		return string(appendCanonical(nil, v))
	}
	// Render into the reader's buffer and copy once, exactly sized.
	e.Memo.buf = appendCanonical(e.Memo.buf[:0], v)
	return string(e.Memo.buf)
}

// appendCanonical appends v as JSON text in one spelling whatever the
// record's: strings decoded and escaped again by AppendJSONString, so
// that "instruction\u0073" and "instructions" render alike. fastjson's
// own MarshalTo writes a string as it was read until something decodes
// it, so its text would depend on which expression read the field first.
func appendCanonical(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		dst = append(dst, '{')
		first := true
		o.Visit(func(k []byte, x *fastjson.Value) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSONText(dst, k)
			dst = append(dst, ':')
			dst = appendCanonical(dst, x)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		arr, _ := v.Array()
		dst = append(dst, '[')
		for i, x := range arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonical(dst, x)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return appendJSONText(dst, b)
	}
	return v.MarshalTo(dst) // numbers as written, true, false, null
}

// Memo remembers, for the record being read, values that several rules
// compute from it (a field rendered as JSON text, to_lower of a prompt), so
// that each is computed once per record rather than once per rule. A
// reader gives each worker one and calls Next before each record; slots
// are numbered process-wide by MemoSlot. It is not safe for concurrent use.
type Memo struct {
	gen  uint32
	vals []memoEntry
	buf  []byte // scratch for rendering JSON text
}

type memoEntry struct {
	gen uint32
	v   Value
	ref any // for GetRef and PutRef
}

// Next forgets the values of the previous record.
func (m *Memo) Next() {
	m.gen++
	if m.gen == 0 { // wrapped: stale entries could look current
		clear(m.vals)
		m.gen = 1
	}
}

// current returns slot's entry when it was filled for the current record.
func (m *Memo) current(slot int) (*memoEntry, bool) {
	if m == nil || m.gen == 0 || slot >= len(m.vals) || m.vals[slot].gen != m.gen {
		return nil, false
	}
	return &m.vals[slot], true
}

// fill stores e in slot for the current record.
func (m *Memo) fill(slot int, e memoEntry) {
	if m == nil || m.gen == 0 {
		return
	}
	if slot >= len(m.vals) {
		m.vals = append(m.vals, make([]memoEntry, slot+1-len(m.vals))...)
	}
	e.gen = m.gen
	m.vals[slot] = e
}

// Get returns the value remembered in slot for the current record.
func (m *Memo) Get(slot int) (Value, bool) {
	if e, ok := m.current(slot); ok {
		return e.v, true
	}
	return Value{}, false
}

// Put remembers v in slot for the current record.
func (m *Memo) Put(slot int, v Value) { m.fill(slot, memoEntry{v: v}) }

// GetRef returns the structure remembered in slot for the current record,
// for a computation whose result is not a Value (a parsed trace that
// several fields read from).
func (m *Memo) GetRef(slot int) (any, bool) {
	if e, ok := m.current(slot); ok {
		return e.ref, true
	}
	return nil, false
}

// PutRef remembers ref in slot for the current record.
func (m *Memo) PutRef(slot int, ref any) { m.fill(slot, memoEntry{ref: ref}) }

var memoSlots struct {
	sync.Mutex
	m map[string]int
}

// MemoSlot returns the slot of the computation named key, the same for
// every caller that names it the same way.
func MemoSlot(key string) int {
	memoSlots.Lock()
	defer memoSlots.Unlock()
	if memoSlots.m == nil {
		memoSlots.m = map[string]int{}
	}
	s, ok := memoSlots.m[key]
	if !ok {
		s = len(memoSlots.m)
		memoSlots.m[key] = s
	}
	return s
}
