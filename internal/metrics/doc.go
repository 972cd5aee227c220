// Package metrics builds tripline's Prometheus registry on
// github.com/prometheus/client_golang: the registry /metrics serves, with
// the Go runtime's (go_*) and the process's (process_*) metrics already in
// it, and the metrics of the live engine's measurements. Callers define
// their own metrics with client_golang's types and register them here.
//
// metrics imports event, for the engine's measurements, and otherwise no
// tripline package: never the engine, the server or a front end.
package metrics
