package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/rules"
)

// The day is the one internal/engine's BenchmarkHuntDay* use: a generated
// day of a 3,000-principal account, written once per machine to the temp
// directory by whichever benchmark needs it first.
const (
	dayPrincipals = 3000
	dayBackground = 0.315
)

// day is the generated day both sides read.
var day = generate.BenchDays{N: 1, Principals: dayPrincipals, Background: dayBackground}

// benchDay returns the day directory, generating it when it is missing.
func benchDay(b *testing.B) string {
	b.Helper()
	dir, err := day.Ensure()
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// seedRules compiles the two seed rules of the built-in pack.
func seedRules(tb testing.TB) (splunk, elastic *engine.Compiled) {
	tb.Helper()
	rs, probs := rule.LoadFS(rules.FS, ".")
	if len(probs) > 0 {
		tb.Fatalf("built-in rules have problems: %v", probs)
	}
	for _, r := range rs {
		if r.ID != generate.SplunkSeedRuleID && r.ID != generate.ElasticSeedRuleID {
			continue
		}
		c := engine.Compile(r, nil)
		if c.Err != nil {
			tb.Fatalf("seed rule %s does not compile: %s", r.ID, engine.ErrorDetail(c.Err))
		}
		if r.ID == generate.SplunkSeedRuleID {
			splunk = c
		} else {
			elastic = c
		}
	}
	if splunk == nil || elastic == nil {
		tb.Fatal("the built-in pack lacks a seed rule")
	}
	return splunk, elastic
}

func huntSeeds(tb testing.TB, dir string) *engine.Report {
	tb.Helper()
	splunk, elastic := seedRules(tb)
	rep, err := engine.Hunt(context.Background(), []*engine.Compiled{splunk, elastic}, []string{dir}, engine.HuntOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, rr := range rep.Rules {
		if rr.Err != nil {
			tb.Fatalf("rule %s failed: %v", rr.Compiled.Rule.ID, rr.Err)
		}
	}
	return rep
}

func duckOnce(tb testing.TB, dir string, rd duckReaders) *duckResult {
	tb.Helper()
	res, err := duckSeeds(context.Background(), dir, rd)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// BenchmarkSeedsTripline runs tripline's engine over the day: one pass
// reading, decompressing and decoding every file, both rules' schedules
// replayed, alerts raised.
func BenchmarkSeedsTripline(b *testing.B) {
	dir := benchDay(b)
	seedRules(b) // fail before timing if the rules are broken
	b.ReportAllocs()
	var side sideStats
	for b.Loop() {
		side.run(func() {
			if rep := huntSeeds(b, dir); len(rep.Alerts) == 0 {
				b.Fatal("tripline raised no alerts")
			}
		})
	}
	side.report(b, "tripline")
}

// BenchmarkSeedsDuckDB answers the same two rules with DuckDB, straight
// over the gzip files, in a fresh in-memory database each run, telling
// read_json the columns the queries use.
func BenchmarkSeedsDuckDB(b *testing.B) {
	benchDuck(b, typedReaders, "duckdb")
}

// BenchmarkSeedsDuckDBAuto is BenchmarkSeedsDuckDB with read_json left to
// detect the files' format and schema, as a first query usually is.
func BenchmarkSeedsDuckDBAuto(b *testing.B) {
	benchDuck(b, autoReaders, "duckdb-auto")
}

func benchDuck(b *testing.B, rd duckReaders, name string) {
	dir := benchDay(b)
	var side sideStats
	for b.Loop() {
		side.run(func() {
			if res := duckOnce(b, dir, rd); len(res.Elastic)+len(res.Splunk) == 0 {
				b.Fatal("DuckDB found no alerting windows")
			}
		})
	}
	side.report(b, name)
}

// BenchmarkSeedsRatio runs tripline and both DuckDB variants in each
// iteration (rotating which goes first) and reports tripline's time over
// typed DuckDB's (ratio) and over auto-detecting DuckDB's (ratio-auto):
// below 1 means tripline is faster.
func BenchmarkSeedsRatio(b *testing.B) {
	dir := benchDay(b)
	seedRules(b)
	var trip, duck, auto sideStats
	sides := []func(){
		func() { trip.run(func() { huntSeeds(b, dir) }) },
		func() { duck.run(func() { duckOnce(b, dir, typedReaders) }) },
		func() { auto.run(func() { duckOnce(b, dir, autoReaders) }) },
	}
	i := 0
	for b.Loop() {
		for j := range sides {
			sides[(i+j)%len(sides)]()
		}
		i++
	}
	trip.report(b, "tripline")
	duck.report(b, "duckdb")
	auto.report(b, "duckdb-auto")
	b.ReportMetric(trip.total.Seconds()/duck.total.Seconds(), "ratio")
	b.ReportMetric(trip.cpu.Seconds()/duck.cpu.Seconds(), "cpu-ratio")
	b.ReportMetric(trip.total.Seconds()/auto.total.Seconds(), "ratio-auto")
	b.ReportMetric(trip.cpu.Seconds()/auto.cpu.Seconds(), "cpu-ratio-auto")
}

// sideStats sums one side's wall and CPU time and keeps its highest peak
// resident set size.
type sideStats struct {
	runs  int
	total time.Duration
	cpu   time.Duration // user+system time of the whole process while the side ran
	peak  int64         // bytes; 0 when it cannot be measured
}

// run times f and, where Linux allows resetting the process's peak RSS,
// measures the peak RSS of the process while f ran. The Go heap left from
// earlier work is handed back first, so the peak is mostly f's own.
func (s *sideStats) run(f func()) {
	debug.FreeOSMemory()
	canPeak := resetPeakRSS()
	cpu0 := cpuTime()
	start := time.Now()
	f()
	s.total += time.Since(start)
	s.cpu += cpuTime() - cpu0
	s.runs++
	if canPeak {
		s.peak = max(s.peak, peakRSS())
	}
}

func (s *sideStats) report(b *testing.B, name string) {
	if s.runs == 0 {
		return
	}
	b.ReportMetric(s.total.Seconds()/float64(s.runs), name+"-s/run")
	b.ReportMetric(s.cpu.Seconds()/float64(s.runs), name+"-cpu-s/run")
	if s.peak > 0 {
		b.ReportMetric(float64(s.peak)/(1<<20), name+"-peak-MiB")
	}
}

// cpuTime is the user and system CPU time this process has used, DuckDB's
// threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident set (VmHWM) to its current size.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns VmHWM in bytes, 0 when it is unknown.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// TestSeedsAgree checks that DuckDB's answer, with typed and with
// auto-detecting readers alike, is the same as tripline's: per rule, the
// same groups alert, each in as many windows; for the Splunk seed, whose
// hourly windows do not overlap, each alert is one window and its tick and
// count must match too.
func TestSeedsAgree(t *testing.T) {
	if !day.Ready() {
		t.Skipf("no generated day at %s: run `go test -run XXX -bench SeedsTripline -benchtime 1x` (or internal/engine's BenchmarkHuntDaySeeds) once to generate it", day.Dir())
	}
	dir := day.Dir()
	rep := huntSeeds(t, dir)
	for _, rr := range rep.Rules {
		if rr.Capped > 0 {
			t.Fatalf("rule %s held back %d alerts over max_alerts; the comparison assumes none", rr.Compiled.Rule.ID, rr.Capped)
		}
	}

	tripWindows := map[string]map[string]int{generate.ElasticSeedRuleID: {}, generate.SplunkSeedRuleID: {}}
	tripSplunk := map[string]int64{}
	for _, a := range rep.Alerts {
		names := splunkGroup
		if a.Rule.ID == generate.ElasticSeedRuleID {
			names = elasticGroup
		}
		key := alertKey(a.Group, names)
		tripWindows[a.Rule.ID][key] += a.Matches
		if a.Rule.ID == generate.SplunkSeedRuleID {
			n, _ := strconv.ParseInt(a.Row.Get("count").String(), 10, 64)
			tripSplunk[fmt.Sprintf("%s @%d", key, a.Timestamp.Unix())] = n
		}
	}
	for _, id := range []string{generate.SplunkSeedRuleID, generate.ElasticSeedRuleID} {
		if len(tripWindows[id]) == 0 {
			t.Errorf("rule %s: tripline raised no alerts, so the comparison would be empty", id)
		}
	}

	for _, v := range []struct {
		name string
		rd   duckReaders
	}{{"typed", typedReaders}, {"auto", autoReaders}} {
		t.Run(v.name, func(t *testing.T) {
			duck := duckOnce(t, dir, v.rd)
			duckWindows := map[string]map[string]int{generate.ElasticSeedRuleID: {}, generate.SplunkSeedRuleID: {}}
			duckSplunk := map[string]int64{}
			for _, r := range duck.Elastic {
				duckWindows[generate.ElasticSeedRuleID][rowKey(r.Group, elasticGroup)]++
			}
			for _, r := range duck.Splunk {
				key := rowKey(r.Group, splunkGroup)
				duckWindows[generate.SplunkSeedRuleID][key]++
				duckSplunk[fmt.Sprintf("%s @%d", key, r.Tick)] = r.Count
			}
			for _, id := range []string{generate.SplunkSeedRuleID, generate.ElasticSeedRuleID} {
				tw, dw := tripWindows[id], duckWindows[id]
				diffMaps(t, id+" alerting windows per group", tw, dw)
				t.Logf("rule %s: %d groups alert (tripline), %d (DuckDB %s)", id, len(tw), len(dw), v.name)
			}
			diffMaps(t, "splunk count per group and tick", tripSplunk, duckSplunk)
		})
	}
}

// alertKey and rowKey render a group the same way from both sides: name=value
// in the rule's group order, null as ∅.
func alertKey(g alert.Fields, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + valueText(g.Get(n))
	}
	return strings.Join(parts, " ")
}

func valueText(v event.Value) string {
	if v.IsNull() {
		return "∅"
	}
	return strconv.Quote(v.String())
}

func rowKey(vals []any, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		s := "∅"
		if vals[i] != nil {
			s = strconv.Quote(fmt.Sprint(vals[i]))
		}
		parts[i] = n + "=" + s
	}
	return strings.Join(parts, " ")
}

func diffMaps[V comparable](t *testing.T, what string, trip, duck map[string]V) {
	t.Helper()
	var keys []string
	for k := range trip {
		keys = append(keys, k)
	}
	for k := range duck {
		if _, ok := trip[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		tv, tok := trip[k]
		dv, dok := duck[k]
		switch {
		case !dok:
			t.Errorf("%s: only tripline has %s (%v)", what, k, tv)
		case !tok:
			t.Errorf("%s: only DuckDB has %s (%v)", what, k, dv)
		case tv != dv:
			t.Errorf("%s: %s: tripline %v, DuckDB %v", what, k, tv, dv)
		}
	}
}
