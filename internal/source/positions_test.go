package source

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/logs"
)

func TestPositionsRoundTrip(t *testing.T) {
	p := NewPositions()
	v0 := p.Version()
	mtime := time.Date(2024, 10, 17, 20, 9, 52, 0, time.UTC)
	p.Set("/logs/a.jsonl", Position{Offset: 120, Lines: 3, Size: 130, ModTime: mtime, Inode: 42})
	p.Set("s3://trail/AWSLogs/x.json.gz", Position{Offset: 10, Size: 10, Done: true, ETag: "abc", ModTime: mtime})
	if p.Version() == v0 {
		t.Fatal("Version did not change on Set")
	}
	v1 := p.Version()
	p.Set("/logs/a.jsonl", Position{Offset: 120, Lines: 3, Size: 130, ModTime: mtime.In(time.FixedZone("x", 3600)), Inode: 42})
	if p.Version() != v1 {
		t.Error("Version changed on a Set of an equal position")
	}
	data, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), `{"version":1,"positions":{"/logs/a.jsonl":{"offset":120,"lines":3,`) {
		t.Errorf("Marshal = %s", data)
	}
	q := NewPositions()
	if err := q.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"/logs/a.jsonl", "s3://trail/AWSLogs/x.json.gz"} {
		a, _ := p.Get(k)
		b, ok := q.Get(k)
		if !ok || !a.equal(b) {
			t.Errorf("%s: got %+v, want %+v", k, b, a)
		}
	}
	q.Delete("/logs/a.jsonl")
	if _, ok := q.Get("/logs/a.jsonl"); ok || q.Len() != 1 {
		t.Error("Delete kept the key")
	}
	if err := q.Unmarshal(nil); err != nil || q.Len() != 0 {
		t.Errorf("Unmarshal(nil): %v, %d keys", err, q.Len())
	}
	for _, bad := range []string{"{", `{"version":2,"positions":{}}`, `[]`} {
		if err := q.Unmarshal([]byte(bad)); err == nil {
			t.Errorf("Unmarshal(%s): got nil error", bad)
		}
	}
	var zero Positions
	zero.Set("k", Position{Done: true})
	if _, ok := zero.Get("k"); !ok {
		t.Error("the zero Positions does not keep a Set")
	}
}

// TestSkipKeyMatchesExpand checks that S3 keys are skipped exactly as
// logs.Expand skips the same paths in a directory.
func TestSkipKeyMatchesExpand(t *testing.T) {
	keys := []string{
		"AWSLogs/1/CloudTrail/us-east-1/2024/10/17/1_CloudTrail_us-east-1_20241017T2010Z_a.json.gz",
		"AWSLogs/1/CloudTrail-Digest/us-east-1/2024/10/17/d.json.gz",
		"AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2024/10/17/20/x.json.gz",
		"AWSLogs/amazon-bedrock-logs-permission-check",
		"README", "readme.txt", "LICENSE", "NOTICE.txt", "COPYING", "notes.md", "NOTES.MD",
		".hidden", "dir/.hidden/x.json", ".git/config", "expected.ndjson", "sub/expected.ndjson",
		"events.jsonl", "logs/licensed.json", "x/README.md.gz",
	}
	root := t.TempDir()
	for _, k := range keys {
		writeFile(t, filepath.Join(root, filepath.FromSlash(k)), []byte("{}\n"))
	}
	files, err := logs.Expand([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	var read []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		read = append(read, filepath.ToSlash(rel))
	}
	var kept []string
	for _, k := range keys {
		if !skipKey(k) {
			kept = append(kept, k)
		}
	}
	slices.Sort(read)
	slices.Sort(kept)
	if !slices.Equal(kept, read) {
		t.Errorf("skipKey keeps %v, logs.Expand reads %v", kept, read)
	}
	if !skipKey("AWSLogs/1/CloudTrail/") || !skipKey("") {
		t.Error("folder keys are not skipped")
	}
}
