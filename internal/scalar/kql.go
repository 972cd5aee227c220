package scalar

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"
	"unicode"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/timefmt"
)

// kqlSyntax is the wildcard syntax of a KQL value: "*" only (KQL has no
// single-character wildcard), backslash escaping a literal star.
var kqlSyntax = wildcardSyntax{star: '*', escapes: true}

// compileMatch compiles one KQL field test, or an ES|QL MATCH or ":". It
// is two-valued: a missing field gives false, as the Elasticsearch query
// built for it matches no document without the field, and NOT of it is
// then true.
func compileMatch(t *plan.Match, r Resolver) (Evaluator, error) {
	slot := r(t.Field)
	var one func(event.Value) bool
	switch {
	case t.IsExists():
		return func(_ *Context, row Row) event.Value {
			return event.BoolValue(!row.Get(slot).IsNull())
		}, nil
	case t.Op == ":" && t.Text:
		one = textMatcher(t)
	case t.Op == ":":
		one = termMatcher(t)
	case t.Op == "~":
		var err error
		if one, err = fuzzyMatcher(t); err != nil {
			return nil, err
		}
	case t.Op == "<" || t.Op == "<=" || t.Op == ">" || t.Op == ">=":
		one = rangeMatcher(t)
	default:
		return nil, fmt.Errorf("unknown KQL comparison %q", t.Op)
	}
	return func(_ *Context, row Row) event.Value {
		for _, v := range row.Get(slot).Values() {
			if one(v) {
				return event.BoolValue(true)
			}
		}
		return event.BoolValue(false)
	}, nil
}

// termMatcher matches a whole value the way a term (or wildcard) query on
// a keyword, numeric, boolean or ip field does: exactly and
// case-sensitively for text; numerically for numbers; "true"/"false" for
// booleans; an address or a CIDR block for addresses.
func termMatcher(t *plan.Match) func(event.Value) bool {
	if t.Wildcard {
		w := compileWildcard(t.Value, kqlSyntax, false, false)
		return func(v event.Value) bool { return w.match(kqlText(v)) }
	}
	want := t.Value
	n, isNum := parseNum(want)
	prefix, isPrefix := netip.Prefix{}, false
	if p, err := netip.ParsePrefix(want); err == nil {
		prefix, isPrefix = p.Masked(), true
	}
	addr, isAddr := event.ParseAddr(want)
	ns, timeErr := timefmt.ParseISO(want)
	return func(v event.Value) bool {
		switch v.Kind() {
		case event.Long, event.Double:
			got, _ := looseNum(v)
			return isNum && cmpNum(got, n) == 0
		case event.Time:
			got, _ := v.Nanos()
			return timeErr == nil && got == ns
		case event.IP:
			a, ok := v.Addr()
			if !ok {
				break
			}
			if isPrefix {
				return prefix.Contains(a.Unmap())
			}
			if isAddr {
				return a.Unmap() == addr.Unmap()
			}
			return false
		}
		return kqlText(v) == want
	}
}

// rangeMatcher compares as a range query does: numbers numerically, dates
// as dates (ISO 8601 bounds), other values as strings (keyword ranges
// compare terms).
func rangeMatcher(t *plan.Match) func(event.Value) bool {
	test := cmpTest(t.Op)
	n, isNum := parseNum(t.Value)
	ns, timeErr := timefmt.ParseISO(t.Value)
	want := t.Value
	return func(v event.Value) bool {
		switch v.Kind() {
		case event.Long, event.Double:
			got, _ := looseNum(v)
			return isNum && test(cmpNum(got, n))
		case event.Time:
			got, _ := v.Nanos()
			return timeErr == nil && test(cmp.Compare(got, ns))
		case event.IP:
			a, ok1 := v.Addr()
			b, ok2 := event.ParseAddr(want)
			return ok1 && ok2 && test(a.Unmap().Compare(b.Unmap()))
		}
		return test(strings.Compare(kqlText(v), want))
	}
}

// textMatcher matches a text field by its terms, as Elasticsearch's
// standard analyzer splits and lower-cases them: an unquoted value
// matches when any of its terms is one of the field's (a match query,
// operator OR); a quoted one when its terms appear in order, adjacent (a
// match_phrase query); a wildcard value when a term of the field matches
// the lower-cased pattern (query_string normalises wildcard terms). With
// All, every term of an unquoted value must be one of the field's.
func textMatcher(t *plan.Match) func(event.Value) bool {
	switch {
	case t.Wildcard:
		w := compileWildcard(t.Value, kqlSyntax, true, false)
		return func(v event.Value) bool {
			for _, tok := range terms(kqlText(v)) {
				if w.match(tok) {
					return true
				}
			}
			return false
		}
	case t.Phrase:
		want := terms(t.Value)
		return func(v event.Value) bool { return containsRun(terms(kqlText(v)), want) }
	}
	want := terms(t.Value)
	return func(v event.Value) bool {
		got := terms(kqlText(v))
		return matchTerms(len(want), t.All, func(i int) bool {
			for _, tok := range got {
				if tok == want[i] {
					return true
				}
			}
			return false
		})
	}
}

// terms splits text into lower-cased runs of letters and digits, close
// to what the standard analyzer indexes for Latin text.
func terms(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
}

// containsRun reports whether want appears in got as adjacent terms; an
// empty phrase matches nothing.
func containsRun(got, want []string) bool {
	if len(want) == 0 {
		return false
	}
outer:
	for i := 0; i+len(want) <= len(got); i++ {
		for j, w := range want {
			if got[i+j] != w {
				continue outer
			}
		}
		return true
	}
	return false
}

// kqlText is the term a value is indexed as in a keyword field: strings
// as they are, booleans as true/false, numbers in their shortest form.
func kqlText(v event.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	return v.String()
}
