package scalar

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// TestMatch pins how a KQL test matches, per the mapping type of its field
// (Kibana builds a match, match_phrase, query_string or range query from
// each field:value, and Elasticsearch matches it by the field's mapping).
func TestMatch(t *testing.T) {
	s := event.StringValue
	multi := event.MultiValue([]event.Value{s("a"), s("terraform/1.5")})
	ts := event.TimeValue(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		m    plan.Match
		v    event.Value
		want bool
	}{
		// keyword: a term query, exact and case-sensitive.
		{"keyword exact", plan.Match{Op: ":", Value: "CreateTrail"}, s("CreateTrail"), true},
		{"keyword case", plan.Match{Op: ":", Value: "createtrail"}, s("CreateTrail"), false},
		{"keyword not a substring", plan.Match{Op: ":", Value: "Create"}, s("CreateTrail"), false},
		// keyword wildcards are case-sensitive too (no case_insensitive flag).
		{"wildcard", plan.Match{Op: ":", Value: "*terraform*", Wildcard: true}, s("x terraform y"), true},
		{"wildcard case", plan.Match{Op: ":", Value: "*terraform*", Wildcard: true}, s("Terraform"), false},
		{"escaped star", plan.Match{Op: ":", Value: `a\**`, Wildcard: true}, s("a*b"), true},
		{"escaped star is literal", plan.Match{Op: ":", Value: `a\**`, Wildcard: true}, s("ab"), false},
		// A multi-valued field matches when any value does.
		{"multi", plan.Match{Op: ":", Value: "terraform*", Wildcard: true}, multi, true},
		// A missing field never matches, not even as a wildcard.
		{"missing", plan.Match{Op: ":", Value: "*x", Wildcard: true}, event.NullValue, false},
		{"exists", plan.Match{Op: ":", Value: "*", Wildcard: true}, s(""), true},
		{"exists missing", plan.Match{Op: ":", Value: "*", Wildcard: true}, event.NullValue, false},
		// Booleans and numbers match their text ("true", 22, 22.0).
		{"bool", plan.Match{Op: ":", Value: "true"}, event.BoolValue(true), true},
		{"bool false", plan.Match{Op: ":", Value: "true"}, event.BoolValue(false), false},
		{"long", plan.Match{Op: ":", Value: "22"}, event.LongValue(22), true},
		{"long as double text", plan.Match{Op: ":", Value: "22.0"}, event.LongValue(22), true},
		// ip fields take an address or a CIDR block.
		{"cidr", plan.Match{Op: ":", Value: "10.0.0.0/8"}, event.IPValue("10.1.2.3"), true},
		{"cidr out", plan.Match{Op: ":", Value: "10.0.0.0/8"}, event.IPValue("11.1.2.3"), false},
		{"ip", plan.Match{Op: ":", Value: "10.1.2.3"}, event.IPValue("10.1.2.3"), true},
		// Ranges: numbers numerically, dates as dates, keywords as terms.
		{"range num", plan.Match{Op: ">=", Value: "100"}, event.LongValue(100), true},
		{"range num text", plan.Match{Op: ">", Value: "9"}, event.LongValue(10), true},
		{"range keyword", plan.Match{Op: "<", Value: "b"}, s("abc"), true},
		{"range date", plan.Match{Op: "<", Value: "2024-03-02"}, ts, true},
		{"range date after", plan.Match{Op: ">", Value: "2024-03-02"}, ts, false},
		// text: a match query on terms (any term, case-insensitive) ...
		{"text term", plan.Match{Op: ":", Value: "DENIED now", Text: true}, s("Access denied."), true},
		{"text no term", plan.Match{Op: ":", Value: "deny", Text: true}, s("Access denied."), false},
		// ... a match_phrase when quoted: the terms adjacent, in order ...
		{"text phrase", plan.Match{Op: ":", Value: "access denied", Phrase: true, Text: true}, s("Error: ACCESS denied"), true},
		{"text phrase order", plan.Match{Op: ":", Value: "denied access", Phrase: true, Text: true}, s("access denied"), false},
		// ... and a wildcard against each term, lower-cased.
		{"text wildcard", plan.Match{Op: ":", Value: "DEN*", Wildcard: true, Text: true}, s("access denied"), true},
	} {
		m := tc.m
		m.Field = "f"
		got := evalIn(t, plan.KQL, &m, map[string]event.Value{"f": tc.v}, nil)
		if b, ok := got.Bool(); !ok || b != tc.want {
			t.Errorf("%s: %s over %v = %v, want %v", tc.name, &m, tc.v, got, tc.want)
		}
	}
}

// NOT of a test on a missing field is true: KQL is two-valued, like the
// bool query's must_not.
func TestMatchNotMissing(t *testing.T) {
	e := &plan.Unary{Op: "NOT", X: &plan.Match{Field: "f", Op: ":", Value: "x"}}
	if b, _ := evalIn(t, plan.KQL, e, nil, nil).Bool(); !b {
		t.Error("NOT f:x over a missing f is not true")
	}
}
