package archive

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func refs(es []Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, filepath.Base(e.Ref))
	}
	return strings.Join(out, " ")
}

// A source is found by the times it holds, across a reopen, and grows as
// more of it is read.
func TestSourcesByTime(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	a.Seen("/logs/a.json", t0, t0.Add(time.Hour), 10)
	a.Seen("s3://trail/AWSLogs/b.json.gz", t0.Add(3*time.Hour), t0.Add(4*time.Hour), 5)
	a.Seen("/logs/a.json", t0.Add(5*time.Hour), t0.Add(6*time.Hour), 2) // the file grew
	a.Seen("/logs/empty.json", t0, t0, 0)
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, 0)
	if err != nil || len(b.Problems) > 0 {
		t.Fatalf("reopen: %v %v", err, b.Problems)
	}
	cases := []struct {
		from, to time.Duration
		want     string
	}{
		{0, 30 * time.Minute, "a.json"},
		{2 * time.Hour, 3*time.Hour + time.Second, "a.json b.json.gz"}, // a.json now spans 10:00-16:00
		{7 * time.Hour, 8 * time.Hour, ""},
		{-time.Hour, 0, ""}, // to is exclusive
	}
	for _, c := range cases {
		if got := refs(b.Sources(t0.Add(c.from), t0.Add(c.to))); got != c.want {
			t.Errorf("[%s, %s): %q, want %q", c.from, c.to, got, c.want)
		}
	}
	if got := refs(b.Sources(time.Time{}, time.Time{})); got != "a.json b.json.gz" {
		t.Errorf("all: %q", got)
	}
	if es := b.Sources(time.Time{}, time.Time{}); es[0].Records != 12 {
		t.Errorf("a.json holds %d records, want 12", es[0].Records)
	}
}

