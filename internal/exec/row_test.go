package exec

import (
	"testing"
	"unsafe"

	"github.com/tripline/tripline/internal/event"
)

// TestEvidenceReferences checks that evidence kept compactly gives back
// exactly what was put in: ids in canonical UUID form held as bytes, any
// other id as written.
func TestEvidenceReferences(t *testing.T) {
	o := event.Origin{File: "logs/a.json.gz", Line: 12, Offset: 3456}
	for _, id := range []string{
		"0c8a5e1f-3b2d-4e6f-9a7b-1c2d3e4f5a6b", // CloudTrail eventID
		"0C8A5E1F-3B2D-4E6F-9A7B-1C2D3E4F5A6B", // upper case: kept as text
		"0c8a5e1f-3b2d-4e6f-9a7b-1c2d3e4f5a6",  // short
		"0c8a5e1f+3b2d-4e6f-9a7b-1c2d3e4f5a6b", // not a dash
		"0c8a5e1f-3b2d-4e6f-9a7b-1c2d3e4f5a6g", // not hex
		"thief-m1-1700000000", "",
	} {
		got := newEvRef(o, id, 99).evidence()
		want := Evidence{Origin: o, ID: id, Time: 99}
		if got != want {
			t.Errorf("%q: got %+v, want %+v", id, got, want)
		}
	}
	if _, ok := parseUUID("0c8a5e1f-3b2d-4e6f-9a7b-1c2d3e4f5a6b"); !ok {
		t.Error("a canonical UUID is not held as bytes")
	}
	if n := unsafe.Sizeof(evRef{}); n > 72 {
		t.Errorf("evRef is %d bytes", n)
	}
}
