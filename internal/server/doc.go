// Package server is tripline's HTTP API: alerts (list, get, change
// status), risk per entity, rule health, the ingest endpoint for live
// records, health and readiness probes, and Prometheus metrics.
//
// The live engine plugs in through the function types of Options (Ingest,
// Rules, Ready), so the server knows nothing of how records are decoded or
// rules run. Every error a handler returns becomes an HTTP status in one
// place, writeError.
//
// server imports store, alert and metrics. It never imports the executor,
// the engine or a front end.
package server
