package scalar

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/timefmt"
)

// Helpers shared by the operators and the function tables of both dialects.

// single reports whether v is one non-null, non-multi value.
func single(v event.Value) bool {
	k := v.Kind()
	return k != event.Null && k != event.Multi
}

// strOf returns the text of a single string or IP value.
func strOf(v event.Value) (string, bool) { return v.Str() }

// anyNullOrMulti reports whether any argument is null or multi-valued: the
// common "the result is null" condition of ES|QL scalar functions.
func anyNullOrMulti(args []event.Value) bool {
	for _, a := range args {
		if !single(a) {
			return true
		}
	}
	return false
}

// intArg returns an integral argument: a long, or a double with no fraction.
func intArg(v event.Value) (int64, bool) {
	switch v.Kind() {
	case event.Long:
		n, _ := v.Long()
		return n, true
	case event.Double:
		f, _ := v.Double()
		if f == math.Trunc(f) && f >= math.MinInt64 && f <= math.MaxInt64 {
			return int64(f), true
		}
	}
	return 0, false
}

// num is a number read the loose way (SPL): an integer when the text or
// value is integral, a float otherwise.
type num struct {
	i     int64
	f     float64
	isInt bool
}

func (n num) float() float64 {
	if n.isInt {
		return float64(n.i)
	}
	return n.f
}

func (n num) value() event.Value {
	if n.isInt {
		return event.LongValue(n.i)
	}
	return event.DoubleValue(n.f)
}

func intNum(i int64) num     { return num{i: i, isInt: true} }
func floatNum(f float64) num { return num{f: f} }

// looseNum reads a single value as a number the SPL way: longs and doubles
// as they are, date-times as epoch seconds, strings when they hold a number.
func looseNum(v event.Value) (num, bool) {
	switch v.Kind() {
	case event.Long:
		n, _ := v.Long()
		return intNum(n), true
	case event.Double:
		f, _ := v.Double()
		return floatNum(f), true
	case event.Time:
		ns, _ := v.Nanos()
		if ns%1e9 == 0 {
			return intNum(ns / 1e9), true
		}
		return floatNum(float64(ns) / 1e9), true
	case event.String:
		s, _ := v.Str()
		return parseNum(s)
	}
	return num{}, false
}

