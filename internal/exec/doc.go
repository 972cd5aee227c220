// Package exec runs plans in process. A plan compiles into a Program: a
// per-event stream stage (filters, evals, extractions) that feeds either
// mergeable aggregate state or a row buffer, kept in time panes; and a tail
// stage that runs over the merged result of a window when a tick asks for it.
// A sequence (plan.Sequence) keeps instead a small record per matching
// event in the panes and matches the window's records, in time order, when
// a tick asks: one result per completed sequence, its events as evidence.
//
// exec imports event, plan, scalar, aggregate and schema. It never imports
// a front end (internal/syntax/...), the rule loaders or the alert store.
package exec
