package testutil

import (
	"slices"

	dto "github.com/prometheus/client_model/go"
)

// MetricSample returns the sample of f whose labels are exactly these
// name, value pairs, in the order the exposition sorts them, or nil.
func MetricSample(f *dto.MetricFamily, pairs ...string) *dto.Metric {
	for _, m := range f.GetMetric() {
		var got []string
		for _, l := range m.GetLabel() {
			got = append(got, l.GetName(), l.GetValue())
		}
		if slices.Equal(got, pairs) {
			return m
		}
	}
	return nil
}
