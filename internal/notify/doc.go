// Package notify delivers alerts to the places people and other systems
// watch: standard output, a rotated NDJSON file, a signed generic webhook
// and a Slack incoming webhook, in tripline's own JSON, a Kibana-style ECS
// alert document or an OCSF Detection Finding.
//
// Delivery never slows detection down: network sinks and every sink behind
// a Router take alerts into a bounded queue drained by their own goroutine,
// and an alert that finds the queue full is dropped and counted, never
// waited for. Routes pick the sinks an alert goes to by severity and rule.
//
// notify imports alert, event and the standard library only. It must never
// import the executor, the engine or a store: the engine calls it, not the
// other way round.
package notify
