// Package ruleset loads the rules of a run: the built-in pack and the
// user's rule files, compiled, with every problem kept for the caller to
// report rather than printed. It also says what state each rule is in
// (ok, skipped, error, with warnings located in the rule's file) and
// renders one rule in full, for the command line and the API alike.
//
// Loading never fails because a rule is broken: a broken file or rule is
// a Problem, a rule that does not compile carries its error, and the rest
// load. Only the Splunk macro directories, which every rule may need, stop
// a load.
package ruleset
