// Package kql is the KQL front end: it parses a Kibana Query Language
// filter, as Elastic query and threshold rules write it, into a plan.Query
// (dialect plan.KQL): a *plan.From over the rule's index patterns and, for
// a query that is not empty, a *plan.Where of plan.Match tests joined by
// AND, OR and NOT.
//
// It follows Kibana's grammar (kuery.peg): field:value, quoted phrases, "*"
// wildcards in values and in field names, field:* (exists), ranges (<, <=,
// >, >=), and/or/not in any case with not binding tighter than and, and
// and tighter than or, value lists field:(a or b and c), field:{ ... }
// (the inner field names are taken under the outer one), and backslash
// escapes. A value without a field (a search of every field) is refused.
//
// Each test carries its field's mapping type from internal/schema (text
// fields match by terms, the rest as whole values); field-name wildcards
// expand, at parse time, to the fields the ECS view knows for the sources
// the index patterns select.
//
// ParseThreshold and ParseNewTerms plan Elastic's threshold and new_terms
// rules over the same filter: a Stats per group of the rule's fields and
// a Where on its result (see rules.go). Those plans are in dialect
// plan.ESQL, whose typed aggregation and time arithmetic they need; the
// filter keeps its plan.Match tests, as in ES|QL's kql().
//
// Every parse error is a *syntax.Error with a span inside the query.
//
// kql imports plan, schema, syntax, event and the standard library only:
// never the executor, the runtime (internal/scalar), another front end or
// a rule loader.
package kql
