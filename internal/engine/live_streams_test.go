package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/store"
)

// scenarioFiles generates a scenario and returns its log files in the
// time order their names give.
func scenarioFiles(t *testing.T, name string, seed int64) []string {
	t.Helper()
	dir := t.TempDir()
	if _, err := generate.Scenario(name, generate.Options{Out: dir, Seed: seed, Principals: 30, Background: 0.02}); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, ".json") && !logs.SkipFile(d.Name()) {
			files = append(files, p)
		}
		return err
	})
	sort.SliceStable(files, func(i, j int) bool {
		a, _ := logs.PathTime(files[i])
		b, _ := logs.PathTime(files[j])
		return a.Before(b)
	})
	return files
}

func fileInput(t *testing.T, path, stream string) Input {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: path, Data: data, Stream: stream, Start: logs.StreamStart{Line: 1}}
}

// liveAlerts runs inputs through a live engine, as delivered, and returns
// what an analyst would see of the stored alerts, with the engine.
func liveAlerts(t *testing.T, inputs []Input, opt LiveOptions) ([]string, *Live) {
	t.Helper()
	st := openTestStore(t)
	opt.Store = st
	clock := far()
	opt.Now = func() time.Time { return clock }
	l := NewLive(builtinRules(t), opt)
	// As serve does for the directories and prefixes it is configured with.
	for _, in := range inputs {
		l.Expect(in.Stream)
	}
	ctx := context.Background()
	for _, in := range inputs {
		l.process(ctx, item{in: in})
	}
	// The data is complete: the streams go quiet, and a last mark two days
	// past the data lets every window close.
	clock = clock.Add(time.Hour)
	l.mu.Lock()
	end := l.marks.latest().Add(48 * time.Hour)
	for _, lt := range event.LogTypes {
		l.marks.see("end of test", lt, end, clock)
	}
	l.mu.Unlock()
	l.advance(ctx)
	as, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		if a.Rule.ID == "tripline-risk-threshold" {
			// A risk incident's window starts where the entity first
			// crossed the threshold in the order alerts were raised, which
			// depends on delivery order; the rules' alerts do not.
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %v n=%d", a.Rule.ID, a.Window.Start.UTC().Format(time.RFC3339), a.Group, a.EventCount))
	}
	slices.Sort(out)
	return out, l
}

// A day's invocation logs ingested before the same day's CloudTrail
// (one ingest stream, two kinds of log) raise the alerts the day raises
// delivered in time order: each log type keeps its own watermark, so the
// invocation logs do not make the CloudTrail late.
func TestLiveLogTypesKeepTheirOwnWatermark(t *testing.T) {
	files := scenarioFiles(t, "llmjacking", 21)
	var inOrder, invocationsFirst, cloudTrail []Input
	for _, f := range files {
		in := fileInput(t, f, "ingest")
		inOrder = append(inOrder, in)
		if strings.Contains(f, "BedrockModelInvocationLogs") {
			invocationsFirst = append(invocationsFirst, in)
		} else {
			cloudTrail = append(cloudTrail, in)
		}
	}
	invocationsFirst = append(invocationsFirst, cloudTrail...)
	want, _ := liveAlerts(t, inOrder, LiveOptions{})
	if len(want) < 5 {
		t.Fatalf("the day in time order raised %d alerts; the test proves little", len(want))
	}
	got, l := liveAlerts(t, invocationsFirst, LiveOptions{})
	if !slices.Equal(got, want) {
		t.Errorf("invocations first: %d alerts, in order: %d\nmissing: %v\nextra: %v", len(got), len(want), minus(want, got), minus(got, want))
	}
	if l.late != 0 {
		t.Errorf("%d events dropped as late", l.late)
	}
}

// Two CloudTrail streams, one three hours behind the other, both still
// delivering: the rules wait for the slower one, so none of its events
// is late.
func TestLiveSlowStreamHoldsRulesBack(t *testing.T) {
	a := scenarioFiles(t, "probing", 31)
	b := scenarioFiles(t, "llmjacking", 32)
	lag := func(f string) time.Time { t, _ := logs.PathTime(f); return t }
	var single, interleaved []Input
	for _, f := range a {
		single = append(single, fileInput(t, f, "one"))
	}
	for _, f := range b {
		single = append(single, fileInput(t, f, "one"))
	}
	sort.SliceStable(single, func(i, j int) bool { return lag(single[i].Name).Before(lag(single[j].Name)) })
	// Stream b delivers its first file, then each next one when stream a
	// is three hours further on.
	interleaved = append(interleaved, fileInput(t, b[0], "b"))
	i := 1
	for _, f := range a {
		for i < len(b) && lag(b[i]).Add(3*time.Hour).Before(lag(f)) {
			interleaved = append(interleaved, fileInput(t, b[i], "b"))
			i++
		}
		interleaved = append(interleaved, fileInput(t, f, "a"))
	}
	for ; i < len(b); i++ {
		interleaved = append(interleaved, fileInput(t, b[i], "b"))
	}
	want, ls := liveAlerts(t, single, LiveOptions{})
	if ls.late != 0 {
		t.Fatalf("in time order, %d events were late", ls.late)
	}
	got, l := liveAlerts(t, interleaved, LiveOptions{})
	if !slices.Equal(got, want) {
		t.Errorf("stream b 3h behind: %d alerts, in time order: %d\nmissing: %v\nextra: %v", len(got), len(want), minus(want, got), minus(got, want))
	}
	if l.late != 0 {
		t.Errorf("%d events dropped as late", l.late)
	}
}

