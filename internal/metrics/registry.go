package metrics

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the set of metrics one tripline process exposes. It is safe
// for concurrent use.
type Registry struct {
	*prometheus.Registry
}

// NewRegistry returns a registry that holds the Go runtime's metrics
// (go_*) and, where the operating system tells them, the process's
// (process_*: CPU seconds, resident memory, open file descriptors, start
// time).
func NewRegistry() *Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return &Registry{r}
}

// Handler serves the registry in the format the scraper asks for (the
// text format when it asks for none). A metric that cannot be gathered
// does not fail the scrape: the rest is served and the failure counted in
// promhttp_metric_handler_errors_total.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      r,
	})
}

// NewGaugeFunc registers a gauge whose value fn returns at each scrape (a
// queue's depth, a watermark's lag); fn must be safe to call from any
// goroutine. Registering a name twice is a programmer's bug and panics.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) {
	r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Register registers c and returns it or, when a collector of the same
// type with the same names, labels and help is registered already, that
// one, so two parts of a program (two servers in one test) may share a
// registry. Any other conflict is a programmer's bug and panics.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		if old, ok := are.ExistingCollector.(C); ok {
			return old
		}
	}
	panic(fmt.Sprintf("BUG: cannot register metric: %v", err))
}
