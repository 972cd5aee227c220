// Package aggregate holds the aggregate functions of STATS: one registry
// entry per name a dialect spells (arity, whether it takes "*", whether
// its state inverts, and the constructor of its state), and the states
// themselves. A State is mergeable: a pane's state takes rows, a window's
// merges its panes' states and, where the aggregate inverts, takes a
// leaving pane's back. States encode themselves for snapshots.
//
// Percentiles differ by dialect, as they do in the products: SPL's median
// keeps every value and is exact; ES|QL's median and percentile are
// merging t-digests, exact on small groups and estimates, in bounded
// memory, past them.
//
// Some aggregates read more than their first argument, which is all the
// executor evaluates per row: ES|QL's FIRST and LAST read their value and
// sort key packed into one by scalar.Keyed, and TOP its limit and order as
// one constant. The ES|QL front end writes their calls that way.
//
// aggregate imports plan (for the dialects), scalar (for the way SPL reads
// numbers and for keyed rows), event and the standard library only. It never imports an
// executor (internal/exec) or a front end (internal/syntax/...); plan and
// scalar never import it.
package aggregate
