// Package sigma is the Sigma front end: it reads a Sigma rule's logsource
// and detection and plans them as a filter over the log source the rule
// names, in the same plan the ES|QL and SPL front ends produce.
//
// Matching follows the Sigma specification (version 2): values match
// whole field values, case-insensitively, with * and ? wildcards (\
// escapes them); a list of values is any of them (all of them with |all);
// a map's fields must all match; a list of maps is any of the maps. The
// value modifiers contains, startswith, endswith, all, re (with i, m, s),
// cidr, base64, base64offset, wide/utf16le/utf16be/utf16, windash, exists,
// gt/gte/lt/lte, cased, fieldref and expand are read; conditions take and,
// or, not, parentheses, "1 of" / "all of" a name pattern or "them".
// Sigma rules see the record's own JSON paths (userIdentity.arn,
// eventName), the Paths view of package schema, and no Splunk CIM names; a
// field that holds an object (requestParameters) reads as the values inside
// it, so "requestParameters|contains: Suspended" matches when any of them
// does.
//
// Correlation rules (Sigma correlation rules specification 2.1) plan over
// the rules they name, found in the same multi-document text or through
// Options.Resolve: a From over the rules' log sources, a Where that is the
// OR of their conditions, an Eval naming the rule each event matched
// (RuleColumn) and the group-by aliases, then a Stats by the group-by with
// a Where for the condition (event_count, value_count, value_sum,
// value_avg, value_percentile, and temporal: the distinct rules matched),
// or a Sequence by the group-by within the timespan (temporal_ordered).
// The window itself is the rule's schedule, which the rule loader sets
// from the timespan. A correlation over another correlation is refused.
//
// Filters (Sigma filters specification) are separate documents; the rule
// set decides which apply to a rule and passes them in Options.Filters,
// and each takes the events its condition selects out of the rule.
// |expand placeholders (%name%) take their values from
// Options.Placeholders; one without values is an error at its field.
//
// The old aggregations ("| count() by x > 5", "| count(field) > n",
// "| near b") run over the detection's timeframe.
//
// The package must not import the executor (internal/exec) or the rule
// model (internal/rule): it reads text and returns plans.
package sigma
