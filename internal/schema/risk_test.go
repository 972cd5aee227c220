package schema

import (
	"slices"
	"testing"

	"github.com/tripline/tripline/internal/event"
)

func TestRiskView(t *testing.T) {
	cases := []struct {
		name     string
		raw      string // the raw path, "" for a computed field
		known    bool
		inFields bool
	}{
		{"normalized_risk_object", "normalized_risk_object", true, true},
		{"annotations.mitre_attack.mitre_tactic", "annotations.mitre_attack.mitre_tactic", true, true},
		{"All_Risk.risk_score", "risk_score", true, false},
		{"all_risk.search_name", "search_name", true, false},
		{"annotations.other", "annotations.other", true, false},
		{"_time", "", true, true},
		{"index", "", true, true},
		{"eventName", "eventName", false, false},
	}
	fields := Fields(Raw, event.Risk)
	for _, c := range cases {
		_, known := Resolve(Raw, event.Risk, c.name)
		raw, isRaw := RawPath(Raw, event.Risk, c.name)
		if known != c.known || raw != c.raw || isRaw != (c.raw != "") || slices.Contains(fields, c.name) != c.inFields {
			t.Errorf("%s: known %v raw %q %v in Fields %v; want known %v raw %q in Fields %v",
				c.name, known, raw, isRaw, slices.Contains(fields, c.name), c.known, c.raw, c.inFields)
		}
	}
}
