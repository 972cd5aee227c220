package scalar

import (
	"math"
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// Func is one scalar function. The registry holds one entry per function:
// a function that behaves alike in several dialects is a single entry
// listing them all, and one that differs has an entry per dialect.
type Func struct {
	Name string
	// Dialects are the dialects that have the function. Sigma has SPL's.
	Dialects         []plan.Dialect
	MinArgs, MaxArgs int // MaxArgs < 0: variadic
	// Eval computes the result from evaluated arguments.
	Eval func(ctx *Context, args []event.Value) event.Value
	// Lazy, when set instead of Eval, receives the argument evaluators so
	// that it can evaluate only what it needs (case, if, coalesce).
	Lazy func(ctx *Context, row Row, args []Evaluator) event.Value
	// Sig is the function's type rule in ES|QL, what the checks before a
	// query runs know of it (see types.go); nil when not checked.
	Sig *Sig
}

// Lookup returns a dialect's scalar function by lower-case name.
func Lookup(d plan.Dialect, name string) (*Func, bool) {
	if d == plan.Sigma {
		d = plan.SPL
	}
	f := registry.byName[d][name]
	return f, f != nil
}

// Funcs returns the functions of a dialect, sorted by name.
func Funcs(d plan.Dialect) []*Func {
	if d == plan.Sigma {
		d = plan.SPL
	}
	out := make([]*Func, 0, len(registry.byName[d]))
	for _, f := range registry.byName[d] {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sharedFuncs behave the same in ES|QL and SPL.
var sharedFuncs = map[string]*Func{
	"coalesce": (&Func{MinArgs: 1, MaxArgs: -1, Lazy: lazyCoalesce}).sig(&Sig{Params: []Types{AnyType}, Result: Common(0, 1), Same: allArgs}),
	"md5":      strict(1, 1, hashFunc("md5")).typed(Returns(Keyword), String),
	"sha1":     strict(1, 1, hashFunc("sha1")).typed(Returns(Keyword), String),
	"sha256":   strict(1, 1, hashFunc("sha256")).typed(Returns(Keyword), String),
	"pi":       constFunc(event.DoubleValue(math.Pi)).typed(Returns(Double)),
}

// registry indexes the function tables by dialect and name. Each table's
// keys name its entries; a table lists the dialects its entries belong to.
var registry = newRegistry([]funcTable{
	{esqlFuncs, []plan.Dialect{plan.ESQL}},
	{splFuncs, []plan.Dialect{plan.SPL}},
	{sharedFuncs, []plan.Dialect{plan.ESQL, plan.SPL}},
	{eqlFuncs, []plan.Dialect{plan.EQL}},
})

type funcTable struct {
	funcs    map[string]*Func
	dialects []plan.Dialect
}

type funcRegistry struct {
	byName map[plan.Dialect]map[string]*Func
}

func newRegistry(tables []funcTable) funcRegistry {
	r := funcRegistry{byName: map[plan.Dialect]map[string]*Func{}}
	for _, t := range tables {
		for name, f := range t.funcs {
			f.Name, f.Dialects = name, t.dialects
			for _, d := range t.dialects {
				if r.byName[d] == nil {
					r.byName[d] = map[string]*Func{}
				}
				if r.byName[d][name] != nil {
					panic("BUG: function " + name + " registered twice for " + d.String())
				}
				r.byName[d][name] = f
			}
		}
	}
	return r
}
