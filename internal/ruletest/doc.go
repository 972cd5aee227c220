// Package ruletest runs rules' tests: each test replays its rule's
// schedule over the test's events and compares the alerts with what it
// expects (Run). RunSet runs every test of a rule set, reporting as go
// test does, with files that did not load counted as failures, and writes
// the results as JUnit XML for CI systems.
package ruletest
