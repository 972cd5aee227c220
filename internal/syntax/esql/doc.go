// Package esql is the ES|QL front end: it lexes and parses an Elastic
// ES|QL query, as written in an Elastic detection rule, into a plan.Query
// (dialect plan.ESQL) whose first operator is a *plan.From.
//
// It covers the commands detection rules use (FROM with METADATA, WHERE,
// EVAL, STATS ... BY, INLINE STATS, KEEP, DROP, RENAME, SORT, LIMIT,
// MV_EXPAND, DISSECT, GROK) and ES|QL expressions: literals, time spans,
// casts, operators with ES|QL precedence, IN, LIKE, RLIKE, IS NULL and
// function calls. Bare expressions are named by their source text, as
// ES|QL names them. GROK patterns are translated to RE2 here, so the
// executor only ever sees regular expressions.
//
// Every parse error is a *syntax.Error with a span inside the query, so
// that a rule that does not parse is reported with line:col and a caret.
// After parsing, Parse checks the query as Elasticsearch's verifier does
// (verify.go): a column the query removed or no data could hold, a KEEP
// or DROP pattern that matches nothing, and a type mismatch between known
// types are errors with their span too; a field tripline's view does not
// derive but an Elastic user's data may hold is left to `rules validate`'s
// warnings. Field names and types come from internal/schema's ECS view,
// function and aggregate types from the registries' type rules.
// Parse checks aggregates against internal/aggregate's registry; Check
// checks scalar functions against internal/scalar's, separately, so that
// parsing never depends on the scalar functions. RLIKE patterns are
// Lucene regular expressions: Parse reads them with scalar.LuceneRegexp,
// the one reader of that syntax, so that a bad pattern fails with its
// place in the query; the plan keeps them as written.
//
// esql imports plan, aggregate (for Parse), scalar (for Check and RLIKE
// patterns), schema, syntax, the KQL front end (for kql()), event and
// the standard library only: never the executor (internal/exec), another
// front end or a rule loader.
package esql