// One record dated 2099, read first, is rejected and reported instead of
// moving the watermark past everything after it.
func TestLiveFarFutureRecordIsRejected(t *testing.T) {
	files := scenarioFiles(t, "llmjacking", 41)
	var plain []Input
	for _, f := range files {
		plain = append(plain, fileInput(t, f, "ingest"))
	}
	future := chunk("future.json", listFailure(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), "time-traveller", "192.0.2.1"))
	future.Stream = "ingest"
	want, _ := liveAlerts(t, plain, LiveOptions{})
	got, l := liveAlerts(t, append([]Input{future}, plain...), LiveOptions{})
	if !slices.Equal(got, want) {
		t.Errorf("with a record from 2099 first: %d alerts, without: %d\nmissing: %v", len(got), len(want), minus(want, got))
	}
	if l.future != 1 || l.late != 0 {
		t.Errorf("future rejected %d, late %d; want 1 and 0", l.future, l.late)
	}
	if d := l.Degraded(); len(d) != 1 || !strings.Contains(d[0], "ahead of the clock") {
		t.Errorf("Degraded() = %q, want the rejected record", d)
	}
}

// An event that comes after its windows were evaluated is not dropped
// silently: the rule's state counts it and names the stream it waited on,
// and the engine says it is degraded.
func TestLiveLateEventIsReported(t *testing.T) {
	st := openTestStore(t)
	l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far})
	ctx := context.Background()
	in := chunk("a.json", denial(base, "u", "m1"), denial(base.Add(3*time.Hour), "u", "m1"))
	in.Stream = "ingest"
	l.process(ctx, item{in: in})
	late := chunk("late.json", denial(base.Add(time.Minute), "u", "m1"))
	late.Stream = "slow"
	l.process(ctx, item{in: late})
	var seed RuleState
	for _, s := range l.Rules() {
		if s.Compiled.Rule.ID == esqlSeedID(t) {
			seed = s
		}
	}
	if seed.Late != 1 || seed.Watermark.IsZero() {
		t.Errorf("seed rule state: late %d, watermark %v; want 1 late event and a watermark", seed.Late, seed.Watermark)
	}
	if seed.LastRun.IsZero() || seed.RunTime <= 0 {
		t.Errorf("seed rule state: last run %v taking %v; want the tick it ran and how long it took", seed.LastRun, seed.RunTime)
	}
	if d := l.Degraded(); len(d) == 0 || !strings.Contains(strings.Join(d, "\n"), esqlSeedID(t)) {
		t.Errorf("Degraded() = %q, want the seed rule's late event", d)
	}
}

// Screen tells ingest, before it answers, which records the engine would
// drop: copies of records it read, and records older than every window
// still open for their kind of log.
func TestLiveScreen(t *testing.T) {
	var seed []*Compiled
	for _, c := range builtinRules(t) {
		if c.Rule.ID == esqlSeedID(t) {
			seed = append(seed, c)
		}
	}
	l := NewLive(seed, LiveOptions{Store: openTestStore(t), Now: far})
	ctx := context.Background()
	first := chunk("a.json", denial(base, "u", "m1"), denial(base.Add(5*time.Hour), "u", "m1"))
	l.process(ctx, item{in: first})
	evOf := func(line string) *event.Event {
		var got *event.Event
		logs.ReadStream(ctx, "x", strings.NewReader(line+"\n"), logs.StreamStart{Line: 1}, logs.Options{}, func(_ int, ev *event.Event) error {
			c := *ev
			got = &c
			return nil
		})
		return got
	}
	cases := []struct {
		line      string
		dup, late bool
	}{
		{denial(base, "u", "m1"), true, false},
		{denial(base.Add(time.Minute), "v", "m1"), false, true},
		{denial(base.Add(5*time.Hour+time.Minute), "v", "m1"), false, false},
	}
	for i, c := range cases {
		dup, late := l.Screen(evOf(c.line))
		if dup != c.dup || late != c.late {
			t.Errorf("case %d: duplicate %v late %v, want %v %v", i, dup, late, c.dup, c.late)
		}
	}
}

