package plan

import (
	"strconv"
	"strings"
)

// Subsearch is a query run over the same window as the query that holds
// it, before it: over the window's events, or over a lookup table when it
// starts with "| inputlookup". MaxOut caps the rows it gives (0: no cap).
type Subsearch struct {
	Query  *Query
	MaxOut int
}

// String prints the subsearch's plan on one line, in brackets.
func (s *Subsearch) String() string {
	q := strings.ReplaceAll(s.Query.String(), "\n| ", " | ")
	if s.MaxOut > 0 {
		return "[maxout=" + strconv.Itoa(s.MaxOut) + " " + q + "]"
	}
	return "[" + q + "]"
}

// JoinType says which rows a join keeps.
type JoinType uint8

// The join types: Inner keeps the rows that match a subsearch row, Left
// (Splunk's left and outer) keeps every row.
const (
	JoinInner JoinType = iota
	JoinLeft
)

// Join adds to each row the fields of the subsearch's rows that hold the
// same values in every one of Fields (SPL's join). Max is how many
// matching subsearch rows a row joins, each giving a row of its own (0:
// all). With Overwrite a subsearch field replaces the row's field of the
// same name; without it the row keeps its own.
type Join struct {
	Type      JoinType
	Max       int
	Fields    []string
	Overwrite bool
	Sub       *Subsearch
}

// Append adds the subsearch's rows after the rows it is given.
type Append struct{ Sub *Subsearch }

// SubsearchFilter keeps the rows that match one of the subsearch's rows,
// as Splunk reads a subsearch in a search: each of its rows becomes
// (f1="v1" AND f2="v2" ...), and the rows are OR-ed; a multi-valued field
// matches any of its values; comparisons are those of the search command
// (case-insensitive, * a wildcard). A subsearch with no rows keeps none.
type SubsearchFilter struct{ Sub *Subsearch }

func (*Join) node()            {}
func (*Append) node()          {}
func (*SubsearchFilter) node() {}

// String implements Node.
func (j *Join) String() string {
	var b strings.Builder
	b.WriteString("join")
	if j.Type == JoinLeft {
		b.WriteString(" type=left")
	}
	if j.Max != 1 {
		b.WriteString(" max=" + strconv.Itoa(j.Max))
	}
	if !j.Overwrite {
		b.WriteString(" overwrite=false")
	}
	if len(j.Fields) > 0 {
		b.WriteString(" ")
		b.WriteString(joinNames(j.Fields))
	}
	b.WriteString(" ")
	b.WriteString(j.Sub.String())
	return b.String()
}

// String implements Node.
func (a *Append) String() string { return "append " + a.Sub.String() }

// String implements Node.
func (f *SubsearchFilter) String() string { return "where subsearch " + f.Sub.String() }
