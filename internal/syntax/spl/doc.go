// Package spl is the Splunk SPL front end: it expands search macros (the
// backtick `name(args)` calls of Splunk and of splunk/security_content),
// lexes and parses a search pipeline and turns it into a *plan.Query with
// Dialect plan.SPL.
//
// The base search becomes a *plan.From (its top-level index= and
// sourcetype= terms) followed by a *plan.Where of SearchCmp/SearchTerm
// predicates; every later command maps to one or more plan nodes. A query
// that starts with "| from datamodel NAME" or "| datamodel MODEL DATASET
// search" becomes a *plan.From naming the data model dataset; in such a
// query the search command's time modifiers (starthoursago=, earliest=,
// latest=, ...) become conditions on _time against now() instead of being
// dropped, since no schedule sets its time range. Errors
// are *syntax.Error positioned in the text the caller gave, before macro
// expansion.
//
// A query that starts with "| tstats ... from datamodel=MODEL" reads the
// events of a CIM data model dataset that internal/schema builds over
// CloudTrail (Change, Authentication): a From naming the dataset, a Where
// of the dataset's constraint (its tags) and the where clause, and a Stats
// of the aggregates by the by-fields. summariesonly= and the other options
// about Splunk's accelerated summaries change nothing: tripline reads the
// events themselves.
//
// spl imports plan, schema (the data models' datasets), scalar (to check
// the time modifiers of a data model search), syntax, event and the
// standard library (plus a YAML decoder for macro files) only: never an
// executor (internal/exec), never another front end.
package spl
