// Package metrics is a small registry of Prometheus metrics (counters,
// gauges, histograms, optionally labelled) that writes the Prometheus text
// exposition format 0.0.4. Updating a metric is an atomic operation and
// never takes a lock, so it may sit on the hot path; a labelled child should
// be looked up once with With and kept.
//
// metrics imports only the standard library. It never imports another
// tripline package.
package metrics
