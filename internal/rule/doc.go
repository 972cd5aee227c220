// Package rule holds the detection rule model and its loaders: tripline's
// native YAML, Elastic detection-rules TOML, Kibana's NDJSON rule export,
// splunk/security_content detection YAML (classic and finding schemas) and
// Sigma YAML. Loading normalises metadata (schedule, severity, risk, MITRE
// ATT&CK and ATLAS, guide, drilldowns, tests) and keeps each query exactly as
// written; rules in languages tripline does not run load with a Skip reason.
// Broken files and rules come back as Problems with file and line:col, and
// the other rules still load.
//
// The package parses no query language and must not import the executor
// (internal/exec), the front ends (internal/syntax/...) or internal/plan and
// internal/event: it describes rules, it does not run them.
package rule
