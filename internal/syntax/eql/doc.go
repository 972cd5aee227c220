// Package eql is the EQL front end: it parses an Elastic Event Query
// Language event query, as Elastic EQL rules write it, into a plan.Query
// (dialect plan.EQL): a *plan.From over the rule's index patterns and a
// *plan.Where of the condition, with the category test
// event.category == "<category>" unless the category is "any".
//
// It follows Elasticsearch's EQL syntax reference: and/or/not, the
// comparisons == != < <= > >=, ":" (case-insensitive, "*" and "?"
// wildcards, one value or a list), like, like~, regex, regex~, in, in~ and
// not in, null, true and false, strings in double quotes with escapes and
// """raw""" strings, numbers, field names in backticks, // and /* */
// comments, arithmetic, and the functions of the EQL function reference
// (with their "~" case-insensitive forms). The functions themselves are
// evaluated by internal/scalar's EQL registry.
//
// A sequence query (sequence [by keys] [with maxspan=T] [q] [by k]
// [with runs=N] ... [until [q]]) plans as a *plan.Sequence after the From,
// missing-event steps (![q], Elasticsearch 8.x) included: first, last or
// between others, with at least one step that is not missing and a
// maxspan. Pipes (| head, | tail) and sample queries are refused.
//
// Every parse error is a *syntax.Error with a span inside the query.
//
// eql imports plan, syntax, event and the standard library only: never
// the executor, the runtime (internal/scalar), another front end or a
// rule loader.
package eql
