package plan

import (
	"strconv"
	"strings"
)

// Dialect is the language a query was written in. Operators and functions
// keep that language's semantics (types, nulls, case, ordering) at run time.
type Dialect uint8

// The dialects.
const (
	ESQL Dialect = iota + 1
	SPL
	Sigma
	// KQL is Kibana's query language, as Elastic query and threshold
	// rules write their filters.
	KQL
	// EQL is Elastic's Event Query Language, as Elastic EQL rules write
	// their queries.
	EQL
)

// String returns the dialect's name as rule files spell it.
func (d Dialect) String() string {
	switch d {
	case ESQL:
		return "esql"
	case SPL:
		return "spl"
	case Sigma:
		return "sigma"
	case KQL:
		return "kql"
	case EQL:
		return "eql"
	}
	return "unknown"
}

// Query is a whole planned query: the operators in pipeline order. The
// first node is always a *From.
type Query struct {
	Dialect  Dialect
	Pipeline []Node
}

// String prints the plan, one operator a line, each prefixed by "| " but
// the first.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString(q.Dialect.String())
	b.WriteString(": ")
	for i, n := range q.Pipeline {
		if i > 0 {
			b.WriteString("\n| ")
		}
		b.WriteString(n.String())
	}
	return b.String()
}

// Node is one logical operator. Implementations are immutable.
type Node interface {
	// String prints the operator as canonical text.
	String() string
	node()
}

// From selects the data: ES|QL index patterns, or the SPL index and
// sourcetype terms lifted out of the base search. Both empty means every
// source. Metadata lists ES|QL METADATA fields (_id, _index, _version).
// Datamodel names a Splunk data model dataset ("Risk.All_Risk") that an
// SPL query reads instead of raw logs (| from datamodel, | datamodel).
// Lookup names a lookup table whose rows an SPL query reads instead of
// events (| inputlookup NAME).
type From struct {
	Indices     []string
	Sourcetypes []string
	Metadata    []string
	Datamodel   string
	Lookup      string
}

// Where keeps the rows for which Cond is true (not false, not null).
type Where struct{ Cond Expr }

// Assign names the result of an expression.
type Assign struct {
	Name string
	Expr Expr
}

// Eval adds or replaces columns, in order; later assignments see earlier ones.
type Eval struct{ Assigns []Assign }

// Agg is one aggregate: Name = Func(Args...).
type Agg struct {
	Name string
	Func string
	Args []Expr
}

// Stats groups rows by the By expressions and computes the aggregates.
//
// ES|QL: output columns are the aggregates then the keys; a null key is a
// group of its own. SPL: output columns are the keys then the aggregates; a
// row whose key is null is dropped, and a multi-valued key puts the row in
// one group per value. Inline (ES|QL INLINE STATS, SPL eventstats) keeps
// every input row and adds the aggregates to it.
type Stats struct {
	Aggs   []Agg
	By     []Assign
	Inline bool
}

// Keep keeps the named columns, in the given order; names may hold "*".
type Keep struct{ Fields []string }

// Drop removes the named columns; names may hold "*".
type Drop struct{ Fields []string }

// RenamePair renames From to To.
type RenamePair struct{ From, To string }

// Rename renames columns. In SPL, renaming a missing column removes the
// target column (MissingRemoves); in ES|QL it is a no-op.
type Rename struct {
	Pairs          []RenamePair
	MissingRemoves bool
}

// Nulls says where nulls sort.
type Nulls uint8

// Null placements; NullsDefault is the dialect's own (ES|QL: last ascending,
// first descending; SPL: first ascending).
const (
	NullsDefault Nulls = iota
	NullsFirst
	NullsLast
)

// SortKey is one key of a Sort.
type SortKey struct {
	Expr  Expr
	Desc  bool
	Nulls Nulls
}

// Sort orders rows by the keys, stably.
type Sort struct{ Keys []SortKey }

// Limit keeps the first N rows, or the last N when Tail is set.
type Limit struct {
	N    int
	Tail bool
}

// MvExpand turns a row whose Field is multi-valued into one row per value.
type MvExpand struct{ Field string }

// Dissect splits the string in Field by a dissect pattern ("%{a} %{b}")
// into new columns. AppendSeparator joins "%{+a}" parts.
type Dissect struct {
	Field           Expr
	Pattern         string
	AppendSeparator string
}

// Extract matches a regular expression (RE2 syntax, anchored as the front
// end decided) against Field and sets a column per capture group: group i
// (1-based) goes to Names[i-1]; an empty name skips the group. Kind names
// the source syntax ("grok", "rex") for printing; Pattern is the original.
type Extract struct {
	Field   Expr
	Kind    string
	Pattern string
	Regex   string
	Names   []string
}

// Dedup keeps the first Count rows (default 1) for each combination of
// values of Fields; rows missing any of the fields are dropped, as Splunk does.
// Consecutive only removes runs of adjacent duplicates.
type Dedup struct {
	Fields      []string
	Count       int
	Consecutive bool
}

