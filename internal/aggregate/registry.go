package aggregate

import (
	"sort"

	"github.com/tripline/tripline/internal/scalar"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// Func is one aggregate function of a dialect: the registry holds an entry
// per name a dialect spells (SPL's c and count are two entries that make
// the same state).
type Func struct {
	Name             string
	Dialect          plan.Dialect
	MinArgs, MaxArgs int
	// Star reports that the function accepts "*" (count(*)).
	Star bool
	// Inverts reports that Sub can take a merged state back, at least
	// some of the time: counts and distinct counts always; sums of whole
	// numbers; values() unless a value came written two ways; min, max,
	// earliest, latest and range when the leaving state did not hold the
	// extreme. A state that does not invert always has Sub report false,
	// and a window merges its remaining panes instead.
	Inverts bool
	// New returns fresh state. star is set for count(*) and for SPL's
	// bare count; param is the literal second argument (percentile's),
	// null when there is none.
	New func(star bool, param event.Value) State
	// Sig is the aggregate's type rule in ES|QL, what the checks before a
	// query runs know of it; nil when not checked.
	Sig *scalar.Sig
}

// Lookup returns a dialect's aggregate by lower-case name. Sigma has SPL's
// aggregates.
func Lookup(d plan.Dialect, name string) (*Func, bool) {
	var f *Func
	switch d {
	case plan.ESQL:
		f = esqlAggs[name]
	case plan.Sigma:
		if f = sigmaAggs[name]; f == nil {
			f = splAggs[name]
		}
	default:
		f = splAggs[name]
	}
	return f, f != nil
}

// Funcs returns the aggregates of a dialect, sorted by name.
func Funcs(d plan.Dialect) []*Func {
	tab := splAggs
	if d == plan.ESQL {
		tab = esqlAggs
	}
	out := make([]*Func, 0, len(tab))
	for _, f := range tab {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var esqlAggs = table(plan.ESQL, map[string]*Func{
	"count":          {MinArgs: 0, MaxArgs: 1, Star: true, Inverts: true, New: newCount(true), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.Returns(scalar.Long)}},
	"count_distinct": {MinArgs: 1, MaxArgs: 2, Inverts: true, New: newDistinct, Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType, scalar.Numeric}, Result: scalar.Returns(scalar.Long)}},
	"min":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newExtreme(false, false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Ordered}, Result: scalar.SameAs(0)}},
	"max":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newExtreme(true, false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Ordered}, Result: scalar.SameAs(0)}},
	"sum":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newSum(false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Numeric}, Result: sumType}},
	"avg":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newSum(true), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Numeric}, Result: scalar.Returns(scalar.Double)}},
	"median":         {MinArgs: 1, MaxArgs: 1, New: newDigest(50), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Numeric}, Result: scalar.Returns(scalar.Double)}},
	"values":         {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newValueSet(false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.SameAs(0)}},
	"percentile":     {MinArgs: 2, MaxArgs: 2, New: newDigest(-1), Sig: &scalar.Sig{Params: []scalar.Types{scalar.Numeric}, Result: scalar.Returns(scalar.Double)}},
	"earliest":       {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.SameAs(0)}},
	"latest":         {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(true), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.SameAs(0)}},
	// first and last read $keyed(value, sort), which the ES|QL front end
	// writes for first(value, sort), and top its limit and order as one
	// constant: see keyed and newTop.
	"first": {MinArgs: 2, MaxArgs: 2, Inverts: true, New: newKeyed(false), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.SameAs(0)}},
	"last":  {MinArgs: 2, MaxArgs: 2, Inverts: true, New: newKeyed(true), Sig: &scalar.Sig{Params: []scalar.Types{scalar.AnyType}, Result: scalar.SameAs(0)}},
	"top":   {MinArgs: 2, MaxArgs: 3, Inverts: true, New: newTop, Sig: &scalar.Sig{Params: []scalar.Types{scalar.Ordered, scalar.AnyType}, Result: scalar.SameAs(0)}},
})

var splAggs = table(plan.SPL, map[string]*Func{
	"count":          {MinArgs: 0, MaxArgs: 1, Inverts: true, New: newCount(false)},
	"c":              {MinArgs: 0, MaxArgs: 1, Inverts: true, New: newCount(false)},
	"dc":             {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newDistinct},
	"distinct_count": {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newDistinct},
	"values":         {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newValueSet(true)},
	"list":           {MinArgs: 1, MaxArgs: 1, New: newList},
	"min":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newExtreme(false, true)},
	"max":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newExtreme(true, true)},
	"sum":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newSum(false)},
	"avg":            {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newSum(true)},
	"mean":           {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newSum(true)},
	"median":         {MinArgs: 1, MaxArgs: 1, New: newQuantile(50)},
	"earliest":       {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(false)},
	"latest":         {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(true)},
	// Splunk returns events newest first, so first() is the latest value.
	"first": {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(true)},
	"last":  {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newByTime(false)},
	"range": {MinArgs: 1, MaxArgs: 1, Inverts: true, New: newRange},
	"stdev": {MinArgs: 1, MaxArgs: 1, New: newStdev},
})

// sigmaAggs are what Sigma correlations need beyond SPL's aggregates:
// value_percentile's exact percentile(field, q).
var sigmaAggs = table(plan.Sigma, map[string]*Func{
	"percentile": {MinArgs: 2, MaxArgs: 2, New: func(_ bool, param event.Value) State {
		p, ok := param.Number()
		if !ok || p < 0 || p > 100 {
			p = 50
		}
		return &quantile{q: p}
	}},
})

// table names a dialect's entries by their keys.
func table(d plan.Dialect, fs map[string]*Func) map[string]*Func {
	for name, f := range fs {
		f.Name, f.Dialect = name, d
	}
	return fs
}

// newCount counts rows for count(*) (and SPL's bare count), else the
// values of its argument: every value of a multi-value when perValue
// (ES|QL), the rows that have one otherwise (Splunk).
func newCount(perValue bool) func(bool, event.Value) State {
	return func(star bool, _ event.Value) State {
		if star {
			return &countRows{}
		}
		return &countValues{perValue: perValue}
	}
}

func newDistinct(bool, event.Value) State { return &distinct{} }

func newExtreme(max, spl bool) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &extreme{max: max, spl: spl} }
}

func newSum(avg bool) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &sum{avg: avg} }
}

// newQuantile makes an exact q-th percentile (Splunk's median).
func newQuantile(q float64) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &quantile{q: q} }
}

// newDigest makes a t-digest estimate of the q-th percentile, or of the
// one its parameter names when q < 0 (ES|QL's median and percentile).
func newDigest(q float64) func(bool, event.Value) State {
	return func(_ bool, param event.Value) State {
		if q < 0 {
			p, ok := param.Number()
			if !ok {
				p = -1 // no such percentile: the result is null
			}
			return &tdigest{q: p}
		}
		return &tdigest{q: q}
	}
}

func newValueSet(sortText bool) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &valueSet{sortText: sortText} }
}

func newList(bool, event.Value) State { return &list{} }

func newByTime(latest bool) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &byTime{latest: latest} }
}

func newRange(bool, event.Value) State { return &rangeAgg{} }

func newStdev(bool, event.Value) State { return &stdev{} }

// sumType is sum()'s result: a long over whole numbers, else a double.
func sumType(args []scalar.Arg) scalar.Type {
	if len(args) > 0 && (args[0].Type == scalar.Double || args[0].Type == scalar.Any) {
		return args[0].Type
	}
	return scalar.Long
}
