package engine

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/inference"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/schedule"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
	"github.com/tripline/tripline/internal/syntax/eql"
	"github.com/tripline/tripline/internal/syntax/esql"
	"github.com/tripline/tripline/internal/syntax/kql"
	"github.com/tripline/tripline/internal/syntax/sigma"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// Compiled is a rule ready to run, or the reason it cannot.
type Compiled struct {
	Rule     *rule.Rule
	Program  *exec.Program
	Spec     schedule.Spec
	Warnings []string
	// Err is why the rule cannot run (a parse error is a *syntax.Error).
	Err error
	// exceptions stop the events and result rows users said are expected
	// (see ApplyExceptions); nil when none applies. It is swapped whole
	// while a live engine reads it.
	exceptions atomic.Pointer[exception.Matcher]
}

// Exceptions returns the rule's exception matcher (nil when none applies;
// a nil Matcher stops nothing).
func (c *Compiled) Exceptions() *exception.Matcher { return c.exceptions.Load() }

// ApplyExceptions gives each runnable rule the exceptions that apply to
// it, replacing those it had: safe while a live engine runs the rules, and
// from then on events and results are judged by the new set.
func ApplyExceptions(rules []*Compiled, excs []exception.Exception) {
	for _, c := range rules {
		if c.Runnable() {
			c.exceptions.Store(exception.NewMatcherWith(excs, c.Rule.ID, c.Program.View, c.Program.LogTypes, c.Program.Enrich(), nil))
		}
	}
}

// Runnable reports whether the rule compiled and is not skipped.
func (c *Compiled) Runnable() bool { return c.Err == nil && c.Program != nil }

// ParseQuery parses query text in a language into a plan.
func ParseQuery(language, text string, macros *spl.Macros) (*plan.Query, error) {
	switch language {
	case rule.LangESQL:
		return esql.Parse(text)
	case rule.LangSPL:
		if macros == nil {
			macros = spl.NewMacros()
		}
		return spl.Parse(text, macros)
	case rule.LangSigma:
		return sigma.Parse(text)
	case rule.LangKQL:
		return kql.Parse(text, nil)
	case rule.LangEQL:
		return eql.Parse(text, nil)
	}
	return nil, fmt.Errorf("language %q is not supported", language)
}

// Env is what rules read besides their own text: Splunk macros, the
// lookup tables of Splunk's lookup and inputlookup, the GeoIP database
// of iplocation, and the GeoIP and ASN databases of the ECS view's
// source.geo.* and source.as.*. Each may be nil.
type Env struct {
	Macros  *spl.Macros
	Lookups exec.Lookups
	GeoIP   exec.GeoIP
	Enrich  *schema.Enrich
	// Inference answers the prompts of ES|QL's COMPLETION. A rule whose
	// COMPLETION names an inference id with no endpoint here is skipped,
	// with that reason.
	Inference *inference.Client
}

// Compile parses, plans and compiles one rule with macros and no lookup
// tables or GeoIP database. It never fails: problems land in the result's
// Err and Warnings.
func Compile(r *rule.Rule, macros *spl.Macros) *Compiled {
	return CompileEnv(r, Env{Macros: macros})
}

// CompileEnv parses, plans and compiles one rule in an environment. It
// never fails: problems land in the result's Err and Warnings.
func CompileEnv(r *rule.Rule, env Env) *Compiled {
	macros := env.Macros
	c := &Compiled{Rule: r}
	switch {
	case r.Skip != "":
	case r.Language != rule.LangESQL && r.Language != rule.LangSPL && r.Language != rule.LangSigma && r.Language != rule.LangKQL && r.Language != rule.LangEQL:
		// A rule in a language we do not run yet is listed, not an error.
		r.Skip = fmt.Sprintf("%s rules are not run yet (tripline runs ES|QL, SPL, KQL, EQL and Sigma)", r.Language)
	}
	if r.Skip != "" {
		c.Err = errors.New(r.Skip)
		return c
	}
	c.Spec = schedule.Spec{Interval: r.Interval, LookBack: r.LookBack, WindowEnd: r.WindowEnd, MaxAlerts: r.MaxAlerts}
	if nt := r.NewTerms; nt != nil {
		// A new_terms rule reads its history and its window at each run:
		// from history_window_start to the window's end.
		c.Spec.LookBack = nt.History - r.WindowEnd
	}
	if err := c.Spec.Validate(); err != nil {
		c.Err = fmt.Errorf("schedule: %w", err)
		return c
	}
	c.Warnings = append(c.Warnings, c.Spec.Warnings()...)
	var q *plan.Query
	var err error
	switch r.Language {
	case rule.LangKQL:
		// A KQL filter names no data: the rule's index patterns do.
		q, err = planKQL(r)
	case rule.LangEQL:
		// Nor does an EQL query.
		q, err = eql.Parse(r.Query, r.Indices)
	case rule.LangSigma:
		// A Sigma rule may read other rules: the filters that apply to
		// it, the rules its correlation names.
		q, err = sigma.ParseWith(r.Query, sigmaOptions(r))
	default:
		q, err = ParseQuery(r.Language, r.Query, macros)
	}
	if err != nil {
		c.Err = err
		return c
	}
	xo := exec.Options{TimeField: r.TimestampOverride, Lookups: env.Lookups, GeoIP: env.GeoIP, Enrich: env.Enrich}
	for _, id := range completionIDs(q) {
		if !env.Inference.Has(id) {
			r.Skip = fmt.Sprintf("COMPLETION calls inference endpoint %q, which is not configured (give one with --inference, or serve's inference:)", id)
			c.Err = errors.New(r.Skip)
			return c
		}
		xo.Complete = env.Inference.CompleteFunc()
		if l := env.Inference.Limit(id); xo.CompleteLimit == 0 || l < xo.CompleteLimit {
			xo.CompleteLimit = l
		}
	}
	p, err := exec.Compile(q, xo)
	if err != nil {
		c.Err = fmt.Errorf("cannot plan query: %w", err)
		return c
	}
	c.Program = p
	c.Warnings = append(c.Warnings, p.Warnings...)
	return c
}

// completionIDs lists the inference ids a plan's COMPLETION commands name.
func completionIDs(q *plan.Query) []string {
	var ids []string
	for _, n := range q.Pipeline {
		if c, ok := n.(*plan.Completion); ok {
			ids = append(ids, c.InferenceID)
		}
	}
	return ids
}

// planKQL plans an Elastic rule written in KQL by its type: a query rule
// filters, a threshold rule counts per group, a new_terms rule keeps the
// terms first seen in its window.
func planKQL(r *rule.Rule) (*plan.Query, error) {
	switch {
	case r.Threshold != nil:
		t := kql.Threshold{Fields: r.Threshold.Fields, Value: r.Threshold.Value}
		for _, c := range r.Threshold.Cardinality {
			t.Cardinality = append(t.Cardinality, kql.Distinct{Field: c.Field, Value: c.Value})
		}
		return kql.ParseThreshold(r.Query, r.Indices, t)
	case r.NewTerms != nil:
		return kql.ParseNewTerms(r.Query, r.Indices, r.NewTerms.Fields, r.LookBack+r.WindowEnd)
	}
	return kql.Parse(r.Query, r.Indices)
}

// QuerySpec is the schedule an ad hoc query runs with: one window over all
// the data.
var QuerySpec = schedule.Spec{Interval: time.Hour, LookBack: time.Hour}

// ErrorDetail renders an error with its caret when it is a syntax error.
func ErrorDetail(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	return err.Error()
}
