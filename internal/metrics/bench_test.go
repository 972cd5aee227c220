package metrics

import (
	"io"
	"testing"
)

func BenchmarkCounterInc(b *testing.B) {
	c := NewRegistry().NewCounter("c_total", "c")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkCounterVecWith(b *testing.B) {
	cv := NewRegistry().NewCounterVec("c_total", "c", "source")
	b.ReportAllocs()
	for b.Loop() {
		cv.With("cloudtrail").Inc()
	}
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := NewRegistry().NewHistogram("h_seconds", "h", nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		v := 0.0
		for pb.Next() {
			h.Observe(v)
			v += 0.01
		}
	})
}

func BenchmarkWriteText(b *testing.B) {
	r := NewRegistry()
	cv := r.NewCounterVec("c_total", "c", "rule")
	hv := r.NewHistogramVec("h_seconds", "h", nil, "rule")
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		cv.With(id).Inc()
		hv.With(id).Observe(0.2)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
