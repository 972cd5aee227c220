package exec

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/schema"
)

// Literal is a piece of text a raw record must contain. Fold means the
// match ignores case; Text is then lower case.
type Literal struct {
	Text []byte
	Fold bool
	// anchor is the index in Text that a case-insensitive search scans for.
	anchor int
}

// Prefilter is a necessary condition on a record's raw text, derived from
// a program's filters: every clause needs at least one of its literals in
// the record. A record that fails it cannot produce a row, so it need not
// be parsed. The zero Prefilter admits everything.
type Prefilter struct {
	Clauses [][]Literal
}

// Empty reports whether the prefilter admits everything.
func (f Prefilter) Empty() bool { return len(f.Clauses) == 0 }

// NewLiteral returns the literal text, which folds case if fold is set.
func NewLiteral(text string, fold bool) Literal {
	l := Literal{Text: []byte(text), Fold: fold}
	if fold {
		l.Text = []byte(strings.ToLower(text))
	}
	l.anchor = anchorOf(l.Text, fold)
	return l
}

// In reports whether raw contains the literal.
func (l Literal) In(raw []byte) bool {
	if l.Fold {
		return indexFold(raw, l.Text, l.anchor) >= 0
	}
	return indexAnchored(raw, l.Text, l.anchor) >= 0
}

// Key identifies a literal's search: its text and whether case folds.
func (l Literal) Key() string {
	if l.Fold {
		return "i:" + string(l.Text)
	}
	return "s:" + string(l.Text)
}

// Match reports whether raw may produce a row.
func (f Prefilter) Match(raw []byte) bool {
	for _, c := range f.Clauses {
		ok := false
		for _, l := range c {
			if ok = l.In(raw); ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// String prints the prefilter for plans shown to people.
func (f Prefilter) String() string {
	var parts []string
	for _, c := range f.Clauses {
		var alts []string
		for _, l := range c {
			s := strconv.Quote(string(l.Text))
			if l.Fold {
				s += "i"
			}
			alts = append(alts, s)
		}
		parts = append(parts, "("+strings.Join(alts, " or ")+")")
	}
	return strings.Join(parts, " and ")
}

// minLiteral is the shortest literal worth a prefilter: shorter ones match
// nearly every record and cost more than they save.
const minLiteral = 4

// prefilterBuilder derives literals from conditions on event fields.
type prefilterBuilder struct {
	d        plan.Dialect
	view     schema.View
	logTypes []event.LogType
	// isField reports whether a name still reads an event field (not a
	// column computed by an earlier eval).
	isField func(name string) bool
}

// clauses returns the CNF clauses that e being true implies, or nil.
func (b *prefilterBuilder) clauses(e plan.Expr) [][]Literal {
	switch t := e.(type) {
	case *plan.Binary:
		switch t.Op {
		case "AND":
			return append(b.clauses(t.L), b.clauses(t.R)...)
		case "OR":
			l, r := b.clauses(t.L), b.clauses(t.R)
			if len(l) == 0 || len(r) == 0 {
				return nil
			}
			return [][]Literal{append(append([]Literal(nil), l[0]...), r[0]...)}
		case "==", "=~":
			name, lit, ok := fieldAndString(t.L, t.R)
			if !ok || !b.rawField(name) {
				return nil
			}
			return single(literalOf(lit, t.Op == "=~", false))
		}
	case *plan.In:
		if t.Not {
			return nil
		}
		f, ok := t.X.(*plan.Field)
		if !ok || !b.rawField(f.Name) {
			return nil
		}
		var alts []Literal
		for _, x := range t.List {
			lit, ok := x.(*plan.Literal)
			s, isStr := lit.Value.Str()
			if !ok || !isStr {
				return nil
			}
			// SPL's and Sigma's in ignore case; ES|QL's and EQL's do
			// not, but EQL's in~ does.
			fold := b.d != plan.ESQL && b.d != plan.EQL || t.Fold
			l, ok := literalOf(s, fold, false)
			if !ok {
				return nil
			}
			alts = append(alts, l)
		}
		if len(alts) == 0 {
			return nil
		}
		return [][]Literal{alts}
	case *plan.Like:
		f, ok := t.X.(*plan.Field)
		if t.Not || t.Regex || !ok || !b.rawField(f.Name) {
			return nil
		}
		var alts []Literal
		for _, p := range t.Patterns {
			l, ok := literalOf(p, t.Fold, true)
			if !ok {
				return nil
			}
			alts = append(alts, l)
		}
		return [][]Literal{alts}
	case *plan.SearchCmp:
		if t.Op != "=" || !b.rawField(t.Field) {
			return nil
		}
		return single(literalOf(t.Value, true, true))
	case *plan.SearchTerm:
		return single(literalOf(t.Term, true, true))
	case *plan.Match:
		// A keyword value is in the record as written; a text field's
		// terms, a number's spellings and an address block are not.
		if t.Op != ":" || t.Text || t.IsExists() || !b.rawField(t.Field) {
			return nil
		}
		if _, err := strconv.ParseFloat(t.Value, 64); err == nil || strings.Contains(t.Value, "/") {
			return nil
		}
		return single(literalOf(t.Value, false, t.Wildcard))
	}
	return nil
}

func single(l Literal, ok bool) [][]Literal {
	if !ok {
		return nil
	}
	return [][]Literal{{l}}
}

// rawField reports whether a field reads a raw JSON path (or nothing) in
// every log type the program reads, so its values appear in the record.
func (b *prefilterBuilder) rawField(name string) bool {
	if !b.isField(name) {
		return false
	}
	for _, lt := range b.logTypes {
		if _, ok := schema.RawPath(b.view, lt, name); ok {
			continue
		}
		if _, known := schema.Resolve(b.view, lt, name); known {
			return false // a computed field: its value need not be in the record
		}
	}
	return true
}

func fieldAndString(l, r plan.Expr) (string, string, bool) {
	if _, ok := l.(*plan.Field); !ok {
		l, r = r, l
	}
	f, ok := l.(*plan.Field)
	if !ok {
		return "", "", false
	}
	lit, ok := r.(*plan.Literal)
	if !ok {
		return "", "", false
	}
	s, ok := lit.Value.Str()
	return f.Name, s, ok && lit.Value.Kind() == event.String
}

// literalOf picks the longest run of characters that JSON never escapes
// and that wildcards do not break, so that its presence in the raw record
// is necessary for a match.
func literalOf(s string, fold, wildcards bool) (Literal, bool) {
	best, cur := "", strings.Builder{}
	flush := func() {
		if cur.Len() > len(best) {
			best = cur.String()
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case wildcards && (c == '*' || c == '?'):
			flush()
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == ' ', c == '_', c == '.', c == ':', c == '@', c == ',', c == '=', c == '+', c == '-':
			cur.WriteByte(c)
		default:
			flush()
		}
	}
	flush()
	if len(best) < minLiteral {
		return Literal{}, false
	}
	return NewLiteral(best, fold), true
}
