package plan

import (
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// Expr is a scalar expression. Implementations are immutable.
type Expr interface {
	// String prints the expression as canonical text.
	String() string
	expr()
}

// Field reads a column by name. Names that need quoting print in backticks.
type Field struct{ Name string }

// Literal is a constant.
type Literal struct{ Value event.Value }

// Span is a time-span literal: "1 minute", "10m", "1 month". Months and
// years are calendar units and kept apart from fixed durations.
type Span struct {
	D      time.Duration
	Months int
}

// Star is the "*" argument of count(*).
type Star struct{}

// Unary is NOT x or -x. Op is "NOT" or "-".
type Unary struct {
	Op string
	X  Expr
}

// Binary is a binary operator. Op is one of AND OR == != < <= > >= =~
// + - * / %. "." (SPL string concatenation) is also a binary operator.
type Binary struct {
	Op   string
	L, R Expr
}

// Call is a scalar function call (or an aggregate, inside Stats). Name is
// lower case; the plan does not check it: the function registries do
// (internal/scalar, and internal/aggregate for aggregates).
type Call struct {
	Name string
	Args []Expr
}

// In is x IN (list) or x NOT IN (list). Fold compares strings ignoring
// case (EQL's in~).
type In struct {
	X    Expr
	List []Expr
	Not  bool
	Fold bool
}

// Like is x LIKE pattern(s) or x RLIKE pattern(s), possibly negated.
// LIKE patterns use * and ? (ES|QL) as wildcards; SPL's like() with % and _
// is a Call instead. RLIKE patterns match the whole string. Fold matches
// ignoring case (EQL's ":", like~ and regex~).
type Like struct {
	X        Expr
	Patterns []string
	Regex    bool
	Not      bool
	Fold     bool
}

// IsNull is x IS NULL or x IS NOT NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// SearchCmp is one field comparison of an SPL base search (or of the
// search command): Field Op Value, where Value is matched the Splunk way:
// case-insensitively, as a whole value, with * wildcards; a numeric
// comparison (< <= > >=) compares numbers when both sides are numbers.
// A multi-valued field matches when any value matches. "!=" matches only
// events that have the field (unlike NOT field=value).
type SearchCmp struct {
	Field string
	Op    string // = != < <= > >=
	Value string
}

// SearchTerm is a bare term of an SPL search, matched case-insensitively
// (with * wildcards) against the raw event text.
type SearchTerm struct{ Term string }

// Match is one field test of a KQL query, field:value or field < value,
// or of ES|QL's MATCH and ":", matched as Elasticsearch matches the query
// built for it: true when any value of a multi-valued field matches,
// false (never null) when the field is missing. A ":" test with the
// single wildcard "*" is an exists test.
type Match struct {
	Field string
	// Op is ":" (a match), "~" (a fuzzy match: terms within Fuzziness
	// edits), or a range: < <= > >=.
	Op string
	// Value is the value as written, unescaped. With Wildcard set, "*" is
	// a wildcard and "\*" and "\\" stand for a literal star and backslash.
	Value    string
	Wildcard bool
	// Phrase says the value was quoted: a phrase on a text field, never a
	// wildcard.
	Phrase bool
	// Text says the field is mapped as text and matched by its terms;
	// other fields (keyword, numbers, booleans, addresses) match whole values.
	Text bool
	// All says every term of the value must match (a match query's
	// operator AND); otherwise any one does.
	All bool
	// Fuzziness, for "~", is how many edits a term may be from one of the
	// value's (on a field not matched as text, the whole value from the
	// whole value), as a match query's fuzziness option spells it: "0",
	// "1", "2", "AUTO" or "AUTO:low,high".
	Fuzziness string
	// PrefixLength, for "~", is how many leading characters a term must
	// share with the value's exactly.
	PrefixLength int
	// NoTranspositions, for "~", counts a swap of two adjacent characters
	// as two edits rather than one.
	NoTranspositions bool
}

// IsExists reports whether the match is field:* (the field has a value).
func (m *Match) IsExists() bool { return m.Op == ":" && m.Wildcard && m.Value == "*" }

func (*Field) expr()      {}
func (*Literal) expr()    {}
func (*Span) expr()       {}
func (*Star) expr()       {}
func (*Unary) expr()      {}
func (*Binary) expr()     {}
func (*Call) expr()       {}
func (*In) expr()         {}
func (*Like) expr()       {}
func (*IsNull) expr()     {}
func (*SearchCmp) expr()  {}
func (*SearchTerm) expr() {}
func (*Match) expr()      {}

// String implements Expr.
func (f *Field) String() string { return QuoteName(f.Name) }

// String implements Expr.
func (l *Literal) String() string {
	v := l.Value
	switch v.Kind() {
	case event.Null:
		return "null"
	case event.String, event.IP:
		return strconv.Quote(v.String())
	case event.Time:
		return "to_datetime(" + strconv.Quote(v.String()) + ")"
	case event.Multi:
		parts := make([]string, 0, v.Len())
		for _, e := range v.Values() {
			parts = append(parts, (&Literal{e}).String())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.String()
}

// String implements Expr.
func (s *Span) String() string {
	switch {
	case s.Months != 0 && s.Months%12 == 0:
		return strconv.Itoa(s.Months/12) + " years"
	case s.Months != 0:
		return strconv.Itoa(s.Months) + " months"
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "days"}, {time.Hour, "hours"}, {time.Minute, "minutes"}, {time.Second, "seconds"}, {time.Millisecond, "milliseconds"}}
	for _, u := range units {
		if s.D != 0 && s.D%u.d == 0 {
			return strconv.FormatInt(int64(s.D/u.d), 10) + " " + u.name
		}
	}
	return strconv.FormatInt(int64(s.D), 10) + " nanoseconds"
}

// String implements Expr.
func (*Star) String() string { return "*" }

// String implements Expr.
func (u *Unary) String() string {
	if u.Op == "NOT" {
		return "NOT " + paren(u.X)
	}
	return u.Op + paren(u.X)
}

// String implements Expr.
func (b *Binary) String() string { return paren(b.L) + " " + b.Op + " " + paren(b.R) }

// String implements Expr.
func (c *Call) String() string { return c.Name + "(" + joinExprs(c.Args) + ")" }

// String implements Expr.
func (in *In) String() string {
	op := " IN"
	if in.Not {
		op = " NOT IN"
	}
	if in.Fold {
		op += "~"
	}
	op += " ("
	return paren(in.X) + op + joinExprs(in.List) + ")"
}

// String implements Expr.
func (l *Like) String() string {
	op := "LIKE"
	if l.Regex {
		op = "RLIKE"
	}
	if l.Fold {
		op += "~"
	}
	if l.Not {
		op = "NOT " + op
	}
	qs := make([]string, len(l.Patterns))
	for i, p := range l.Patterns {
		qs[i] = strconv.Quote(p)
	}
	if len(qs) == 1 {
		return paren(l.X) + " " + op + " " + qs[0]
	}
	return paren(l.X) + " " + op + " (" + strings.Join(qs, ", ") + ")"
}

// String implements Expr.
func (n *IsNull) String() string {
	if n.Not {
		return paren(n.X) + " IS NOT NULL"
	}
	return paren(n.X) + " IS NULL"
}

// String implements Expr.
func (s *SearchCmp) String() string {
	return "search(" + QuoteName(s.Field) + " " + s.Op + " " + strconv.Quote(s.Value) + ")"
}

// String implements Expr.
func (m *Match) String() string {
	var b strings.Builder
	b.WriteString("match(")
	b.WriteString(QuoteName(m.Field))
	b.WriteString(" ")
	b.WriteString(m.Op)
	b.WriteString(" ")
	b.WriteString(strconv.Quote(m.Value))
	if m.Wildcard {
		b.WriteString(" wildcard")
	}
	if m.Phrase {
		b.WriteString(" phrase")
	}
	if m.Text {
		b.WriteString(" text")
	}
	if m.All {
		b.WriteString(" all")
	}
	if m.Fuzziness != "" {
		b.WriteString(" fuzziness=" + m.Fuzziness)
	}
	if m.PrefixLength > 0 {
		b.WriteString(" prefix_length=" + strconv.Itoa(m.PrefixLength))
	}
	if m.NoTranspositions {
		b.WriteString(" no_transpositions")
	}
	b.WriteString(")")
	return b.String()
}

// String implements Expr.
func (s *SearchTerm) String() string { return "search(" + strconv.Quote(s.Term) + ")" }

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// paren wraps compound expressions in parentheses so that printed text
// never depends on operator precedence.
func paren(e Expr) string {
	switch e.(type) {
	case *Binary, *Unary, *In, *Like, *IsNull:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// QuoteName prints a field name bare when it is made of letters, digits,
// "_", "@", "." and "{}", and in backticks otherwise.
func QuoteName(name string) string {
	if name == "" {
		return "``"
	}
	for i, r := range name {
		ok := r == '_' || r == '@' || r == '.' || r == '{' || r == '}' ||
			r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return "`" + strings.ReplaceAll(name, "`", "``") + "`"
		}
	}
	return name
}

// Terms splits e at its top-level binary operators op (AND, OR, in any
// case), left to right: a AND (b AND c) gives a, b, c.
func Terms(e Expr, op string) []Expr {
	if b, ok := e.(*Binary); ok && strings.EqualFold(b.Op, op) {
		return append(Terms(b.L, op), Terms(b.R, op)...)
	}
	return []Expr{e}
}

// Walk calls fn for e and every expression below it, depth first; fn
// returning false skips the children.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch t := e.(type) {
	case *Unary:
		Walk(t.X, fn)
	case *Binary:
		Walk(t.L, fn)
		Walk(t.R, fn)
	case *Call:
		for _, a := range t.Args {
			Walk(a, fn)
		}
	case *In:
		Walk(t.X, fn)
		for _, a := range t.List {
			Walk(a, fn)
		}
	case *Like:
		Walk(t.X, fn)
	case *IsNull:
		Walk(t.X, fn)
	}
}

// Fields returns the names of the fields an expression reads, in order of
// first appearance (SearchCmp and Match fields included).
func Fields(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(x Expr) bool {
		var name string
		switch t := x.(type) {
		case *Field:
			name = t.Name
		case *SearchCmp:
			name = t.Field
		case *Match:
			name = t.Field
		default:
			return true
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
		return true
	})
	return out
}
