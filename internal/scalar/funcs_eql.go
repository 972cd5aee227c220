package scalar

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
)

// eqlFuncs are EQL's functions (Elasticsearch EQL function reference).
// Names are lower case; a "~" suffix is the case-insensitive variant the
// reference documents for between, endsWith, indexOf, startsWith,
// stringContains and wildcard. A null argument gives null. The string
// predicates, like a Query DSL test, are true when any value of a
// multi-valued first argument passes.
var eqlFuncs = map[string]*Func{
	"add":             strict(2, 2, eqlArithFunc("+")),
	"subtract":        strict(2, 2, eqlArithFunc("-")),
	"multiply":        strict(2, 2, eqlArithFunc("*")),
	"divide":          strict(2, 2, eqlArithFunc("/")),
	"modulo":          strict(2, 2, eqlArithFunc("%")),
	"between":         strict(3, 4, eqlBetween(false)),
	"between~":        strict(3, 4, eqlBetween(true)),
	"cidrmatch":       {MinArgs: 2, MaxArgs: -1, Eval: eqlCidrMatch},
	"concat":          {MinArgs: 1, MaxArgs: -1, Eval: eqlConcat},
	"endswith":        eqlPred(2, 2, eqlAffix(suffix, false)),
	"endswith~":       eqlPred(2, 2, eqlAffix(suffix, true)),
	"startswith":      eqlPred(2, 2, eqlAffix(prefix, false)),
	"startswith~":     eqlPred(2, 2, eqlAffix(prefix, true)),
	"stringcontains":  eqlPred(2, 2, eqlContains(false)),
	"stringcontains~": eqlPred(2, 2, eqlContains(true)),
	"wildcard":        eqlPred(2, -1, eqlWildcard(false)),
	"wildcard~":       eqlPred(2, -1, eqlWildcard(true)),
	"indexof":         strict(2, 3, eqlIndexOf(false)),
	"indexof~":        strict(2, 3, eqlIndexOf(true)),
	"length":          strict(1, 1, esqlLength),
	"number":          strict(1, 2, eqlNumber),
	"string":          strict(1, 1, func(_ *Context, a []event.Value) event.Value { return event.StringValue(kqlText(a[0])) }),
	"substring":       strict(2, 3, eqlSubstring),
}

// eqlPred makes a predicate over the values of its first argument and
// single other arguments: null when any argument is null, true when the
// test passes for any value of the first.
func eqlPred(min, max int, test func(s string, rest []event.Value) (bool, bool)) *Func {
	return &Func{MinArgs: min, MaxArgs: max, Eval: func(_ *Context, a []event.Value) event.Value {
		if a[0].IsNull() || anyNullOrMulti(a[1:]) {
			return event.NullValue
		}
		for _, v := range a[0].Values() {
			hit, ok := test(kqlText(v), a[1:])
			if !ok {
				return event.NullValue
			}
			if hit {
				return event.BoolValue(true)
			}
		}
		return event.BoolValue(false)
	}}
}

func eqlAffix(f func(s, p string, fold bool) (int, bool), fold bool) func(string, []event.Value) (bool, bool) {
	return func(s string, rest []event.Value) (bool, bool) {
		p, ok := rest[0].Str()
		if !ok {
			return false, false
		}
		if fold {
			p = strings.ToLower(p)
		}
		_, hit := f(s, p, fold)
		return hit, true
	}
}

func eqlContains(fold bool) func(string, []event.Value) (bool, bool) {
	return func(s string, rest []event.Value) (bool, bool) {
		p, ok := rest[0].Str()
		if !ok {
			return false, false
		}
		if fold {
			p = strings.ToLower(p)
		}
		_, _, hit := index(s, p, fold)
		return hit, true
	}
}

func eqlWildcard(fold bool) func(string, []event.Value) (bool, bool) {
	return func(s string, rest []event.Value) (bool, bool) {
		for _, pv := range rest {
			p, ok := pv.Str()
			if !ok {
				return false, false
			}
			if compileWildcard(p, eqlLikeSyntax, fold, false).match(s) {
				return true, true
			}
		}
		return false, true
	}
}

func eqlArithFunc(op string) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value { return eqlArith(op, a[0], a[1]) }
}

