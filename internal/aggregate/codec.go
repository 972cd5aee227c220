package aggregate

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/tripline/tripline/internal/event"
)

// Encoder appends the binary form of states to a buffer. A snapshot
// writes what frames the states (panes, groups, keys) with it too, so
// that one encoding runs through the whole snapshot.
type Encoder struct{ b []byte }

// Bytes returns what was written; it is the encoder's buffer, not a copy.
func (e *Encoder) Bytes() []byte { return e.b }

// Uvarint writes an unsigned integer.
func (e *Encoder) Uvarint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }

// Varint writes a signed integer.
func (e *Encoder) Varint(n int64) { e.b = binary.AppendVarint(e.b, n) }

// Float writes a float64 exactly.
func (e *Encoder) Float(f float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f))
}

// Str writes a string.
func (e *Encoder) Str(s string) { e.Uvarint(uint64(len(s))); e.b = append(e.b, s...) }

// Value writes a value.
func (e *Encoder) Value(v event.Value) { e.b = v.AppendBinary(e.b) }

// Bool writes a boolean.
func (e *Encoder) Bool(b bool) {
	if b {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// Values writes a list of values.
func (e *Encoder) Values(vs []event.Value) {
	e.Uvarint(uint64(len(vs)))
	for _, v := range vs {
		e.Value(v)
	}
}

// Decoder reads what an Encoder wrote. The first error sticks and later
// reads return zero values, so a caller checks Err once at the end.
type Decoder struct {
	b       []byte
	err     error
	version uint64
}

// NewDecoder returns a decoder reading b, written in the current version
// of the encoding (EncodingVersion).
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b, version: EncodingVersion} }

// EncodingVersion is the version of the encoding Encoder writes. Version 1
// wrote ES|QL's median and percentile as every value (they were exact);
// version 2 writes their t-digest.
const EncodingVersion = 2

// SetVersion says which version of the encoding the input is in, for a
// snapshot that records it; a state reads the versions before its own.
func (d *Decoder) SetVersion(v uint64) { d.version = v }

// Version returns the version of the encoding being read.
func (d *Decoder) Version() uint64 { return d.version }

// More reports whether input is left to read, for a format that may end
// early (a field added in a later version).
func (d *Decoder) More() bool { return d.err == nil && len(d.b) > 0 }

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Fail marks the input as truncated.
func (d *Decoder) Fail() {
	if d.err == nil {
		d.err = errors.New("truncated snapshot")
	}
	d.b = nil
}

// Uvarint reads an unsigned integer.
func (d *Decoder) Uvarint() uint64 {
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.Fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}

// Count reads the length of a list whose items take a byte or more each:
// a length longer than the input left is an error, and reads as 0.
func (d *Decoder) Count() uint64 {
	n := d.Uvarint()
	if n > uint64(len(d.b)) {
		d.Fail()
		return 0
	}
	return n
}

// Varint reads a signed integer.
func (d *Decoder) Varint() int64 {
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.Fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}

// Float reads a float64.
func (d *Decoder) Float() float64 {
	if len(d.b) < 8 {
		d.Fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

// Str reads a string.
func (d *Decoder) Str() string {
	n := d.Uvarint()
	if n > uint64(len(d.b)) {
		d.Fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// Bool reads a boolean.
func (d *Decoder) Bool() bool {
	if len(d.b) < 1 {
		d.Fail()
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

// Value reads a value.
func (d *Decoder) Value() event.Value {
	v, rest, err := event.ReadBinary(d.b)
	if err != nil {
		d.Fail()
		return event.Value{}
	}
	d.b = rest
	return v
}

// Values reads a list of values.
func (d *Decoder) Values() []event.Value {
	n := d.Count()
	if d.err != nil {
		return nil
	}
	out := make([]event.Value, 0, n)
	for ; n > 0 && d.err == nil; n-- {
		out = append(out, d.Value())
	}
	return out
}
