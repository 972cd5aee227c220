// Package service is `tripline serve` put together: its configuration
// (the YAML file, TRIPLINE_* variables, their defaults and checks, and
// the effective configuration printed in the file's own keys) and Run,
// which opens the alert store, restores the live engine, reads the
// watched directories, S3 buckets, standard input and the spool of pushed
// logs, sends notices through the sinks once each, and serves the API
// until its context ends, then drains and checkpoints.
//
// The command line only turns flags into a Config and calls Run.
package service
