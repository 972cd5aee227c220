// Package scalar evaluates the scalar expressions of a plan: Compile turns
// a plan.Expr into an Evaluator over a Row, with the operators and the
// functions of the expression's dialect (ES|QL, SPL, Sigma). It holds the
// one registry of scalar functions (an entry per function: name,
// dialects, arity, evaluation, and for ES|QL the type rule that the checks
// before a query runs read: types.go) and what those functions need: dissect
// patterns, wildcard and regular expression matching, a multi-substring
// matcher. Date-time text (ISO 8601, strftime, Java patterns, spans) is
// read and written by internal/timefmt.
//
// Evaluators do not allocate per row where the result needs no new value:
// a Context carries the argument stack of the calls in progress.
//
// scalar imports plan, event, timefmt and the standard library only. It
// never imports an executor (internal/exec), a front end
// (internal/syntax/...) or internal/aggregate, which builds on it.
package scalar
