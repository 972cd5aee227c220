// Package server is tripline's HTTP API: alerts (list, filter, group, get,
// change status one by one or many at once), risk per entity, rule health,
// searches of the event archive, exceptions (list, add, remove, their
// history), the ingest endpoint for live records, health and readiness probes, and
// Prometheus metrics. It also mounts the web UI's pages (Options.Pages)
// behind the same guard, and owns how a browser authenticates: a login
// with the token gives a signed session cookie, and every state-changing
// request from a browser must carry the CSRF token of its cookie.
//
// The live engine plugs in through the function types of Options (Ingest,
// Rules, Ready), so the server knows nothing of how records are decoded or
// rules run. Every error a handler returns becomes an HTTP status in one
// place, writeError.
//
// server imports store, alert, exception and metrics. It never imports the executor,
// the engine or a front end.
package server
