// Package lookup reads the CSV lookup tables that a user supplies for
// Splunk searches (lookup, inputlookup) from lookup directories, and
// matches rows against them as Splunk's CSV lookups do.
//
// A name resolves, in each directory in order, to a lookup definition
// NAME.yml (or .yaml: the settings of a transforms.conf stanza, as
// splunk/security_content ships them: filename, match_type,
// case_sensitive_match, min_matches, max_matches, default_match), then to
// NAME.csv, then to NAME itself when it ends in .csv. Tables are read once
// and kept; they are not written (outputlookup does not write, see
// internal/exec).
//
// lookup imports the standard library (plus a YAML decoder)
// only: never the executor or a front end.
package lookup
