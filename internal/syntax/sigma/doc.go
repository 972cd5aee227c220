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
// Sigma rules see raw CloudTrail paths (userIdentity.arn, eventName), as
// the Raw view of package schema names them. Two gaps follow from that
// view: its Splunk CIM names (status, action, user, src, ...) shadow a
// record's own paths of the same name, and a field holding a JSON object
// reads as null, so a value matched against requestParameters itself never
// matches. The corpus entries they affect are marked known_gap in
// internal/engine/testdata/sigma_corpus_events.json.
//
// Correlation rules and the old aggregation syntax ("| count() by x > 5")
// are reported as not run yet, with their place in the rule.
package sigma
