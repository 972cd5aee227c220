package scalar

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// A match query's fuzziness (Elasticsearch reference, "Common options:
// Fuzziness") lets a term match the terms a few edits away: an insertion,
// a deletion or a substitution of a character, and (unless
// fuzzy_transpositions is false) a swap of two adjacent characters, each
// count one. It is 0, 1 or 2 edits, or AUTO[:low,high], which allows none
// for a term shorter than low characters, one below high and two from
// high on (AUTO is AUTO:3,6). A fuzzy term also keeps its first
// prefix_length characters exactly, and a term no longer than that
// prefix matches only itself, as Lucene's FuzzyQuery does.

// fuzziness is a parsed fuzziness option.
type fuzziness struct {
	auto      bool
	fixed     int // edits, when not auto
	low, high int // AUTO's bounds
}

// ParseFuzziness reads a match query's fuzziness option as Elasticsearch
// spells it and returns its canonical spelling, which plan.Match keeps:
// "0", "1", "2", "AUTO" or "AUTO:low,high".
func ParseFuzziness(s string) (string, error) {
	f, err := parseFuzziness(s)
	if err != nil {
		return "", err
	}
	switch {
	case !f.auto:
		return strconv.Itoa(f.fixed), nil
	case f.low == 3 && f.high == 6:
		return "AUTO", nil
	}
	return "AUTO:" + strconv.Itoa(f.low) + "," + strconv.Itoa(f.high), nil
}

func parseFuzziness(s string) (fuzziness, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 4 && strings.EqualFold(t[:4], "auto") {
		f := fuzziness{auto: true, low: 3, high: 6}
		rest := t[4:]
		if rest == "" {
			return f, nil
		}
		lo, hi, ok := strings.Cut(strings.TrimPrefix(rest, ":"), ",")
		var err1, err2 error
		f.low, err1 = strconv.Atoi(strings.TrimSpace(lo))
		f.high, err2 = strconv.Atoi(strings.TrimSpace(hi))
		if !strings.HasPrefix(rest, ":") || !ok || err1 != nil || err2 != nil || f.low < 0 || f.low > f.high {
			return fuzziness{}, fmt.Errorf("fuzziness %q: want AUTO or AUTO:low,high with 0 <= low <= high", s)
		}
		return f, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 2 {
		return fuzziness{}, fmt.Errorf("fuzziness %q: want 0, 1 or 2 edits, or AUTO", s)
	}
	return fuzziness{fixed: n}, nil
}

// edits is how many edits a term of n characters may be from another.
func (f fuzziness) edits(n int) int {
	switch {
	case !f.auto:
		return f.fixed
	case n < f.low:
		return 0
	case n < f.high:
		return 1
	}
	return 2
}

// fuzzyTerm matches one term against others as a fuzzy query on it does.
type fuzzyTerm struct {
	want           []rune
	edits, prefix  int
	transpositions bool
}

func newFuzzyTerm(term string, f fuzziness, prefix int, transpositions bool) fuzzyTerm {
	want := []rune(term)
	return fuzzyTerm{want: want, edits: f.edits(len(want)), prefix: prefix, transpositions: transpositions}
}

// match reports whether got is within the term's edits of it.
func (ft fuzzyTerm) match(got string) bool {
	if ft.edits == 0 || ft.prefix >= len(ft.want) {
		return got == string(ft.want)
	}
	var buf [64]rune
	g := buf[:0]
	for _, r := range got {
		g = append(g, r)
	}
	if len(g) < ft.prefix {
		return false
	}
	for i := 0; i < ft.prefix; i++ {
		if g[i] != ft.want[i] {
			return false
		}
	}
	return editDistance(ft.want[ft.prefix:], g[ft.prefix:], ft.edits, ft.transpositions) <= ft.edits
}

// editDistance is the edit distance between a and b when it is at most
// k, and more than k otherwise: Levenshtein's, or with transpositions
// the optimal string alignment distance (a swap of adjacent characters
// is one edit, and no substring is edited twice).
func editDistance(a, b []rune, k int, transpositions bool) int {
	if d := len(a) - len(b); d > k || -d > k {
		return k + 1
	}
	// Three rows of the table: before the previous one, the previous
	// one, the current one; row i holds the distances of a[:i] to b[:j].
	var store [3 * 65]int
	w := len(b) + 1
	var rows []int
	if 3*w <= len(store) {
		rows = store[:3*w]
	} else {
		rows = make([]int, 3*w)
	}
	pp, prev, cur := rows[:w], rows[w:2*w], rows[2*w:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if transpositions && i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, pp[j-2]+1)
			}
			cur[j] = d
			best = min(best, d)
		}
		if best > k {
			return k + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}

// fuzzyMatcher matches one value for a "~" Match: each of the value's
// terms against a text field's terms (any of them, or all with All), or
// the whole value against a keyword's; numbers, addresses and dates
// match exactly, as they do without fuzziness.
func fuzzyMatcher(t *plan.Match) (func(event.Value) bool, error) {
	f, err := parseFuzziness(t.Fuzziness)
	if err != nil {
		return nil, err
	}
	if t.PrefixLength < 0 {
		return nil, fmt.Errorf("prefix_length %d is negative", t.PrefixLength)
	}
	transpositions := !t.NoTranspositions
	if t.Text {
		var want []fuzzyTerm
		for _, term := range terms(t.Value) {
			want = append(want, newFuzzyTerm(term, f, t.PrefixLength, transpositions))
		}
		return func(v event.Value) bool {
			got := terms(kqlText(v))
			return matchTerms(len(want), t.All, func(i int) bool {
				for _, g := range got {
					if want[i].match(g) {
						return true
					}
				}
				return false
			})
		}, nil
	}
	whole := newFuzzyTerm(t.Value, f, t.PrefixLength, transpositions)
	exact := *t
	exact.Op = ":"
	other := termMatcher(&exact)
	return func(v event.Value) bool {
		if s, ok := v.Str(); ok && v.Kind() == event.String {
			return whole.match(s)
		}
		return other(v)
	}, nil
}

// matchTerms reports whether any (or, with all, every) of n query terms
// matches; a query without terms matches nothing.
func matchTerms(n int, all bool, match func(i int) bool) bool {
	if n == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		if match(i) != all {
			return !all
		}
	}
	return all
}