// eqlBetween returns the text between left and right in source (the first
// right after left, or the last with greedy set); "" when either is not
// found.
func eqlBetween(fold bool) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		s, ok1 := a[0].Str()
		l, ok2 := a[1].Str()
		r, ok3 := a[2].Str()
		if !ok1 || !ok2 || !ok3 {
			return event.NullValue
		}
		if fold {
			l, r = strings.ToLower(l), strings.ToLower(r)
		}
		greedy := false
		if len(a) > 3 {
			g, ok := a[3].Bool()
			if !ok {
				return event.NullValue
			}
			greedy = g
		}
		_, end, ok := index(s, l, fold)
		if !ok {
			return event.StringValue("")
		}
		rest := s[end:]
		var stop int
		if greedy {
			stop = lastIndex(rest, r, fold)
		} else {
			stop, _, ok = index(rest, r, fold)
			if !ok {
				stop = -1
			}
		}
		if stop < 0 {
			return event.StringValue("")
		}
		return event.StringValue(rest[:stop])
	}
}

func lastIndex(s, p string, fold bool) int {
	if !fold {
		return strings.LastIndex(s, p)
	}
	return strings.LastIndex(strings.ToLower(s), strings.ToLower(p))
}

func eqlCidrMatch(_ *Context, a []event.Value) event.Value {
	if a[0].IsNull() {
		return event.NullValue
	}
	for _, v := range a[0].Values() {
		ip, ok := v.Addr()
		if !ok {
			s, _ := v.Str()
			if ip, ok = event.ParseAddr(s); !ok {
				continue
			}
		}
		for _, b := range a[1:] {
			for _, blk := range b.Values() {
				if s, ok := strOf(blk); ok && cidrContains(ip, s) {
					return event.BoolValue(true)
				}
			}
		}
	}
	return event.BoolValue(false)
}

func eqlConcat(_ *Context, a []event.Value) event.Value {
	var b strings.Builder
	for _, v := range a {
		if !single(v) {
			return event.NullValue
		}
		b.WriteString(kqlText(v))
	}
	return event.StringValue(b.String())
}

// eqlIndexOf returns the 0-based position, in characters,
// of substring in source at or after start, or null when it is not there.
func eqlIndexOf(fold bool) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		s, ok1 := a[0].Str()
		p, ok2 := a[1].Str()
		if !ok1 || !ok2 {
			return event.NullValue
		}
		if fold {
			p = strings.ToLower(p)
		}
		from := 0
		if len(a) > 2 {
			n, ok := intArg(a[2])
			if !ok {
				return event.NullValue
			}
			from = int(max(n, 0))
		}
		runes := utf8.RuneCountInString(s)
		if from > runes {
			return event.NullValue
		}
		off := len(runeSlice(s, 0, from))
		i, _, ok := index(s[off:], p, fold)
		if !ok {
			return event.NullValue
		}
		return event.LongValue(int64(from + utf8.RuneCountInString(s[off:off+i])))
	}
}

// eqlNumber reads a string as a number: decimal, or in the given base
// (16 takes an optional 0x prefix).
func eqlNumber(_ *Context, a []event.Value) event.Value {
	if isNumKind(a[0]) {
		return a[0]
	}
	s, ok := a[0].Str()
	if !ok {
		return event.NullValue
	}
	s = strings.TrimSpace(s)
	if len(a) > 1 {
		base, ok := intArg(a[1])
		if !ok || base < 2 || base > 36 {
			return event.NullValue
		}
		if base == 16 {
			s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
		}
		n, err := strconv.ParseInt(s, int(base), 64)
		if err != nil {
			return event.NullValue
		}
		return event.LongValue(n)
	}
	n, ok := parseNum(s)
	if !ok {
		return event.NullValue
	}
	return n.value()
}

// eqlSubstring takes characters [start, end) of source; negative offsets
// count from the end, as Python slices do.
func eqlSubstring(_ *Context, a []event.Value) event.Value {
	s, ok := a[0].Str()
	if !ok {
		return event.NullValue
	}
	n := int64(utf8.RuneCountInString(s))
	start, ok := intArg(a[1])
	if !ok {
		return event.NullValue
	}
	end := n
	if len(a) > 2 {
		if end, ok = intArg(a[2]); !ok {
			return event.NullValue
		}
	}
	clamp := func(i int64) int64 {
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n)
	}
	start, end = clamp(start), clamp(end)
	if start >= end {
		return event.StringValue("")
	}
	return event.StringValue(runeSlice(s, int(start), int(end)))
}
