// Package testch starts a throw-away two-shard ClickHouse cluster for
// tests: two clickhouse-server processes on 127.0.0.1, each with its own
// temporary directory and free ports, both configured with the cluster
// Cluster naming the two as shards, stopped when the test ends. Tests skip
// when Debian's clickhouse-server package is not installed.
//
// Only tests import it. It imports the standard library alone and must
// not import any of tripline's packages, nor a ClickHouse driver: callers
// connect with the addresses it returns.
package testch
