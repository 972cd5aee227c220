// Package lint checks detection rules before they run, the way a compiler's
// vet step checks code: it finds what parses and plans but cannot work as
// meant. It warns about fields a rule names that its log types never have
// in its view (with the closest known name), thresholds that can never be
// reached, and look-backs shorter than the interval. It also places query
// errors in the rule's file, reads rule tests kept beside Elastic or Splunk
// rule files (<rule>.tests.yaml), and maps the MITRE ATT&CK and ATLAS
// coverage and the data sources of a set of rules.
//
// lint works on rules (internal/rule) and compiled programs (internal/exec,
// internal/plan, internal/schema, internal/schedule). It must not import
// internal/engine, a front end (internal/syntax/esql, spl) or the command;
// the command compiles rules and hands lint the results.
package lint
