// Package plan is the language-neutral form of a query: a pipeline of
// logical operators (Node) over rows, and scalar expressions (Expr) with
// their evaluation. Every front end (ES|QL, SPL, Sigma) produces a *Query;
// every executor (the in-process one, ClickHouse) consumes one. It is the
// only thing they share.
//
// A plan prints itself back as canonical text (Query.String); parsing that
// text's source again must print the same text.
//
// plan imports event and the standard library only: never a front end,
// never an executor.
package plan
