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
// Correlation rules are reported as not run yet. The old aggregations
// ("| count() by x > 5", "| count(field) > n", "| near b") run over the
// detection's timeframe.
package sigma
