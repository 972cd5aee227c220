package exec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/testutil"
)

func benchEvents(b *testing.B, n int) []*event.Event {
	b.Helper()
	t := &testing.T{}
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	evs := make([]*event.Event, n)
	for i := range evs {
		code := "ThrottlingException"
		if i%3 == 0 {
			code = "AccessDeniedException"
		}
		evs[i] = invocation(t, base.Add(time.Duration(i)*time.Second), fmt.Sprintf("user%d", i%50), fmt.Sprintf("model%d", i%7), code)
	}
	return evs
}

func rawBytes(evs []*event.Event) int64 {
	var n int64
	for _, e := range evs {
		n += int64(len(e.Raw))
	}
	return n
}

// BenchmarkPushStats is the per-event hot path of the Elastic seed's
// shape: a filter, then grouping into mergeable state in panes.
func BenchmarkPushStats(b *testing.B) {
	p := compileDenials(b, 3)
	evs := benchEvents(b, 10_000)
	in := p.NewInstance(10 * time.Minute)
	b.SetBytes(rawBytes(evs))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, ev := range evs {
			in.Push(ev)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPrefilter measures the raw-text check that lets records skip
// parsing altogether.
func BenchmarkPrefilter(b *testing.B) {
	q := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
		&plan.From{Sourcetypes: []string{"aws:cloudtrail"}},
		&plan.Where{Cond: &plan.Binary{Op: "AND",
			L: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "ListFoundationModels"},
			R: &plan.SearchCmp{Field: "errorCode", Op: "=", Value: "AccessDenied"}}}}}
	p, err := Compile(q, Options{})
	if err != nil {
		b.Fatal(err)
	}
	pre := p.Prefilter()
	evs := benchEvents(b, 1000)
	b.SetBytes(rawBytes(evs))
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		for _, ev := range evs {
			if pre.Match(ev.Raw) {
				hits++
			}
		}
	}
	if hits != 0 {
		b.Fatalf("%d records passed a prefilter none of them can pass", hits)
	}
}

// BenchmarkEvaluateWindow merges six panes of 50 groups and runs the tail,
// as one tick of the Elastic seed does.
func BenchmarkEvaluateWindow(b *testing.B) {
	p := compileDenials(b, 3)
	evs := benchEvents(b, 3600)
	in := p.NewInstance(10 * time.Minute)
	for _, ev := range evs {
		in.Push(ev)
	}
	from := evs[0].Time.Truncate(10 * time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rs := in.Evaluate(from, from, from.Add(time.Hour)); len(rs) == 0 {
			b.Fatal("no rows")
		}
	}
}

// BenchmarkLiteralIn searches real CloudTrail records for the marker of
// another log type, absent from all of them, so that every search reads a
// whole record: anchored on a rare byte against bytes.Contains.
func BenchmarkLiteralIn(b *testing.B) {
	dir := testutil.Shared(b, "data/cloudtrail/invictus-ir-aws_dataset/CloudTrail")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var recs [][]byte
	var size int64
	for _, f := range files {
		var doc struct{ Records []json.RawMessage }
		data, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(data, &doc) != nil {
			continue
		}
		for _, r := range doc.Records {
			recs = append(recs, r)
			size += int64(len(r))
		}
	}
	if len(recs) == 0 {
		b.Skip("no CloudTrail records in " + dir)
	}
	for _, text := range []string{`"schemaType"`, `"modelId"`} {
		lit := NewLiteral(text, false)
		for _, c := range []struct {
			name string
			in   func([]byte) bool
		}{
			{"anchored", lit.In},
			{"bytes.Contains", func(r []byte) bool { return bytes.Contains(r, lit.Text) }},
		} {
			b.Run(text[1:len(text)-1]+"/"+c.name, func(b *testing.B) {
				b.SetBytes(size)
				for i := 0; i < b.N; i++ {
					for _, r := range recs {
						if c.in(r) {
							b.Fatalf("%s found in a CloudTrail record", text)
						}
					}
				}
			})
		}
	}
}
