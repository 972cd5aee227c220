// Package bench measures tripline against DuckDB on the same question: the
// two seed rules of the built-in pack, run over the same generated day of
// CloudTrail and Bedrock invocation logs in one benchmark run.
//
// It is a module of its own so that DuckDB (cgo) is a dependency of the
// benchmark only; the tripline binary stays pure Go. All the code is in
// the test files; see README.md.
package bench