// An ingested body moves into the archive compressed, under the day of its
// first event, and can be read back; retention in event time deletes it
// and forgets old references, whatever the wall clock says.
func TestAdoptAndRetention(t *testing.T) {
	dir := t.TempDir()
	spool := t.TempDir()
	a, err := Open(filepath.Join(dir, "archive"), 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body := filepath.Join(spool, "ingest-1-2-client.json")
	text := `{"Records":[{"eventTime":"2026-11-21T10:00:00Z"}]}` + "\n"
	if err := os.WriteFile(body, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.Adopt(body); ok || err != nil {
		t.Fatalf("adopting a body never read: %v %v", ok, err)
	}
	a.Seen(body, t0, t0, 1)
	if ok, err := a.Adopt(body); !ok || err != nil {
		t.Fatalf("adopt: %v %v", ok, err)
	}
	if _, err := os.Stat(body); !os.IsNotExist(err) {
		t.Errorf("the spooled body is still there: %v", err)
	}
	es := a.Sources(t0, t0.Add(time.Minute))
	if len(es) != 1 || !es[0].Owned || !strings.Contains(es[0].Ref, filepath.Join("archive", "2026-11-21")) {
		t.Fatalf("archived entry %+v", es)
	}
	f, err := os.Open(es[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	f.Close()
	if string(got) != text {
		t.Errorf("archived body reads %q", got)
	}

	a.Seen("/logs/old.json", t0.Add(-24*time.Hour), t0.Add(-24*time.Hour), 1)
	a.Seen("/logs/new.json", t0.Add(72*time.Hour), t0.Add(72*time.Hour), 1) // 3 days on
	n, err := a.Prune()
	if err != nil || n != 2 {
		t.Fatalf("prune removed %d (%v), want the body and old.json", n, err)
	}
	if _, err := os.Stat(es[0].Ref); !os.IsNotExist(err) {
		t.Errorf("the archived body outlived retention: %v", err)
	}
	if got := refs(a.Sources(time.Time{}, time.Time{})); got != "new.json" {
		t.Errorf("after retention: %q", got)
	}
}

// A damaged index line is reported with its line and the other entries
// still load.
func TestDamagedIndexLine(t *testing.T) {
	dir := t.TempDir()
	idx := `{"ref":"/a.json","first":"2026-11-21T10:00:00Z","last":"2026-11-21T11:00:00Z","records":1}
not json
{"ref":"/b.json","first":"2026-11-21T10:00:00Z","last":"2026-11-21T11:00:00Z","records":1}
`
	if err := os.WriteFile(filepath.Join(dir, indexName), []byte(idx), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Problems) != 1 || !strings.HasSuffix(a.Problems[0], indexName+":2: not an archive entry, skipped") {
		t.Errorf("problems %q", a.Problems)
	}
	if got := refs(a.Sources(time.Time{}, time.Time{})); got != "a.json b.json" {
		t.Errorf("loaded %q", got)
	}
}

// FuzzIndex checks that no index text makes loading panic, that every bad
// line is reported with a line of the input, and that what loads answers
// range questions and saves.
func FuzzIndex(f *testing.F) {
	f.Add(`{"ref":"/a.json","first":"2026-11-21T10:00:00Z","last":"2026-11-21T11:00:00Z","records":1}` + "\nnot json\n")
	f.Add(`{"ref":"","first":"x"}` + "\n{}\n[1]\n")
	f.Add(`{"ref":"s3://b/k","first":"2026-11-21T10:00:00Z","last":"2026-11-20T10:00:00Z","records":-5,"owned":true}`)
	f.Fuzz(func(t *testing.T, text string) {
		a := &Archive{dir: t.TempDir(), entries: map[string]*Entry{}}
		if err := a.readIndex(strings.NewReader(text), "index.jsonl"); err != nil {
			return // a line longer than the scanner takes
		}
		lines := strings.Count(text, "\n") + 1
		for _, p := range a.Problems {
			var n int
			if _, err := fmt.Sscanf(p[strings.Index(p, ":")+1:], "%d", &n); err != nil || n < 1 || n > lines {
				t.Fatalf("problem %q does not name a line of the %d-line input", p, lines)
			}
		}
		a.Sources(t0, t0.Add(time.Hour))
		a.Refs(time.Time{}, time.Time{})
		if err := a.Save(); err != nil {
			t.Fatal(err)
		}
	})
}

// A file read in pieces keeps the pieces' byte ranges, joined while they
// follow one another within about an hour of event time, and a search
// of an hour reads that hour's bytes alone.
func TestRangesOfAGrowingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trail.json")
	text := "0123456789abcdefghij" // twenty bytes: four pieces of five
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Open(filepath.Join(dir, "archive"), 0)
	if err != nil {
		t.Fatal(err)
	}
	a.SeenRange(path, 0, 5, t0, t0.Add(10*time.Minute), 1)
	a.SeenRange(path, 5, 5, t0.Add(20*time.Minute), t0.Add(30*time.Minute), 1) // joins the first
	a.SeenRange(path, 10, 5, t0.Add(3*time.Hour), t0.Add(3*time.Hour), 1)      // an hour on: a span of its own
	a.SeenRange(path, 15, 5, t0.Add(5*time.Hour), t0.Add(5*time.Hour+time.Minute), 1)
	es := a.Sources(time.Time{}, time.Time{})
	if len(es) != 1 || len(es[0].Spans) != 3 || es[0].Spans[0].Length != 10 {
		t.Fatalf("spans %+v, want three with the first ten bytes long", es)
	}
	refs := a.Refs(t0.Add(2*time.Hour), t0.Add(4*time.Hour))
	if len(refs) != 1 || !IsRange(refs[0]) {
		t.Fatalf("refs of 12:00-14:00: %v, want the one range of 13:00", refs)
	}
	rc, err := OpenRange(refs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "abcde" {
		t.Errorf("the range reads %q, want the bytes of 13:00, \"abcde\"", got)
	}
	if _, err := OpenRange("range://x+1//nope"); err == nil {
		t.Error("a malformed range opened")
	}
	// Read whole later (a restart reading it again from the start): the
	// spans go, searches read it whole.
	a.Seen(path, t0, t0.Add(6*time.Hour), 4)
	if refs := a.Refs(t0.Add(2*time.Hour), t0.Add(4*time.Hour)); len(refs) != 1 || refs[0] != path {
		t.Errorf("after a whole read: %v, want the path", refs)
	}
}
