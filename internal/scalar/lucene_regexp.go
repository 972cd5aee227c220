package scalar

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ES|QL's RLIKE reads its patterns as Lucene regular expressions
// (org.apache.lucene.util.automaton.RegExp, every optional operator on),
// not as Perl or RE2 ones. The grammar, loosest first:
//
//	union     = inter [ "|" union ]
//	inter     = concat [ "&" inter ]                 intersection
//	concat    = repeat [ concat ]                    until ")", "|" or "&"
//	repeat    = compl { "?" | "*" | "+" | "{n}" | "{n,}" | "{n,m}" }
//	compl     = "~" compl | class                    complement
//	class     = "[" ["^"] items "]" | simple
//	items     = item { item }                        until "]"
//	item      = pre | "\\" | char [ "-" char ]
//	simple    = "." | "#" | "@" | '"' text '"' | "(" ")" | "(" union ")"
//	          | "<" n "-" m ">" | "<" name ">" | pre | char
//	pre       = "\d" | "\D" | "\s" | "\S" | "\w" | "\W"
//	char      = "\" any | any
//
// Where an operand is expected every character is itself, so a leading
// "*", "|", "?", "&" or "{" is a literal, as are "^" and "$" (Lucene has no
// anchors: a pattern matches the whole string). "." is any character,
// newlines included; "#" is the empty language and "@" any string; a
// double-quoted run is literal text. "\" followed by a letter other than
// d, D, s, S, w or W is an error, and "\" followed by anything else is
// that character (so is any "\x" ending a range); "\s" is space, tab,
// newline and carriage return only. "{n,m}" with n > m matches nothing. "<n-m>" is a decimal
// number in [n, m], zero-padded to the same width when n and m are
// written with as many digits, with any number of leading zeros
// otherwise.
//
// LuceneRegexp translates such a pattern into Go's syntax (RE2) for the
// same strings. RE2 has no intersection ("&"): one whose operands both
// match endless strings is an error, but one with a side that matches a
// few strings (up to maxFinite) becomes those of them the other side
// matches; "bash -i >&|0>&1" thus keeps "bash -i >" & "|0>" & "1", which
// is nothing. RE2 cannot express a complement ("~") or a named automaton
// ("<name>", which Elasticsearch never defines) either, so those are
// errors, as are repeat counts above RE2's 1000.

// RegexpError is a pattern that LuceneRegexp cannot translate: Pos is
// the byte offset in the pattern where reading stopped.
type RegexpError struct {
	Pos int
	Msg string
}

// Error implements error.
func (e *RegexpError) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Pos) }

