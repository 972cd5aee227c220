// Package metrics builds tripline's Prometheus registry on
// github.com/prometheus/client_golang: the registry /metrics serves, with
// the Go runtime's (go_*) and the process's (process_*) metrics already in
// it. Callers define their own metrics with client_golang's types and
// register them here.
//
// metrics imports no tripline package.
package metrics