// An alert keeps the source records it cites: serve reads them back from
// the input while it is there and stores them with the alert, so they can
// be shown after the input (a spooled ingest body) is gone.
func TestLiveKeepsEvidenceRecords(t *testing.T) {
	st := openTestStore(t)
	l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: far})
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	path := filepath.Join(t.TempDir(), "ingest-1.json")
	text := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l.process(ctx, item{in: Input{Name: path, Data: []byte(text), Start: logs.StreamStart{Line: 1}}})
	l.process(ctx, item{in: chunk("later.json", denial(base.Add(3*time.Hour), "other", "m2"))})
	os.Remove(path) // pruned, as a spooled body is in time
	stored, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seed := alertsOf(stored, esqlSeedID(t))
	if len(seed) != 1 || len(seed[0].Evidence) == 0 {
		t.Fatalf("seed alerts %v", seed)
	}
	for _, e := range seed[0].Evidence {
		if !slices.Contains(lines, string(e.Raw)) {
			t.Errorf("evidence at %s byte %d holds %q, not its record", e.File, e.Offset, e.Raw)
		}
	}
}

// Live data closes its windows by the wall clock once input goes quiet;
// old data of another kind is not hurried along with it, so more of it
// later is not late.
func TestLiveQuietAdvance(t *testing.T) {
	now := base.Add(72 * time.Hour)
	clock := now
	st := openTestStore(t)
	l := NewLive(builtinRules(t), LiveOptions{Store: st, Now: func() time.Time { return clock }})
	ctx := context.Background()
	var burst []string
	for i := 0; i < 5; i++ {
		burst = append(burst, denial(now.Add(time.Duration(i-40)*time.Minute), "thief", "m1"))
	}
	l.process(ctx, item{in: chunk("live.json", burst...)})
	l.process(ctx, item{in: chunk("old.json", listFailure(base, "mallory", "203.0.113.9"))})
	clock = clock.Add(2 * time.Minute) // quiet for longer than IdleAdvance
	l.advance(ctx)
	stored, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := alertsOf(stored, esqlSeedID(t)); len(got) != 1 {
		t.Errorf("live burst: %d seed alerts after the input went quiet, want 1", len(got))
	}
	l.process(ctx, item{in: chunk("old2.json", listFailure(base.Add(5*time.Minute), "mallory", "203.0.113.9"))})
	if l.late != 0 {
		t.Errorf("old CloudTrail delivered later was dropped as late (%d): the live invocation logs hurried its windows", l.late)
	}
}

// Records of S3 objects are read back through OpenRecord, from the start
// of the object's (gzip) stream; without it they stay empty.
func TestLiveReadsS3EvidenceThroughOpenRecord(t *testing.T) {
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	text := strings.Join(lines, "\n") + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	const name = "s3://logs/AWSLogs/bedrock/part-1.json.gz"
	for _, withOpener := range []bool{true, false} {
		st := openTestStore(t)
		opened := 0
		opt := LiveOptions{Store: st, Now: far}
		if withOpener {
			opt.OpenRecord = func(_ context.Context, n string) (io.ReadCloser, error) {
				if n != name {
					return nil, fmt.Errorf("asked for %s", n)
				}
				opened++
				return io.NopCloser(bytes.NewReader(gz.Bytes())), nil
			}
		}
		l := NewLive(builtinRules(t), opt)
		ctx := context.Background()
		l.process(ctx, item{in: Input{Name: name, Data: gz.Bytes(), Start: logs.StreamStart{Line: 1}}})
		l.process(ctx, item{in: chunk("later.json", denial(base.Add(3*time.Hour), "other", "m2"))})
		stored, err := st.List(ctx, store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		seed := alertsOf(stored, esqlSeedID(t))
		if len(seed) != 1 || len(seed[0].Evidence) == 0 {
			t.Fatalf("seed alerts %v", seed)
		}
		for _, e := range seed[0].Evidence {
			if withOpener && !slices.Contains(lines, string(e.Raw)) {
				t.Errorf("evidence at %s byte %d holds %q, not its record", e.File, e.Offset, e.Raw)
			}
			if !withOpener && e.Raw != nil {
				t.Errorf("without OpenRecord, evidence holds %q", e.Raw)
			}
		}
		if withOpener && opened == 0 {
			t.Error("OpenRecord was never called")
		}
	}
}

// The archive is told where each chunk sits in its file: a plain piece by
// its byte range, a gzip object as a whole.
func TestLiveTellsWhereChunksSit(t *testing.T) {
	type read struct {
		name        string
		off, length int64
		records     int
	}
	var got []read
	l := NewLive(builtinRules(t), LiveOptions{Store: openTestStore(t), Now: far,
		OnRead: func(name string, off, length int64, first, last time.Time, records int) {
			got = append(got, read{name, off, length, records})
		}})
	ctx := context.Background()
	piece := chunk("trail.json", denial(base, "u", "m1"), denial(base.Add(time.Minute), "u", "m1"))
	piece.Start.Offset = 4096
	l.process(ctx, item{in: piece})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(denial(base, "v", "m1") + "\n"))
	zw.Close()
	l.process(ctx, item{in: Input{Name: "s3://b/k.json.gz", Data: gz.Bytes()}})
	want := []read{{"trail.json", 4096, int64(len(piece.Data)), 2}, {"s3://b/k.json.gz", 0, 0, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reads %v, want %v", got, want)
	}
}
