package event

import (
	"testing"
	"unsafe"
)

// Window state holds values by the million: their size is part of the
// memory a rule costs.
func TestValueSize(t *testing.T) {
	if n := unsafe.Sizeof(Value{}); n > 40 {
		t.Errorf("a Value is %d bytes, want at most 40", n)
	}
	m := MultiValue([]Value{DoubleValue(1.5), StringValue("x"), LongValue(-3)})
	if m.Len() != 3 || m.String() != "1.5,x,-3" {
		t.Errorf("multi-value %q of %d elements", m.String(), m.Len())
	}
	if d, ok := m.Values()[0].Double(); !ok || d != 1.5 {
		t.Errorf("double element %v %v", d, ok)
	}
}