// LuceneRegexp translates a Lucene regular expression into RE2 syntax
// that matches the same strings when anchored at both ends. It does not
// anchor the result.
func LuceneRegexp(pattern string) (string, error) {
	if pattern == "" {
		return "(?:)", nil
	}
	if !utf8.ValidString(pattern) {
		// RE2 refuses invalid UTF-8 wherever it stands (a quoted literal
		// too); say where, as for any other fault of the pattern.
		pos := 0
		for pos < len(pattern) {
			r, n := utf8.DecodeRuneInString(pattern[pos:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			pos += n
		}
		return "", &RegexpError{Pos: pos, Msg: "the pattern is not valid UTF-8"}
	}
	t := luceneTranslator{src: pattern}
	f, err := t.union()
	if err != nil {
		return "", err
	}
	if t.more() {
		return "", t.fail("unexpected %q; a \")\" closes only a group opened with \"(\"", t.peek())
	}
	return f.re, nil
}

// Precedence of a translated fragment, from the loosest: what an
// enclosing operator must wrap in (?:...) before it applies.
const (
	precUnion    = iota // a|b
	precConcat          // ab
	precRepeated        // a*, which another repeat must group first
	precAtom            // a, [ab], (?:...)
)

// A fragment is the RE2 of part of a pattern. When finite is set, strs
// are all the strings it matches (none for the empty language).
type fragment struct {
	re     string
	prec   int
	finite bool
	strs   []string
}

// maxFinite is the most strings a fragment's language is enumerated up
// to, for intersections.
const maxFinite = 256

// stringsFragment is the fragment that matches exactly strs.
func stringsFragment(strs []string) fragment {
	strs = dedupe(strs)
	switch len(strs) {
	case 0:
		return fragment{re: noMatch, prec: precAtom, finite: true}
	case 1:
		return literal(strs[0])
	}
	alts := make([]string, len(strs))
	for i, s := range strs {
		alts[i] = regexp.QuoteMeta(s)
	}
	return fragment{re: "(?:" + strings.Join(alts, "|") + ")", prec: precAtom, finite: true, strs: strs}
}

func dedupe(strs []string) []string {
	seen := make(map[string]bool, len(strs))
	out := strs[:0:0]
	for _, s := range strs {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// product is every string of a followed by one of b, unless there are
// more than maxFinite.
func product(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxFinite {
		return nil, false
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out, true
}

// group returns f's syntax wrapped so that an operator binding tighter
// than prec applies to all of it.
func (f fragment) group(prec int) string {
	if f.prec >= prec {
		return f.re
	}
	return "(?:" + f.re + ")"
}

// noMatch is RE2 for the empty language: a class of no characters.
const noMatch = `[^\x00-\x{10FFFF}]`

type luceneTranslator struct {
	src string
	pos int
}

func (t *luceneTranslator) more() bool { return t.pos < len(t.src) }

// peek returns the next character, or utf8.RuneError at the end.
func (t *luceneTranslator) peek() rune {
	if !t.more() {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRuneInString(t.src[t.pos:])
	return r
}

func (t *luceneTranslator) peekIn(set string) bool {
	return t.more() && strings.ContainsRune(set, t.peek())
}

func (t *luceneTranslator) match(c rune) bool {
	if t.more() && t.peek() == c {
		t.pos += utf8.RuneLen(c)
		return true
	}
	return false
}

func (t *luceneTranslator) next() (rune, error) {
	if !t.more() {
		return 0, t.fail("unexpected end of pattern")
	}
	r, n := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += n
	return r, nil
}

func (t *luceneTranslator) fail(format string, args ...any) *RegexpError {
	return &RegexpError{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (t *luceneTranslator) union() (fragment, error) {
	l, err := t.inter()
	if err != nil || !t.match('|') {
		return l, err
	}
	r, err := t.union()
	if err != nil {
		return fragment{}, err
	}
	f := fragment{re: l.re + "|" + r.re, prec: precUnion}
	if l.finite && r.finite && len(l.strs)+len(r.strs) <= maxFinite {
		f.finite, f.strs = true, dedupe(append(append([]string(nil), l.strs...), r.strs...))
	}
	return f, nil
}

func (t *luceneTranslator) inter() (fragment, error) {
	l, err := t.concat()
	if err != nil || !t.peekIn("&") {
		return l, err
	}
	at := t.fail("an intersection \"&\" of two sides that both match endless strings is not supported (write \\& for a literal \"&\")")
	t.match('&')
	r, err := t.inter()
	if err != nil {
		return fragment{}, err
	}
	few, other := l, r
	if !few.finite {
		few, other = r, l
	}
	if !few.finite {
		return fragment{}, at
	}
	re, err := regexp.Compile(anchored(other.re))
	if err != nil {
		return fragment{}, at
	}
	var both []string
	for _, s := range few.strs {
		if re.MatchString(s) {
			both = append(both, s)
		}
	}
	return stringsFragment(both), nil
}

func (t *luceneTranslator) concat() (fragment, error) {
	l, err := t.repeat()
	if err != nil || !t.more() || t.peekIn(")|&") {
		return l, err
	}
	r, err := t.concat()
	if err != nil {
		return fragment{}, err
	}
	f := fragment{re: l.group(precConcat) + r.group(precConcat), prec: precConcat}
	if l.finite && r.finite {
		f.strs, f.finite = product(l.strs, r.strs)
	}
	return f, nil
}

// maxRepeatCount is the largest count RE2 takes in {n,m}.
const maxRepeatCount = 1000

func (t *luceneTranslator) repeat() (fragment, error) {
	f, err := t.compl()
	if err != nil {
		return f, err
	}
	for t.peekIn("?*+{") {
		op, _ := t.next()
		if op != '{' {
			g := fragment{re: f.group(precAtom) + string(op), prec: precRepeated}
			if op == '?' && f.finite && len(f.strs) < maxFinite {
				g.finite, g.strs = true, dedupe(append([]string{""}, f.strs...))
			}
			f = g
			continue
		}
		n, err := t.count()
		if err != nil {
			return fragment{}, err
		}
		m, open := n, false
		if t.match(',') {
			if t.peekIn("0123456789") {
				if m, err = t.count(); err != nil {
					return fragment{}, err
				}
			} else {
				open = true
			}
		}
		if !t.match('}') {
			return fragment{}, t.fail("expected \"}\"")
		}
		switch {
		case open:
			f = fragment{re: f.group(precAtom) + "{" + strconv.Itoa(n) + ",}", prec: precRepeated}
		case n > m:
			f = stringsFragment(nil) // Lucene: the empty language
		default:
			g := fragment{re: f.group(precAtom) + "{" + strconv.Itoa(n) + "," + strconv.Itoa(m) + "}", prec: precRepeated}
			if f.finite {
				g.strs, g.finite = repeatStrings(f.strs, n, m)
			}
			f = g
		}
	}
	return f, nil
}

// repeatStrings is every string of n to m strings of strs in a row,
// unless there are more than maxFinite.
func repeatStrings(strs []string, n, m int) ([]string, bool) {
	var out []string
	power := []string{""}
	for k := 0; k <= m; k++ {
		if k >= n {
			out = append(out, power...)
			if len(out) > maxFinite {
				return nil, false
			}
		}
		if k == m {
			break
		}
		var ok bool
		if power, ok = product(power, strs); !ok {
			return nil, false
		}
		if len(power) == 0 {
			break // nothing repeats further
		}
	}
	return dedupe(out), true
}

// count reads the digits of a repeat count.
func (t *luceneTranslator) count() (int, error) {
	start := t.pos
	for t.peekIn("0123456789") {
		t.pos++
	}
	if start == t.pos {
		return 0, t.fail("expected a number")
	}
	n, err := strconv.Atoi(t.src[start:t.pos])
	if err != nil || n > maxRepeatCount {
		return 0, &RegexpError{Pos: start, Msg: fmt.Sprintf("repeat count %s is more than %d, the most supported", t.src[start:t.pos], maxRepeatCount)}
	}
	return n, nil
}

func (t *luceneTranslator) compl() (fragment, error) {
	if t.peekIn("~") {
		return fragment{}, t.fail("complement \"~\" is not supported (write \\~ for a literal \"~\")")
	}
	if !t.match('[') {
		return t.simple()
	}
	negate := t.match('^')
	var set runeSet
	for {
		if err := t.classItem(&set); err != nil {
			return fragment{}, err
		}
		if !t.more() || t.peekIn("]") {
			break
		}
	}
	if !t.match(']') {
		return fragment{}, t.fail("expected \"]\"")
	}
	if negate {
		set = set.complement()
	}
	return set.fragment(), nil
}

// classItem reads one item of a character class into set.
func (t *luceneTranslator) classItem(set *runeSet) error {
	if pre, ok, err := t.predefined(); err != nil || ok {
		*set = append(*set, pre...)
		return err
	}
	lo, err := t.char()
	if err != nil {
		return err
	}
	hi := lo
	if t.match('-') {
		if hi, err = t.char(); err != nil {
			return err
		}
		if lo > hi {
			return t.fail("invalid range %q-%q in a class", lo, hi)
		}
	}
	*set = append(*set, runeRange{lo, hi})
	return nil
}

// char reads a character, "\" taking the next one literally.
func (t *luceneTranslator) char() (rune, error) {
	t.match('\\')
	return t.next()
}

// Lucene's predefined classes. \s is narrower than RE2's.
var (
	digitSet = runeSet{{'0', '9'}}
	spaceSet = runeSet{{'\t', '\t'}, {'\n', '\n'}, {'\r', '\r'}, {' ', ' '}}
	wordSet  = runeSet{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
)

// predefined reads "\d", "\D", "\s", "\S", "\w" or "\W"; it fails on a
// backslash before any other ASCII letter (Lucene reserves those).
func (t *luceneTranslator) predefined() (runeSet, bool, error) {
	if !strings.HasPrefix(t.src[t.pos:], `\`) || t.pos+1 >= len(t.src) {
		return nil, false, nil
	}
	c := t.src[t.pos+1]
	var set runeSet
	switch c {
	case '\\':
		// A backslash, and a whole class item: "[\\-x]" is three
		// characters, not a range.
		t.pos += 2
		return runeSet{{'\\', '\\'}}, true, nil
	case 'd', 'D':
		set = digitSet
	case 's', 'S':
		set = spaceSet
	case 'w', 'W':
		set = wordSet
	default:
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return nil, false, t.fail("unknown escape \\%c (Lucene knows \\d, \\D, \\s, \\S, \\w and \\W)", c)
		}
		return nil, false, nil
	}
	t.pos += 2
	if c >= 'A' && c <= 'Z' {
		set = set.complement()
	}
	return set, true, nil
}

func (t *luceneTranslator) simple() (fragment, error) {
	switch {
	case t.match('.'):
		return fragment{re: "(?s:.)", prec: precAtom}, nil
	case t.match('#'):
		return stringsFragment(nil), nil
	case t.match('@'):
		return fragment{re: "(?s:.*)", prec: precRepeated}, nil
	case t.match('"'):
		end := strings.IndexByte(t.src[t.pos:], '"')
		if end < 0 {
			t.pos = len(t.src)
			return fragment{}, t.fail("expected a closing '\"'")
		}
		s := t.src[t.pos : t.pos+end]
		t.pos += end + 1
		return literal(s), nil
	case t.match('('):
		if t.match(')') {
			return literal(""), nil
		}
		f, err := t.union()
		if err != nil {
			return f, err
		}
		if !t.match(')') {
			return fragment{}, t.fail("expected \")\"")
		}
		f.re, f.prec = "(?:"+f.re+")", precAtom
		return f, nil
	case t.match('<'):
		return t.interval()
	}
	if set, ok, err := t.predefined(); err != nil || ok {
		return set.fragment(), err
	}
	c, err := t.char()
	if err != nil {
		return fragment{}, err
	}
	return literal(string(c)), nil
}

// literal is RE2 for the text s.
func literal(s string) fragment {
	f := fragment{re: regexp.QuoteMeta(s), prec: precConcat, finite: true, strs: []string{s}}
	switch utf8.RuneCountInString(s) {
	case 0:
		f.re, f.prec = "(?:)", precAtom
	case 1:
		f.prec = precAtom
	}
	return f
}

// interval reads "<n-m>" after its "<".
func (t *luceneTranslator) interval() (fragment, error) {
	start := t.pos
	end := strings.IndexByte(t.src[t.pos:], '>')
	if end < 0 {
		t.pos = len(t.src)
		return fragment{}, t.fail("expected \">\"")
	}
	body := t.src[start : start+end]
	t.pos = start + end + 1
	lo, hi, ok := strings.Cut(body, "-")
	if !ok {
		return fragment{}, &RegexpError{Pos: start - 1, Msg: fmt.Sprintf("named automaton <%s> is not supported (write \\< for a literal \"<\")", body)}
	}
	bad := &RegexpError{Pos: start - 1, Msg: fmt.Sprintf("bad numeric interval <%s>: want <n-m> with whole numbers", body)}
	if lo == "" || hi == "" || strings.Contains(hi, "-") {
		return fragment{}, bad
	}
	n, err1 := strconv.ParseInt(lo, 10, 32)
	m, err2 := strconv.ParseInt(hi, 10, 32)
	if err1 != nil || err2 != nil || n < 0 || m < 0 {
		return fragment{}, bad
	}
	width := 0
	if len(lo) == len(hi) {
		width = len(lo)
	}
	if n > m {
		n, m = m, n
	}
	f := fragment{re: decimalRange(int(n), int(m), width), prec: precAtom}
	if width > 0 && m-n < maxFinite && len(strconv.FormatInt(m, 10)) <= width {
		f.finite = true
		for i := n; i <= m; i++ {
			s := strconv.FormatInt(i, 10)
			f.strs = append(f.strs, strings.Repeat("0", width-len(s))+s)
		}
	}
	return f, nil
}

// decimalRange is RE2 for the decimal numbers in [lo, hi] (0 <= lo <=
// hi): zero-padded to width digits when width > 0, with any number of
// leading zeros otherwise.
func decimalRange(lo, hi, width int) string {
	if width > 0 {
		a, b := strconv.Itoa(lo), strconv.Itoa(hi)
		if len(b) > width {
			return noMatch // Lucene refuses it; nothing can match
		}
		pad := func(s string) string { return strings.Repeat("0", width-len(s)) + s }
		return "(?:" + digitRange(pad(a), pad(b)) + ")"
	}
	var alts []string
	for n := len(strconv.Itoa(lo)); n <= len(strconv.Itoa(hi)); n++ {
		from, to := lo, hi
		if n > 1 {
			from = max(lo, pow10(n-1))
		}
		to = min(hi, pow10(n)-1)
		if from <= to {
			alts = append(alts, digitRange(strconv.Itoa(from), strconv.Itoa(to)))
		}
	}
	return "0*(?:" + strings.Join(alts, "|") + ")"
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// digitRange is RE2 for the digit strings s of len(a) with a <= s <= b.
func digitRange(a, b string) string {
	switch {
	case a == b:
		return a
	case len(a) == 1:
		return "[" + a + "-" + b + "]"
	case a[0] == b[0]:
		return a[:1] + "(?:" + digitRange(a[1:], b[1:]) + ")"
	}
	rest := len(a) - 1
	nines, zeros := strings.Repeat("9", rest), strings.Repeat("0", rest)
	any := "[0-9]{" + strconv.Itoa(rest) + "}"
	if a[1:] == zeros && b[1:] == nines {
		return "[" + a[:1] + "-" + b[:1] + "]" + any
	}
	alts := []string{a[:1] + "(?:" + digitRange(a[1:], nines) + ")"}
	if b[0]-a[0] > 1 {
		alts = append(alts, "["+string(a[0]+1)+"-"+string(b[0]-1)+"]"+any)
	}
	alts = append(alts, b[:1]+"(?:"+digitRange(zeros, b[1:])+")")
	return "(?:" + strings.Join(alts, "|") + ")"
}

// runeSet is a set of characters as ranges, in any order until String
// or complement sorts them.
type runeSet []runeRange

type runeRange struct{ lo, hi rune }

// normal returns the ranges sorted and merged.
func (s runeSet) normal() runeSet {
	out := append(runeSet(nil), s...)
	sort.Slice(out, func(i, j int) bool { return out[i].lo < out[j].lo })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r.lo <= merged[n-1].hi+1 {
			merged[n-1].hi = max(merged[n-1].hi, r.hi)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// complement returns every character not in s.
func (s runeSet) complement() runeSet {
	var out runeSet
	next := rune(0)
	for _, r := range s.normal() {
		if r.lo > next {
			out = append(out, runeRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= utf8.MaxRune {
		out = append(out, runeRange{next, utf8.MaxRune})
	}
	return out
}

// fragment is the class of the set; with few characters, also those.
func (s runeSet) fragment() fragment {
	f := fragment{re: s.String(), prec: precAtom}
	n := s.normal()
	size := 0
	for _, r := range n {
		size += int(r.hi-r.lo) + 1
		if size > maxFinite {
			return f
		}
	}
	f.finite, f.strs = true, []string{}
	for _, r := range n {
		for c := r.lo; c <= r.hi; c++ {
			if !utf8.ValidRune(c) {
				continue // a surrogate: no text holds one
			}
			f.strs = append(f.strs, string(c))
		}
	}
	return f
}

// String writes the set as an RE2 class; an empty set matches nothing.
func (s runeSet) String() string {
	n := s.normal()
	if len(n) == 0 {
		return noMatch
	}
	var b strings.Builder
	b.WriteByte('[')
	for _, r := range n {
		fmt.Fprintf(&b, `\x{%X}`, r.lo)
		if r.hi != r.lo {
			fmt.Fprintf(&b, `-\x{%X}`, r.hi)
		}
	}
	b.WriteByte(']')
	return b.String()
}
