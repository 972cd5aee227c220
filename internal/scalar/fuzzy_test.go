package scalar

import (
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		k      int
		transp bool
		want   int
	}{
		{"svchost.exe", "svchost.exe", 2, true, 0},
		{"svchost.exe", "svch0st.exe", 2, true, 1},  // substitution
		{"svchost.exe", "svchst.exe", 2, true, 1},   // deletion
		{"svchost.exe", "svchoost.exe", 2, true, 1}, // insertion
		{"svchost.exe", "svcohst.exe", 2, true, 1},  // transposition
		{"svchost.exe", "svcohst.exe", 2, false, 2}, // two substitutions
		{"kitten", "sitting", 3, true, 3},
		{"kitten", "sitting", 2, true, 3}, // more than k: k+1
		{"ab", "ba", 2, true, 1},
		{"ca", "abc", 3, true, 3}, // optimal string alignment, not full Damerau (2)
		{"", "ab", 2, true, 2},
		{"abc", "", 1, true, 2},
		{"héllo", "hello", 1, true, 1}, // characters, not bytes
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), c.k, c.transp); got != c.want {
			t.Errorf("editDistance(%q, %q, %d, %v) = %d, want %d", c.a, c.b, c.k, c.transp, got, c.want)
		}
	}
}

func TestParseFuzziness(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0", "0"}, {"1", "1"}, {"2", "2"}, {"AUTO", "AUTO"}, {"auto", "AUTO"},
		{"AUTO:3,6", "AUTO"}, {"AUTO:1,4", "AUTO:1,4"}, {"AUTO:2,2", "AUTO:2,2"},
		{"3", ""}, {"-1", ""}, {"1.5", ""}, {"AUTO:", ""}, {"AUTO:4,2", ""}, {"AUTO:a,b", ""}, {"AUTOMATIC", ""}, {"", ""},
	} {
		got, err := ParseFuzziness(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseFuzziness(%q) = %q, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseFuzziness(%q) = %q, %v, want %q", c.in, got, err, c.want)
		}
	}
}

// A fuzzy match ("~", ES|QL's MATCH with fuzziness) compares a keyword's
// whole value, case-sensitively, and a text field's terms, lower-cased;
// AUTO allows edits by the length of the query's term.
func TestFuzzyMatch(t *testing.T) {
	s := event.StringValue
	kw := func(v, fz string) plan.Match { return plan.Match{Op: "~", Value: v, Fuzziness: fz} }
	for _, tc := range []struct {
		name string
		m    plan.Match
		v    event.Value
		want bool
	}{
		{"keyword exact", kw("svchost.exe", "1"), s("svchost.exe"), true},
		{"keyword one edit", kw("svchost.exe", "1"), s("svch0st.exe"), true},
		{"keyword swap", kw("svchost.exe", "1"), s("svcohst.exe"), true},
		{"keyword two edits", kw("svchost.exe", "1"), s("svch0st.ex"), false},
		{"keyword whole value", kw("svchost.exe", "1"), s("c:\\windows\\svchost.exe"), false},
		{"keyword case", kw("svchost.exe", "1"), s("SVCHOST.EXE"), false},
		{"keyword two allowed", kw("svchost.exe", "2"), s("svch0st.ex"), true},
		{"no transpositions", plan.Match{Op: "~", Value: "svchost.exe", Fuzziness: "1", NoTranspositions: true}, s("svcohst.exe"), false},
		{"prefix kept", plan.Match{Op: "~", Value: "svchost.exe", Fuzziness: "1", PrefixLength: 1}, s("xvchost.exe"), false},
		{"prefix then edit", plan.Match{Op: "~", Value: "svchost.exe", Fuzziness: "1", PrefixLength: 1}, s("svchost.exf"), true},
		{"prefix covers the term", plan.Match{Op: "~", Value: "ab", Fuzziness: "1", PrefixLength: 2}, s("ac"), false},
		{"auto short term exact", kw("ab", "AUTO"), s("ac"), false},
		{"auto mid term one", kw("abcd", "AUTO"), s("abce"), true},
		{"auto mid term not two", kw("abcd", "AUTO"), s("abef"), false},
		{"auto long term two", kw("abcdef", "AUTO"), s("abcdxy"), true},
		{"auto custom", kw("ab", "AUTO:1,2"), s("xy"), true},
		{"multi-value any", kw("svchost.exe", "1"), event.MultiValue([]event.Value{s("a"), s("svch0st.exe")}), true},
		{"missing", kw("svchost.exe", "1"), event.NullValue, false},
		{"number exact", kw("22", "1"), event.LongValue(22), true},
		{"number not fuzzy", kw("22", "1"), event.LongValue(23), false},
		{"text term", plan.Match{Op: "~", Value: "DENIED", Fuzziness: "1", Text: true}, s("Access denid."), true},
		{"text any term", plan.Match{Op: "~", Value: "quikc zzzzzz", Fuzziness: "1", Text: true}, s("the quick fox"), true},
		{"text all terms", plan.Match{Op: "~", Value: "quikc zzzzzz", Fuzziness: "1", Text: true, All: true}, s("the quick fox"), false},
		{"text all terms there", plan.Match{Op: "~", Value: "quikc fxo", Fuzziness: "1", Text: true, All: true}, s("the quick fox"), true},
		{"text no terms", plan.Match{Op: "~", Value: "!!", Fuzziness: "1", Text: true}, s("!!"), false},
	} {
		m := tc.m
		m.Field = "f"
		got := evalIn(t, plan.ESQL, &m, map[string]event.Value{"f": tc.v}, nil)
		if b, ok := got.Bool(); !ok || b != tc.want {
			t.Errorf("%s: %s over %v = %v, want %v", tc.name, &m, tc.v, got, tc.want)
		}
	}
}

// operator AND on a plain (not fuzzy) text match wants every term.
func TestMatchAllTerms(t *testing.T) {
	for _, tc := range []struct {
		value string
		all   bool
		want  bool
	}{
		{"access granted", false, true},
		{"access granted", true, false},
		{"denied ACCESS", true, true},
	} {
		m := &plan.Match{Field: "f", Op: ":", Value: tc.value, Text: true, All: tc.all}
		got := evalIn(t, plan.ESQL, m, map[string]event.Value{"f": event.StringValue("Access denied.")}, nil)
		if b, _ := got.Bool(); b != tc.want {
			t.Errorf("%s = %v, want %v", m, got, tc.want)
		}
	}
}
