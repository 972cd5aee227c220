package plan

// AggFunc describes an aggregate function of a dialect: its arity. The
// executor owns the implementation (mergeable state).
type AggFunc struct {
	MinArgs, MaxArgs int
	// Star reports that the function accepts "*" (count(*)).
	Star bool
}

// LookupAgg returns a dialect's aggregate by lower-case name.
func LookupAgg(d Dialect, name string) (AggFunc, bool) {
	var a AggFunc
	var ok bool
	switch d {
	case ESQL:
		a, ok = esqlAggs[name]
	default:
		a, ok = splAggs[name]
	}
	return a, ok
}

var esqlAggs = map[string]AggFunc{
	"count":          {MinArgs: 0, MaxArgs: 1, Star: true},
	"count_distinct": {MinArgs: 1, MaxArgs: 2},
	"min":            {MinArgs: 1, MaxArgs: 1},
	"max":            {MinArgs: 1, MaxArgs: 1},
	"sum":            {MinArgs: 1, MaxArgs: 1},
	"avg":            {MinArgs: 1, MaxArgs: 1},
	"median":         {MinArgs: 1, MaxArgs: 1},
	"values":         {MinArgs: 1, MaxArgs: 1},
	"percentile":     {MinArgs: 2, MaxArgs: 2},
	"earliest":       {MinArgs: 1, MaxArgs: 1},
	"latest":         {MinArgs: 1, MaxArgs: 1},
}

var splAggs = map[string]AggFunc{
	"count":          {MinArgs: 0, MaxArgs: 1},
	"c":              {MinArgs: 0, MaxArgs: 1},
	"dc":             {MinArgs: 1, MaxArgs: 1},
	"distinct_count": {MinArgs: 1, MaxArgs: 1},
	"values":         {MinArgs: 1, MaxArgs: 1},
	"list":           {MinArgs: 1, MaxArgs: 1},
	"min":            {MinArgs: 1, MaxArgs: 1},
	"max":            {MinArgs: 1, MaxArgs: 1},
	"sum":            {MinArgs: 1, MaxArgs: 1},
	"avg":            {MinArgs: 1, MaxArgs: 1},
	"mean":           {MinArgs: 1, MaxArgs: 1},
	"median":         {MinArgs: 1, MaxArgs: 1},
	"earliest":       {MinArgs: 1, MaxArgs: 1},
	"latest":         {MinArgs: 1, MaxArgs: 1},
	"first":          {MinArgs: 1, MaxArgs: 1},
	"last":           {MinArgs: 1, MaxArgs: 1},
	"range":          {MinArgs: 1, MaxArgs: 1},
	"stdev":          {MinArgs: 1, MaxArgs: 1},
}
