package main

import (
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/metrics"
)

// newObserver exposes the live engine's measurements as metrics in reg.
func newObserver(reg *metrics.Registry) engine.Observer { return metrics.NewEngineObserver(reg) }