// FillNull replaces null in Fields (all columns when empty) by Value.
type FillNull struct {
	Value  Expr
	Fields []string
}

func (*From) node()     {}
func (*Where) node()    {}
func (*Eval) node()     {}
func (*Stats) node()    {}
func (*Keep) node()     {}
func (*Drop) node()     {}
func (*Rename) node()   {}
func (*Sort) node()     {}
func (*Limit) node()    {}
func (*MvExpand) node() {}
func (*Dissect) node()  {}
func (*Extract) node()  {}
func (*Dedup) node()    {}
func (*FillNull) node() {}

// String implements Node.
func (f *From) String() string {
	var parts []string
	if f.Lookup != "" {
		parts = append(parts, "lookup="+QuoteName(f.Lookup))
	}
	if f.Datamodel != "" {
		parts = append(parts, "datamodel="+f.Datamodel)
	}
	if len(f.Indices) > 0 {
		parts = append(parts, "index="+strings.Join(f.Indices, ","))
	}
	if len(f.Sourcetypes) > 0 {
		parts = append(parts, "sourcetype="+strings.Join(f.Sourcetypes, ","))
	}
	if len(f.Metadata) > 0 {
		parts = append(parts, "metadata="+strings.Join(f.Metadata, ","))
	}
	if len(parts) == 0 {
		return "from *"
	}
	return "from " + strings.Join(parts, " ")
}

// String implements Node.
func (w *Where) String() string { return "where " + w.Cond.String() }

// String implements Node.
func (e *Eval) String() string { return "eval " + joinAssigns(e.Assigns) }

// String implements Node.
func (s *Stats) String() string {
	var b strings.Builder
	if s.Inline {
		b.WriteString("inline ")
	}
	b.WriteString("stats ")
	for i, a := range s.Aggs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteName(a.Name))
		b.WriteString(" = ")
		b.WriteString((&Call{Name: a.Func, Args: a.Args}).String())
	}
	if len(s.By) > 0 {
		b.WriteString(" by ")
		b.WriteString(joinAssigns(s.By))
	}
	return b.String()
}

// String implements Node.
func (k *Keep) String() string { return "keep " + joinNames(k.Fields) }

// String implements Node.
func (d *Drop) String() string { return "drop " + joinNames(d.Fields) }

// String implements Node.
func (r *Rename) String() string {
	parts := make([]string, len(r.Pairs))
	for i, p := range r.Pairs {
		parts[i] = QuoteName(p.From) + " as " + QuoteName(p.To)
	}
	s := "rename " + strings.Join(parts, ", ")
	if r.MissingRemoves {
		s += " (missing removes)"
	}
	return s
}

// String implements Node.
func (s *Sort) String() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		p := k.Expr.String()
		if k.Desc {
			p += " desc"
		} else {
			p += " asc"
		}
		switch k.Nulls {
		case NullsFirst:
			p += " nulls first"
		case NullsLast:
			p += " nulls last"
		}
		parts[i] = p
	}
	return "sort " + strings.Join(parts, ", ")
}

// String implements Node.
func (l *Limit) String() string {
	if l.Tail {
		return "tail " + strconv.Itoa(l.N)
	}
	return "limit " + strconv.Itoa(l.N)
}

// String implements Node.
func (m *MvExpand) String() string { return "mv_expand " + QuoteName(m.Field) }

// String implements Node.
func (d *Dissect) String() string {
	s := "dissect " + d.Field.String() + " " + strconv.Quote(d.Pattern)
	if d.AppendSeparator != "" {
		s += " append_separator=" + strconv.Quote(d.AppendSeparator)
	}
	return s
}

// String implements Node.
func (e *Extract) String() string {
	return e.Kind + " " + e.Field.String() + " " + strconv.Quote(e.Pattern)
}

// String implements Node.
func (d *Dedup) String() string {
	s := "dedup "
	if d.Count > 1 {
		s += strconv.Itoa(d.Count) + " "
	}
	s += joinNames(d.Fields)
	if d.Consecutive {
		s += " consecutive=true"
	}
	return s
}

// String implements Node.
func (f *FillNull) String() string {
	s := "fillnull value=" + f.Value.String()
	if len(f.Fields) > 0 {
		s += " " + joinNames(f.Fields)
	}
	return s
}

func joinAssigns(as []Assign) string {
	parts := make([]string, len(as))
	for i, a := range as {
		if f, ok := a.Expr.(*Field); ok && f.Name == a.Name {
			parts[i] = QuoteName(a.Name)
			continue
		}
		parts[i] = QuoteName(a.Name) + " = " + a.Expr.String()
	}
	return strings.Join(parts, ", ")
}

func joinNames(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		if strings.Contains(n, "*") {
			parts[i] = n
			continue
		}
		parts[i] = QuoteName(n)
	}
	return strings.Join(parts, ", ")
}
