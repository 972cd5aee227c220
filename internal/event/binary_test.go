package event

import (
	"testing"
	"time"
)

func TestBinaryRoundTrip(t *testing.T) {
	vals := []Value{
		{}, BoolValue(true), BoolValue(false), LongValue(-42), LongValue(1 << 60), DoubleValue(2.5),
		StringValue(""), StringValue("AccessDenied"), IPValue("035.249.253.232"),
		TimeValue(time.Date(2026, 11, 21, 8, 0, 0, 123, time.UTC)),
		MultiValue([]Value{StringValue("a"), LongValue(1), DoubleValue(-0.5)}),
	}
	var buf []byte
	for _, v := range vals {
		buf = v.AppendBinary(buf)
	}
	for i, want := range vals {
		got, rest, err := ReadBinary(buf)
		if err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		if got.Kind() != want.Kind() || !Equal(got, want) {
			t.Errorf("value %d: got %v (%s), want %v (%s)", i, got, got.Kind(), want, want.Kind())
		}
		buf = rest
	}
	if len(buf) != 0 {
		t.Errorf("%d bytes left over", len(buf))
	}
}

func FuzzReadBinary(f *testing.F) {
	f.Add(MultiValue([]Value{StringValue("x"), LongValue(3)}).AppendBinary(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := ReadBinary(b)
		if err != nil {
			return
		}
		again, rest, err := ReadBinary(v.AppendBinary(nil))
		if err != nil || len(rest) != 0 || !Equal(again, v) {
			t.Fatalf("re-encoding %v failed: %v", v, err)
		}
	})
}
