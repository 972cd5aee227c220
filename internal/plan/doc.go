// Package plan is the language-neutral form of a query: a pipeline of
// logical operators (Node) over rows, and the scalar expressions (Expr)
// they hold. Every front end (ES|QL, SPL, Sigma) produces a *Query; every
// executor (the in-process one, ClickHouse) consumes one. It is the only
// thing they share.
//
// A plan is a representation, not a runtime: nodes hold expressions, never
// compiled evaluators, and nothing here evaluates them. Evaluation is
// internal/scalar's; aggregate state is internal/aggregate's.
//
// A plan prints itself back as canonical text (Query.String); parsing that
// text's source again must print the same text.
//
// plan imports event and the standard library only: never the runtime
// (internal/scalar, internal/aggregate), a front end or an executor.
package plan