// parseNum parses decimal text as an integer or a float. Surrounding
// blanks are allowed; hexadecimal, "inf" and "nan" are not numbers here.
func parseNum(s string) (num, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return num{}, false
	}
	c := s[0]
	if c == '+' || c == '-' {
		if len(s) == 1 {
			return num{}, false
		}
		c = s[1]
	}
	if (c < '0' || c > '9') && c != '.' {
		// Text, as most strings are: no parse, so no error to build. This
		// also rejects "Inf", "NaN" and other spellings ParseFloat takes.
		return num{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intNum(i), true
	}
	if strings.ContainsAny(s, "xXpP_") {
		return num{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return num{}, false
	}
	return floatNum(f), true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// splText renders a single value as Splunk shows it: numbers without a
// forced ".0", date-times as epoch seconds, booleans as true/false.
func splText(v event.Value) string {
	switch v.Kind() {
	case event.Double:
		f, _ := v.Double()
		return formatLooseFloat(f)
	case event.Time:
		ns, _ := v.Nanos()
		return epochText(ns)
	case event.Multi:
		parts := make([]string, v.Len())
		for i, e := range v.Values() {
			parts[i] = splText(e)
		}
		return strings.Join(parts, " ")
	}
	return v.String()
}

func formatLooseFloat(f float64) string {
	a := math.Abs(f)
	if a != 0 && (a < 1e-6 || a >= 1e21) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// epochText renders Unix nanoseconds as epoch seconds with only the
// fraction digits needed.
func epochText(ns int64) string {
	sec, frac := floorDiv(ns, 1e9), floorMod(ns, 1e9)
	s := strconv.FormatInt(sec, 10)
	if frac == 0 {
		return s
	}
	f := strconv.FormatInt(frac+1e9, 10)[1:]
	return s + "." + strings.TrimRight(f, "0")
}

// spanArg reads a span function argument: a Long of nanoseconds (a span
// literal), or span text.
func spanArg(v event.Value) (months int, d time.Duration, ok bool) {
	if n, isLong := v.Long(); isLong {
		return 0, time.Duration(n), n > 0
	}
	if s, isStr := v.Str(); isStr {
		months, d, err := timefmt.ParseSpan(s)
		return months, d, err == nil
	}
	return 0, 0, false
}

// timeOrNull is a date-time of Unix nanoseconds, or null when !ok.
func timeOrNull(ns int64, ok bool) event.Value {
	if !ok {
		return event.NullValue
	}
	return event.TimeNanos(ns)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// Checked integer arithmetic: ok is false on overflow.

func addInt(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

func subInt(a, b int64) (int64, bool) {
	c := a - b
	return c, (c < a) == (b > 0)
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a {
		return 0, false
	}
	return c, true
}

// regexCache holds compiled regular expressions (and their compile
// errors) by source, so that a pattern that reaches a function as a value
// is compiled once rather than per row.
type regexCache struct {
	m sync.Map // string -> regexEntry
	n atomic.Int64
}

type regexEntry struct {
	re  *regexp.Regexp
	err error
}

const regexCacheMax = 4096

var regexps regexCache

// get returns the compiled form of expr.
func (c *regexCache) get(expr string) (*regexp.Regexp, error) {
	if e, ok := c.m.Load(expr); ok {
		en := e.(regexEntry)
		return en.re, en.err
	}
	re, err := regexp.Compile(expr)
	if c.n.Load() < regexCacheMax {
		if _, loaded := c.m.LoadOrStore(expr, regexEntry{re, err}); !loaded {
			c.n.Add(1)
		}
	}
	return re, err
}

// anchored wraps a regular expression so that it matches whole strings.
func anchored(expr string) string { return "^(?:" + expr + ")$" }

// wildcard is a compiled glob: literal runs, "any one character" and "any
// run of characters" items, optionally case-insensitive.
type wildcard struct {
	items  []wcItem
	fold   bool
	hasOne bool
	plain  bool   // no wildcards at all
	lit    string // the literal when plain
}

// containsLiteral returns the literal of a case-sensitive pattern that
// asks only for a substring (*text*).
func (w *wildcard) containsLiteral() (string, bool) {
	it := w.items
	if w.fold || len(it) != 3 || it[0].kind != wcStar || it[1].kind != wcLit || it[2].kind != wcStar {
		return "", false
	}
	return it[1].lit, true
}

type wcKind uint8

const (
	wcLit wcKind = iota
	wcOne
	wcStar
)

type wcItem struct {
	kind wcKind
	lit  string // lower-cased when the wildcard folds case
}

// wildcardSyntax says which characters are wildcards in a dialect.
type wildcardSyntax struct {
	star, one rune // one == 0: no single-character wildcard
	escapes   bool // backslash escapes the next character
}

var (
	esqlLikeSyntax = wildcardSyntax{star: '*', one: '?', escapes: true}
	splLikeSyntax  = wildcardSyntax{star: '%', one: '_', escapes: true}
	searchSyntax   = wildcardSyntax{star: '*'}
)

// compileWildcard compiles pattern p. With contains set the pattern may
// match anywhere in the text instead of the whole text.
func compileWildcard(p string, syn wildcardSyntax, fold, contains bool) *wildcard {
	w := &wildcard{fold: fold}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			if fold {
				s = strings.ToLower(s)
			}
			w.items = append(w.items, wcItem{kind: wcLit, lit: s})
			lit.Reset()
		}
	}
	star := func() {
		flush()
		if n := len(w.items); n == 0 || w.items[n-1].kind != wcStar {
			w.items = append(w.items, wcItem{kind: wcStar})
		}
	}
	if contains {
		star()
	}
	for i := 0; i < len(p); {
		r, sz := utf8.DecodeRuneInString(p[i:])
		switch {
		case syn.escapes && r == '\\' && i+sz < len(p):
			r2, sz2 := utf8.DecodeRuneInString(p[i+sz:])
			lit.WriteRune(r2)
			i += sz + sz2
			continue
		case r == syn.star:
			star()
		case syn.one != 0 && r == syn.one:
			flush()
			w.items = append(w.items, wcItem{kind: wcOne})
			w.hasOne = true
		default:
			lit.WriteString(p[i : i+sz])
		}
		i += sz
	}
	if contains {
		star()
	}
	flush()
	switch {
	case len(w.items) == 0:
		w.plain = true
	case len(w.items) == 1 && w.items[0].kind == wcLit:
		w.plain, w.lit = true, w.items[0].lit
	}
	return w
}

// match reports whether the wildcard matches s (the whole of s, unless it
// was compiled with contains).
func (w *wildcard) match(s string) bool {
	if w.plain {
		if w.fold {
			n, ok := prefixFold(s, w.lit)
			return ok && n == len(s)
		}
		return s == w.lit
	}
	if w.hasOne {
		return matchItems(w.items, s, w.fold)
	}
	return matchSegments(w.items, s, w.fold)
}

// matchSegments matches items made of literals and stars only: the first
// and last literals are anchored, the middle ones are found leftmost.
func matchSegments(items []wcItem, s string, fold bool) bool {
	pos, end := 0, len(s)
	if items[0].kind == wcLit {
		n, ok := prefix(s, items[0].lit, fold)
		if !ok {
			return false
		}
		pos = n
		items = items[1:]
	}
	if last := len(items) - 1; last >= 0 && items[last].kind == wcLit {
		start, ok := suffix(s[pos:], items[last].lit, fold)
		if !ok {
			return false
		}
		end = pos + start
		items = items[:last]
	} else if len(items) == 0 && pos != len(s) {
		return false // no star left to absorb the rest
	}
	for _, it := range items {
		if it.kind != wcLit {
			continue
		}
		_, e, ok := index(s[pos:end], it.lit, fold)
		if !ok {
			return false
		}
		pos += e
	}
	return true
}

// matchItems is the general matcher (with single-character wildcards):
// greedy, backtracking to the last star only, which is exact for items of
// fixed rune length.
func matchItems(items []wcItem, s string, fold bool) bool {
	ii, si := 0, 0
	starI, starS := -1, 0
	for {
		if ii < len(items) {
			it := items[ii]
			switch it.kind {
			case wcStar:
				starI, starS = ii, si
				ii++
				continue
			case wcOne:
				if si < len(s) {
					_, sz := utf8.DecodeRuneInString(s[si:])
					si += sz
					ii++
					continue
				}
			case wcLit:
				if n, ok := prefix(s[si:], it.lit, fold); ok {
					si += n
					ii++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starI < 0 || starS >= len(s) {
			return false
		}
		_, sz := utf8.DecodeRuneInString(s[starS:])
		starS += sz
		si, ii = starS, starI+1
	}
}

func prefix(s, p string, fold bool) (int, bool) {
	if fold {
		return prefixFold(s, p)
	}
	if strings.HasPrefix(s, p) {
		return len(p), true
	}
	return 0, false
}

func suffix(s, p string, fold bool) (int, bool) {
	if !fold {
		if strings.HasSuffix(s, p) {
			return len(s) - len(p), true
		}
		return 0, false
	}
	// Walk back rune by rune: folded forms may differ in byte length.
	i, j := len(s), len(p)
	for j > 0 {
		if i == 0 {
			return 0, false
		}
		pr, psz := utf8.DecodeLastRuneInString(p[:j])
		sr, ssz := utf8.DecodeLastRuneInString(s[:i])
		if !foldEq(sr, pr) {
			return 0, false
		}
		i -= ssz
		j -= psz
	}
	return i, true
}

func index(s, p string, fold bool) (start, end int, ok bool) {
	if !fold {
		i := strings.Index(s, p)
		if i < 0 {
			return 0, 0, false
		}
		return i, i + len(p), true
	}
	return indexFold(s, p)
}

// prefixFold reports whether s starts with p ignoring case (p is lower
// case), and how many bytes of s matched.
func prefixFold(s, p string) (int, bool) {
	i, j := 0, 0
	for j < len(p) {
		if i >= len(s) {
			return 0, false
		}
		sc, pc := s[i], p[j]
		if sc < utf8.RuneSelf && pc < utf8.RuneSelf {
			if sc != pc && lowerASCII(sc) != pc {
				return 0, false
			}
			i++
			j++
			continue
		}
		sr, ssz := utf8.DecodeRuneInString(s[i:])
		pr, psz := utf8.DecodeRuneInString(p[j:])
		if !foldEq(sr, pr) {
			return 0, false
		}
		i += ssz
		j += psz
	}
	return i, true
}

// indexFold finds the first case-insensitive occurrence of p (lower case)
// in s without lower-casing s: candidates are the next occurrences of each
// case form of p's first rune (found with IndexRune, which is fast), each
// checked with prefixFold.
func indexFold(s, p string) (start, end int, ok bool) {
	if p == "" {
		return 0, 0, true
	}
	r0, _ := utf8.DecodeRuneInString(p)
	var forms [8]rune
	var next [8]int
	n := 0
	for r := r0; n < len(forms); {
		forms[n], next[n] = r, -1
		n++
		if r = unicode.SimpleFold(r); r == r0 {
			break
		}
	}
	for i := 0; i < len(s); {
		cand := len(s)
		for k := 0; k < n; k++ {
			if next[k] < i {
				if j := strings.IndexRune(s[i:], forms[k]); j >= 0 {
					next[k] = i + j
				} else {
					next[k] = len(s)
				}
			}
			cand = min(cand, next[k])
		}
		if cand >= len(s) {
			return 0, 0, false
		}
		if m, ok := prefixFold(s[cand:], p); ok {
			return cand, cand + m, true
		}
		i = cand + 1
	}
	return 0, 0, false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldEq reports whether two runes are equal under simple case folding.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return lowerASCII(byte(a)) == lowerASCII(byte(b))
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// strMap applies f to the text of a single string value, or to each
// string of a multi-value (used by SPL's lenient string functions).
func strMap(v event.Value, f func(string) string) event.Value {
	switch v.Kind() {
	case event.Null:
		return event.NullValue
	case event.Multi:
		vs := v.Values()
		out := make([]event.Value, len(vs))
		for i, e := range vs {
			out[i] = event.StringValue(f(splText(e)))
		}
		return event.MultiValue(out)
	}
	return event.StringValue(f(splText(v)))
}

// dedupValues keeps the first occurrence of each value, in order.
func dedupValues(vs []event.Value) []event.Value {
	out := make([]event.Value, 0, len(vs))
	seen := make(map[string]bool, len(vs))
	var key []byte
	for _, v := range vs {
		key = v.Key(key[:0])
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		out = append(out, v)
	}
	return out
}

// lazyCoalesce returns the first non-null argument.
func lazyCoalesce(ctx *Context, row Row, args []Evaluator) event.Value {
	for _, a := range args {
		if v := a(ctx, row); !v.IsNull() {
			return v
		}
	}
	return event.NullValue
}

// lazyCase evaluates condition/value pairs; an odd trailing argument is
// the default when withElse is set.
func lazyCase(withElse bool) func(ctx *Context, row Row, args []Evaluator) event.Value {
	return func(ctx *Context, row Row, args []Evaluator) event.Value {
		i := 0
		for ; i+1 < len(args); i += 2 {
			if Truth(args[i](ctx, row)) {
				return args[i+1](ctx, row)
			}
		}
		if withElse && i < len(args) {
			return args[i](ctx, row)
		}
		return event.NullValue
	}
}
