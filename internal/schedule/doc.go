// Package schedule computes when rules run on event time: ticks every
// interval, the window each tick covers, the pane width that lets a tick
// merge state instead of rescanning, and the watermark that says when live
// data is complete enough to run a tick.
//
// schedule imports only the standard library.
package schedule
