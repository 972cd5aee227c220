package event

import (
	"cmp"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds a value can have. Null sorts first so that the zero Value is null.
const (
	Null Kind = iota
	Bool
	Long
	Double
	String
	Time
	IP
	Multi
)

var kindNames = [...]string{"null", "boolean", "long", "double", "keyword", "datetime", "ip", "multi"}

// String returns the kind's name as ES|QL prints types.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one typed value. The zero Value is null. Values are immutable once
// built; a Multi value never nests another Multi value and never holds nulls.
//
// Values are held by the million in window state, so a Value is 40 bytes:
// n holds a Double's bits and a Multi's length, mv points at a Multi's
// elements.
type Value struct {
	kind Kind
	n    int64  // Bool (0/1), Long, Time (Unix nanoseconds, UTC); Double bits; Multi length
	s    string // String, IP (as written)
	mv   *Value // Multi: the first of n elements
}

// float returns a Double's value.
func (v Value) float() float64 { return math.Float64frombits(uint64(v.n)) }

// elems returns a Multi's elements (nil for other kinds), which must not
// be modified.
func (v Value) elems() []Value {
	if v.kind != Multi {
		return nil
	}
	return unsafe.Slice(v.mv, v.n)
}

// multi returns the Multi value of vs, which it keeps.
func multi(vs []Value) Value {
	return Value{kind: Multi, n: int64(len(vs)), mv: unsafe.SliceData(vs)}
}

// NullValue is the null value, spelled out for readability at call sites.
var NullValue = Value{}

// BoolValue returns a boolean value.
func BoolValue(b bool) Value {
	if b {
		return Value{kind: Bool, n: 1}
	}
	return Value{kind: Bool}
}

// LongValue returns a 64-bit integer value.
func LongValue(n int64) Value { return Value{kind: Long, n: n} }

// DoubleValue returns a floating-point value. NaN becomes null.
func DoubleValue(f float64) Value {
	if math.IsNaN(f) {
		return Value{}
	}
	return Value{kind: Double, n: int64(math.Float64bits(f))}
}

// StringValue returns a string value.
func StringValue(s string) Value { return Value{kind: String, s: s} }

// TimeValue returns a date-time value; the location is dropped, times are UTC.
func TimeValue(t time.Time) Value { return Value{kind: Time, n: t.UnixNano()} }

// TimeNanos returns a date-time value from Unix nanoseconds.
func TimeNanos(ns int64) Value { return Value{kind: Time, n: ns} }

// IPValue returns an IP value. The text is kept as written, so odd but
// meaningful spellings such as "035.249.253.232" survive; Addr parses it.
func IPValue(s string) Value { return Value{kind: IP, s: s} }

// MultiValue returns a multi-valued value from vs, dropping nulls and
// flattening nested multi-values. Zero values give null and one value gives
// that value, as ES|QL and Splunk both do.
func MultiValue(vs []Value) Value {
	flat := make([]Value, 0, len(vs))
	for _, v := range vs {
		switch v.kind {
		case Null:
		case Multi:
			flat = append(flat, v.elems()...)
		default:
			flat = append(flat, v)
		}
	}
	return OwnedMultiValue(flat)
}

// StringsValue returns the multi-value of a list of strings (null for
// none, the string itself for one), as MultiValue does.
func StringsValue(ss []string) Value {
	vs := make([]Value, len(ss))
	for i, s := range ss {
		vs[i] = StringValue(s)
	}
	return MultiValue(vs)
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == Null }

// Bool returns the boolean and whether v is a boolean.
func (v Value) Bool() (bool, bool) { return v.n != 0, v.kind == Bool }

// Long returns the integer and whether v is a long.
func (v Value) Long() (int64, bool) { return v.n, v.kind == Long }

// Double returns the float and whether v is a double.
func (v Value) Double() (float64, bool) { return v.float(), v.kind == Double }

// Str returns the text of a string or IP value and whether v is one.
func (v Value) Str() (string, bool) { return v.s, v.kind == String || v.kind == IP }

// Time returns the time (UTC) and whether v is a date-time.
func (v Value) Time() (time.Time, bool) {
	if v.kind != Time {
		return time.Time{}, false
	}
	return time.Unix(0, v.n).UTC(), true
}

// Nanos returns the Unix nanoseconds of a date-time value.
func (v Value) Nanos() (int64, bool) { return v.n, v.kind == Time }

// Addr parses an IP value (or a string holding an address). Leading zeros in
// an IPv4 octet are read as decimal, as AWS writes them.
func (v Value) Addr() (netip.Addr, bool) {
	if v.kind != IP && v.kind != String {
		return netip.Addr{}, false
	}
	return ParseAddr(v.s)
}

// ParseAddr parses an IPv4 or IPv6 address, accepting decimal octets with
// leading zeros ("035.249.253.232") that net/netip rejects.
func ParseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return netip.Addr{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

// Values returns the elements of a multi-value, a one-element slice for a
// single value, and nil for null. The slice must not be modified.
func (v Value) Values() []Value {
	switch v.kind {
	case Null:
		return nil
	case Multi:
		return v.elems()
	}
	return []Value{v}
}

// Len is the number of values: 0 for null, 1 for a single value.
func (v Value) Len() int {
	switch v.kind {
	case Null:
		return 0
	case Multi:
		return len(v.elems())
	}
	return 1
}

// Number returns v as a float64 when it is a long or a double.
func (v Value) Number() (float64, bool) {
	switch v.kind {
	case Long:
		return float64(v.n), true
	case Double:
		return v.float(), true
	}
	return 0, false
}

// String renders the value as text: numbers in their shortest form, times
// in RFC 3339 with milliseconds, multi-values joined by ",". Null is "".
func (v Value) String() string {
	switch v.kind {
	case Null:
		return ""
	case Bool:
		if v.n != 0 {
			return "true"
		}
		return "false"
	case Long:
		return strconv.FormatInt(v.n, 10)
	case Double:
		return FormatDouble(v.float())
	case String, IP:
		return v.s
	case Time:
		return time.Unix(0, v.n).UTC().Format("2006-01-02T15:04:05.000Z")
	case Multi:
		parts := make([]string, len(v.elems()))
		for i, e := range v.elems() {
			parts[i] = e.String()
		}
		return strings.Join(parts, ",")
	}
	return ""
}

// FormatDouble renders a float the way ES|QL prints doubles: integral values
// keep a ".0", others use the shortest exact form.
func FormatDouble(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// Compare orders two single values of comparable kinds: numbers with
// numbers, times with times, strings (and IPs) with strings, booleans with
// booleans. ok is false when the kinds do not compare or either is null or
// multi-valued.
func Compare(a, b Value) (c int, ok bool) {
	switch {
	case a.kind == Null || b.kind == Null || a.kind == Multi || b.kind == Multi:
		return 0, false
	case a.kind == Long && b.kind == Long, a.kind == Time && b.kind == Time, a.kind == Bool && b.kind == Bool:
		return cmp.Compare(a.n, b.n), true
	case (a.kind == Long || a.kind == Double) && (b.kind == Long || b.kind == Double):
		x, _ := a.Number()
		y, _ := b.Number()
		return cmpFloat(x, y), true
	case (a.kind == String || a.kind == IP) && (b.kind == String || b.kind == IP):
		if a.kind == IP && b.kind == IP {
			x, okx := ParseAddr(a.s)
			y, oky := ParseAddr(b.s)
			if okx && oky {
				return x.Compare(y), true
			}
		}
		return strings.Compare(a.s, b.s), true
	}
	return 0, false
}

// Equal reports whether two values are the same: same kind (longs and
// doubles compare as numbers) and same content, element-wise for multi-values.
func Equal(a, b Value) bool {
	if a.kind == Multi || b.kind == Multi {
		if a.kind != b.kind || len(a.elems()) != len(b.elems()) {
			return false
		}
		for i := range a.elems() {
			if !Equal(a.elems()[i], b.elems()[i]) {
				return false
			}
		}
		return true
	}
	if a.kind == Null || b.kind == Null {
		return a.kind == b.kind
	}
	c, ok := Compare(a, b)
	return ok && c == 0
}

// Order is a total order over all values for sorting and grouping: nulls
// first, then by kind (numbers together), then by content.
func Order(a, b Value) int {
	ka, kb := orderKind(a.kind), orderKind(b.kind)
	if ka != kb {
		return cmp.Compare(ka, kb)
	}
	if a.kind == Multi {
		for i := 0; i < len(a.elems()) && i < len(b.elems()); i++ {
			if c := Order(a.elems()[i], b.elems()[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a.elems()), len(b.elems()))
	}
	c, _ := Compare(a, b)
	return c
}

func orderKind(k Kind) Kind {
	if k == Double {
		return Long
	}
	if k == IP {
		return String
	}
	return k
}

// SortStrings sorts values by their text, as Splunk's values() does.
func SortStrings(vs []Value) {
	slices.SortStableFunc(vs, func(a, b Value) int { return strings.Compare(a.String(), b.String()) })
}

// OwnedMultiValue returns the multi-value of vs, which it keeps: vs must
// hold no null and no multi-value, and must not be changed afterwards.
// One value gives that value, none gives null, as MultiValue does.
func OwnedMultiValue(vs []Value) Value {
	switch len(vs) {
	case 0:
		return Value{}
	case 1:
		return vs[0]
	}
	return multi(vs)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TextFrom returns v with its text (of a string or IP) read from key, v's
// own Key encoding held elsewhere, so that state keeping both holds the
// text once. Other kinds, and a key that does not end with v's text, give
// v unchanged.
func (v Value) TextFrom(key string) Value {
	if v.kind == String || v.kind == IP {
		if end := len(key) - 1; end >= len(v.s) && key[end-len(v.s):end] == v.s {
			v.s = key[end-len(v.s) : end]
		}
	}
	return v
}

// Key appends a byte encoding of v to dst that is equal for equal values and
// different for different ones; it is used for group keys and dedup sets.
func (v Value) Key(dst []byte) []byte {
	dst = append(dst, byte(orderKind(v.kind)))
	switch v.kind {
	case Bool, Time:
		dst = strconv.AppendInt(dst, v.n, 10)
	case Long:
		dst = strconv.AppendFloat(dst, float64(v.n), 'g', -1, 64)
		if v.n > 1<<53 || v.n < -(1<<53) {
			dst = strconv.AppendInt(append(dst, '#'), v.n, 10)
		}
	case Double:
		dst = strconv.AppendFloat(dst, v.float(), 'g', -1, 64)
	case String, IP:
		dst = strconv.AppendInt(dst, int64(len(v.s)), 10)
		dst = append(dst, ':')
		dst = append(dst, v.s...)
	case Multi:
		dst = strconv.AppendInt(dst, int64(len(v.elems())), 10)
		for _, e := range v.elems() {
			dst = e.Key(dst)
		}
	}
	return append(dst, 0)
}
