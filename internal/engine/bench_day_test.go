package engine

import (
	"context"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/generate"
)

// The day benchmarks replay generated days of a 3,000-principal account
// (about a million CloudTrail records and 80,000 invocation records a day,
// in AWS's S3 layout and delivery format) through the seed rules and the
// whole built-in pack, so that their ratio is measured in one run:
//
//	go test -run XXX -bench 'HuntDay' -benchtime 1x -benchmem ./internal/engine
const (
	dayPrincipals = 3000
	dayBackground = 0.315
)

// benchDays returns n generated days of the benchmark account, writing
// them once per machine.
func benchDays(b *testing.B, n int) string {
	b.Helper()
	dir, err := generate.BenchDays{N: n, Principals: dayPrincipals, Background: dayBackground}.Ensure()
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func BenchmarkHuntDaySeeds(b *testing.B) { benchHuntDays(b, seedRules(b), 1) }
func BenchmarkHuntDayPack(b *testing.B)  { benchHuntDays(b, builtinRules(b), 1) }
func BenchmarkHuntWeekPack(b *testing.B) { benchHuntDays(b, builtinRules(b), 7) }

func benchHuntDays(b *testing.B, rules []*Compiled, days int) {
	dir := benchDays(b, days)
	b.ReportAllocs()
	b.ResetTimer()
	var records int64
	for i := 0; i < b.N; i++ {
		rep, err := Hunt(context.Background(), rules, []string{dir}, HuntOptions{})
		if err != nil {
			b.Fatal(err)
		}
		records += int64(rep.Read.Seen())
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Second), "s/run")
}
