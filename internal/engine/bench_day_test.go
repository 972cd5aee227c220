package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// benchDays writes (once per machine, cached in the temp directory) n
// consecutive generated days into one directory tree and returns it.
func benchDays(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tripline-bench-days-%d-%d-v1", dayPrincipals, n))
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	for i := 0; i < n; i++ {
		day := generate.DefaultDay.AddDate(0, 0, i)
		_, err := generate.Day(generate.Options{
			Out: filepath.Join(tmp, day.Format("2006-01-02")), Seed: int64(i + 1), Day: day,
			Principals: dayPrincipals, Background: dayBackground,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(tmp, "done"), nil, 0o644)
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
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
