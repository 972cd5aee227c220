package event

import (
	"fmt"
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

// TestInternerKeepsWhatRepeats checks that a value read again and again
// keeps one copy while a stream of one-off values passes through.
func TestInternerKeepsWhatRepeats(t *testing.T) {
	var in Interner
	prev := in.String([]byte("AccessDeniedException"))
	copies := 0
	for i := 0; i < 100000; i++ {
		in.String([]byte("2026-11-21T08:00:" + string(rune('0'+i%10)) + "Z-" + strconvItoa(i)))
		s := in.String([]byte("AccessDeniedException"))
		if unsafe.StringData(s) != unsafe.StringData(prev) {
			copies++ // a one-off value took its slot in between
		}
		prev = s
	}
	// About 100000/internSlots one-off values land in its slot.
	if copies > 100 {
		t.Errorf("the repeated value was copied again %d times in 100000 reads", copies)
	}
	if len(in.slots) != internSlots {
		t.Errorf("the interner grew to %d slots", len(in.slots))
	}
	if got := in.String([]byte("x")); got != "x" {
		t.Errorf("got %q", got)
	}
}

func strconvItoa(i int) string { return fmt.Sprint(i) }
