package plan

import (
	"strconv"
	"strings"
)

// LookupField pairs a column of a lookup table with the row's field of
// the name Field ("user AS src_user": Column user, Field src_user).
type LookupField struct{ Column, Field string }

func (f LookupField) String() string {
	if f.Column == f.Field {
		return QuoteName(f.Column)
	}
	return QuoteName(f.Column) + " as " + QuoteName(f.Field)
}

// Lookup enriches each row from a lookup table that the user supplies
// (SPL's lookup): the table's rows whose Match columns match the row's
// fields give the Output columns, as multi-values when several rows
// match. Output empty means every column of the table but the match ones.
// A row that matches nothing gets null outputs; with OutputNew, a field
// the row already has is left alone either way.
type Lookup struct {
	Table     string
	Match     []LookupField
	Output    []LookupField
	OutputNew bool
}

// IPLocation adds the location of the IP address in Field from the
// geolocation database the user supplies (SPL's iplocation): City,
// Country, Region, lat and lon (and Continent, MetroCode, Timezone with
// AllFields), each name preceded by Prefix. An address the database does
// not hold adds nothing.
type IPLocation struct {
	Field     string
	Prefix    string
	AllFields bool
	Lang      string
}

// InputLookup appends the rows of a lookup table after the rows it is
// given (SPL's "inputlookup append=true"); a query that starts with
// "| inputlookup" reads the table instead of events (From.Lookup).
type InputLookup struct {
	Table string
}

// OutputLookup passes its rows on unchanged and names the lookup table
// Splunk would write them to (SPL's outputlookup).
type OutputLookup struct {
	Table  string
	Append bool
}

// AddInfo adds the time range of the window being evaluated and the time
// of the evaluation: info_min_time, info_max_time, info_search_time.
type AddInfo struct{}

func (*Lookup) node()       {}
func (*IPLocation) node()   {}
func (*InputLookup) node()  {}
func (*OutputLookup) node() {}
func (*AddInfo) node()      {}

// String implements Node.
func (l *Lookup) String() string {
	var b strings.Builder
	b.WriteString("lookup ")
	b.WriteString(QuoteName(l.Table))
	for i, m := range l.Match {
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(m.String())
	}
	if len(l.Output) > 0 {
		if l.OutputNew {
			b.WriteString(" outputnew ")
		} else {
			b.WriteString(" output ")
		}
		for i, o := range l.Output {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.String())
		}
	} else if l.OutputNew {
		b.WriteString(" outputnew")
	}
	return b.String()
}

// String implements Node.
func (l *IPLocation) String() string {
	s := "iplocation "
	if l.Prefix != "" {
		s += "prefix=" + strconv.Quote(l.Prefix) + " "
	}
	if l.AllFields {
		s += "allfields=true "
	}
	if l.Lang != "" {
		s += "lang=" + strconv.Quote(l.Lang) + " "
	}
	return s + QuoteName(l.Field)
}

// String implements Node.
func (l *InputLookup) String() string { return "inputlookup append=true " + QuoteName(l.Table) }

// String implements Node.
func (l *OutputLookup) String() string {
	s := "outputlookup "
	if l.Append {
		s += "append=true "
	}
	return s + QuoteName(l.Table)
}

// String implements Node.
func (*AddInfo) String() string { return "addinfo" }
