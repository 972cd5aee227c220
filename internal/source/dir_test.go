package source

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
)

func newTestDir(t *testing.T, root string, pos *Positions) *Dir {
	t.Helper()
	d, err := NewDir(DirConfig{Root: root, Positions: pos, PartialAfter: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func poll(t *testing.T, d *Dir, c *collector) []delivered {
	t.Helper()
	if err := d.Poll(context.Background(), c.deliver); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return c.take()
}

// TestDirNewFiles checks that files anywhere in the tree are delivered
// once, gzip files only after they held still for a poll, and that the
// files logs.Expand skips are skipped.
func TestDirNewFiles(t *testing.T) {
	root := t.TempDir()
	ctDir := filepath.Join(root, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2024", "10", "17")
	gz1 := filepath.Join(ctDir, "111122223333_CloudTrail_us-east-1_20241017T2010Z_a.json.gz")
	writeFile(t, gz1, cloudTrailGzip(t, "g1", "g2"))
	writeFile(t, filepath.Join(root, "README.md"), []byte("# logs\n"))
	writeFile(t, filepath.Join(root, "expected.ndjson"), []byte(ctRecord("no")+"\n"))
	writeFile(t, filepath.Join(root, ".hidden", "x.json"), []byte(ctRecord("no")+"\n"))
	writeFile(t, filepath.Join(root, "AWSLogs", "111122223333", "CloudTrail-Digest", "d.json.gz"), cloudTrailGzip(t, "no"))
	lines := filepath.Join(root, "app", "events.jsonl")
	writeFile(t, lines, []byte(ctRecord("l1")+"\n"))

	d := newTestDir(t, root, nil)
	c := &collector{}

	// The gzip file waits a poll to hold still, and the lines file, whose
	// time (its mtime) is later than the gzip file's name says, waits
	// behind it.
	got := poll(t, d, c)
	if ids := idsOf(got); len(ids) != 0 {
		t.Fatalf("first poll delivered %v, want nothing (gzip waits a poll, the later lines file behind it)", ids)
	}
	got = poll(t, d, c)
	if len(got) != 2 || got[0].Chunk.Name != gz1 || !slices.Equal(got[0].IDs, []string{"g1", "g2"}) || !slices.Equal(got[1].IDs, []string{"l1"}) {
		t.Fatalf("second poll delivered %+v, want the gzip file whole, then the lines file", got)
	}
	if !got[0].Chunk.Position.Done || got[0].Chunk.Key != gz1 {
		t.Errorf("gzip chunk position %+v key %s, want done under its path", got[0].Chunk.Position, got[0].Chunk.Key)
	}
	if got := poll(t, d, c); len(got) != 0 {
		t.Fatalf("third poll delivered %v, want nothing", idsOf(got))
	}

	// A gzip file still being written is delivered once it holds still.
	gz2 := filepath.Join(ctDir, "111122223333_CloudTrail_us-east-1_20241017T2015Z_b.json.gz")
	writeFile(t, gz2, cloudTrailGzip(t, "h1")[:10])
	poll(t, d, c)
	writeFile(t, gz2, cloudTrailGzip(t, "h1"))
	if got := poll(t, d, c); len(got) != 0 {
		t.Fatalf("growing gzip delivered %v, want nothing yet", idsOf(got))
	}
	got = poll(t, d, c)
	if ids := idsOf(got); !slices.Equal(ids, []string{"h1"}) || got[0].Bad != 0 {
		t.Fatalf("stable gzip delivered %v (bad %d), want h1", ids, got[0].Bad)
	}
}

// TestDirGrowingFile checks that a JSON-lines file is delivered in
// increments of complete lines whose origins match a read of the whole
// file.
func TestDirGrowingFile(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "live.jsonl")
	writeFile(t, path, []byte(ctRecord("a")+"\n"+ctRecord("b")+"\n"))
	d := newTestDir(t, root, nil)
	c := &collector{}

	var all []delivered
	got := poll(t, d, c)
	if len(got) != 1 || got[0].Chunk.Start != (logs.StreamStart{Line: 1}) || !slices.Equal(got[0].IDs, []string{"a", "b"}) {
		t.Fatalf("first chunk %+v, want a and b from line 1", got)
	}
	all = append(all, got...)

	appendFile(t, path, "\n"+ctRecord("c")+"\n"+ctRecord("d")[:40]) // a blank line, c, half of d
	got = poll(t, d, c)
	wantStart := logs.StreamStart{Line: 3, Offset: int64(2 * (len(ctRecord("a")) + 1))}
	if len(got) != 1 || got[0].Chunk.Start != wantStart || !slices.Equal(got[0].IDs, []string{"c"}) || got[0].Bad != 0 {
		t.Fatalf("second chunk %+v, want c only, from %+v", got, wantStart)
	}
	all = append(all, got...)
	if got := poll(t, d, c); len(got) != 0 {
		t.Fatalf("an unfinished line was delivered: %+v", got)
	}

	appendFile(t, path, ctRecord("d")[40:]+"\n")
	got = poll(t, d, c)
	if len(got) != 1 || got[0].Chunk.Start.Line != 5 || !slices.Equal(got[0].IDs, []string{"d"}) {
		t.Fatalf("third chunk %+v, want d from line 5", got)
	}
	all = append(all, got...)

	// The increments together are the whole file, origins included.
	var whole []event.Origin
	if _, err := logs.Read(context.Background(), []string{path}, logs.Options{}, func(_ int, ev *event.Event) error {
		whole = append(whole, ev.Origin)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var parts []event.Origin
	for _, d := range all {
		parts = append(parts, d.Origins...)
	}
	abs, _ := filepath.Abs(path)
	for i := range whole {
		whole[i].File = abs
	}
	if !slices.Equal(parts, whole) {
		t.Errorf("origins of the increments %v, want those of the whole file %v", parts, whole)
	}
	pos, ok := d.Positions().Get(abs)
	if fi, _ := os.Stat(path); !ok || pos.Offset != fi.Size() || pos.Lines != 5 || pos.Done {
		t.Errorf("position %+v, want the whole file's %d bytes and 5 lines", pos, fi.Size())
	}
}

// TestDirPretty checks that pretty-printed objects appended to a file are
// cut between objects, never inside one.
func TestDirPretty(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "pretty.json")
	obj := func(id string) string {
		return "{\n  \"eventSource\": \"iam.amazonaws.com\",\n  \"eventTime\": \"2024-10-17T20:09:52Z\",\n  \"eventID\": \"" + id + "\",\n  \"nested\": {\n    \"x\": 1\n  }\n}\n"
	}
	b := obj("b")
	writeFile(t, path, []byte(obj("a")+b[:len(b)-12]))
	d := newTestDir(t, root, nil)
	c := &collector{}
	got := poll(t, d, c)
	if ids := idsOf(got); !slices.Equal(ids, []string{"a"}) || got[0].Bad != 0 {
		t.Fatalf("delivered %v (bad %d), want a only", ids, got[0].Bad)
	}
	appendFile(t, path, b[len(b)-12:])
	got = poll(t, d, c)
	if ids := idsOf(got); !slices.Equal(ids, []string{"b"}) || got[0].Bad != 0 || got[0].Origins[0].Line != 9 {
		t.Fatalf("delivered %+v, want b at line 9", got)
	}
}

// TestDirRestart checks that positions saved and restored make a new
// source deliver only what was added since.
func TestDirRestart(t *testing.T) {
	root := t.TempDir()
	gzPath := filepath.Join(root, "AWSLogs", "1", "CloudTrail", "us-east-1", "2024", "10", "17", "x.json.gz")
	writeFile(t, gzPath, cloudTrailGzip(t, "g"))
	lines := filepath.Join(root, "live.jsonl")
	writeFile(t, lines, []byte(ctRecord("a")+"\n"))
	d := newTestDir(t, root, nil)
	c := &collector{}
	poll(t, d, c)
	if ids := idsOf(append(poll(t, d, c), c.take()...)); !slices.Equal(ids, []string{"g", "a"}) {
		t.Fatalf("before restart delivered %v, want g, then a", ids)
	}
	saved, err := d.Positions().Marshal()
	if err != nil {
		t.Fatal(err)
	}

	appendFile(t, lines, ctRecord("b")+"\n")
	restored := NewPositions()
	if err := restored.Unmarshal(saved); err != nil {
		t.Fatal(err)
	}
	d2 := newTestDir(t, root, restored)
	var ids []string
	for range 3 {
		ids = append(ids, idsOf(poll(t, d2, c))...)
	}
	if !slices.Equal(ids, []string{"b"}) {
		t.Errorf("after restart delivered %v, want only b", ids)
	}
}

// TestDirRotation checks truncation, replacement, and renaming.
func TestDirRotation(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "app.jsonl")
	writeFile(t, path, []byte(ctRecord("a")+"\n"+ctRecord("b")+"\n"))
	d := newTestDir(t, root, nil)
	c := &collector{}
	poll(t, d, c)

	// Truncated and rewritten shorter: read again from the start.
	writeFile(t, path, []byte(ctRecord("c")+"\n"))
	got := poll(t, d, c)
	if ids := idsOf(got); !slices.Equal(ids, []string{"c"}) || got[0].Chunk.Start.Line != 1 {
		t.Fatalf("after truncation delivered %+v, want c from line 1", got)
	}

	// Rotated: renamed away, a new file in its place. The renamed file
	// keeps its position (its new lines are still read), the new one is
	// read from its start.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".1", ctRecord("d")+"\n")
	writeFile(t, path, []byte(ctRecord("e")+"\n"))
	got = poll(t, d, c)
	byName := map[string][]string{}
	for _, g := range got {
		byName[filepath.Base(g.Chunk.Name)] = append(byName[filepath.Base(g.Chunk.Name)], g.IDs...)
	}
	if !slices.Equal(byName["app.jsonl.1"], []string{"d"}) || !slices.Equal(byName["app.jsonl"], []string{"e"}) || len(byName) != 2 {
		t.Fatalf("after rotation delivered %v, want d from the renamed file and e from the new one", byName)
	}

	// Deleted: its position is forgotten.
	if err := os.Remove(path + ".1"); err != nil {
		t.Fatal(err)
	}
	poll(t, d, c)
	abs, _ := filepath.Abs(path + ".1")
	if _, ok := d.Positions().Get(abs); ok {
		t.Errorf("position of a deleted file kept")
	}
}

// TestDirDeliverFails checks that a refused chunk is offered again, whole,
// and that the position does not move past it.
func TestDirDeliverFails(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a.jsonl")
	writeFile(t, path, []byte(ctRecord("a")+"\n"))
	d := newTestDir(t, root, nil)
	refuse := true
	c := &collector{fail: func(Chunk) bool { return refuse }}
	if err := d.Poll(context.Background(), c.deliver); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Poll: got %v, want the refusal", err)
	}
	if d.Positions().Len() != 0 {
		t.Fatalf("positions moved past a refused chunk")
	}
	refuse = false
	appendFile(t, path, ctRecord("b")+"\n")
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("after a refusal delivered %v, want a and b", ids)
	}
}

// TestDirPartialLine checks that an unfinished last line is delivered once
// the file was left alone for PartialAfter.
func TestDirPartialLine(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a.jsonl")
	writeFile(t, path, []byte(ctRecord("a")+"\n"+ctRecord("b")))
	d, err := NewDir(DirConfig{Root: root, PartialAfter: time.Hour, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"a"}) {
		t.Fatalf("delivered %v, want a", ids)
	}
	d.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"b"}) {
		t.Fatalf("after the file idled delivered %v, want b", ids)
	}
}

// TestDirMissingRoot checks that a root that does not exist yet is
// watched until it appears.
func TestDirMissingRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "later")
	d := newTestDir(t, root, nil)
	c := &collector{}
	if got := poll(t, d, c); len(got) != 0 {
		t.Fatalf("delivered %v from a missing root", got)
	}
	writeFile(t, filepath.Join(root, "a.jsonl"), []byte(ctRecord("a")+"\n"))
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"a"}) {
		t.Errorf("delivered %v, want a", ids)
	}
}

// TestDirRun checks that Run polls until its context ends.
func TestDirRun(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.jsonl"), []byte(ctRecord("a")+"\n"))
	d, err := NewDir(DirConfig{Root: root, PollInterval: 10 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, c.deliver) }()
	time.Sleep(30 * time.Millisecond)
	writeFile(t, filepath.Join(root, "b.jsonl"), []byte(ctRecord("b")+"\n"))
	deadline := time.Now().Add(5 * time.Second)
	var ids []string
	for len(ids) < 2 && time.Now().Before(deadline) {
		ids = append(ids, idsOf(c.take())...)
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("Run delivered %v, want a and b", ids)
	}
}

func TestBoundary(t *testing.T) {
	tests := []struct {
		data   string
		pretty bool
		want   int
	}{
		{"", false, 0},
		{"abc", false, 0},
		{"a\nb", false, 2},
		{"a\nb\n", false, 4},
		{"{\n  \"a\": {\n  }\n", true, 0},
		{"{\n  \"a\": 1\n}\n{\n", true, 13},
		{"{\n}\r\n", true, 5},
		{"{\n},\n{\n}", true, 5},
		{"}\n", true, 2},
	}
	for _, tt := range tests {
		if got := boundary([]byte(tt.data), tt.pretty); got != tt.want {
			t.Errorf("boundary(%q, %v) = %d, want %d", tt.data, tt.pretty, got, tt.want)
		}
	}
}

func FuzzBoundary(f *testing.F) {
	f.Add([]byte("{\n  \"a\": 1\n}\n{\n"), true)
	f.Add([]byte("a\nb"), false)
	f.Fuzz(func(t *testing.T, data []byte, pretty bool) {
		n := boundary(data, pretty)
		if n < 0 || n > len(data) || (n > 0 && data[n-1] != '\n') {
			t.Fatalf("boundary = %d for %q", n, data)
		}
	})
}

// A new file that reuses a deleted file's inode is read from its start,
// not taken for the deleted file renamed.
func TestDirInodeReuseIsNotARename(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, "a.jsonl")
	writeFile(t, old, []byte(ctRecord("a")+"\n"+ctRecord("b")+"\n"))
	d := newTestDir(t, root, nil)
	c := &collector{}
	poll(t, d, c)
	pos, _ := d.cfg.Positions.Get(old)
	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(root, "b.jsonl")
	writeFile(t, fresh, []byte(ctRecord("c")+"\n"+ctRecord("d")+"\n"+ctRecord("e")+"\n"))
	// Pretend the filesystem handed the new file the old one's inode.
	d.cfg.Positions.Set(old, pos)
	st, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	d.forgetVanished(map[string]fileState{fresh: {size: st.Size(), mtime: st.ModTime(), inode: pos.Inode}})
	if _, moved := d.cfg.Positions.Get(fresh); moved {
		t.Fatal("the new file inherited the deleted file's position")
	}
	got := poll(t, d, c)
	if ids := idsOf(got); !slices.Equal(ids, []string{"c", "d", "e"}) {
		t.Errorf("delivered %v, want the whole new file", ids)
	}
}

// A directory says when it has delivered all it holds: at once when it is
// empty, and only after its files were read when it is not.
func TestDirCaughtUp(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"eventSource":"s","eventName":"n","eventTime":"2026-11-21T10:00:00Z"}`+"\n"), 0o644)
	var mu sync.Mutex
	var log []string
	d, err := NewDir(DirConfig{Root: dir, PollInterval: 10 * time.Millisecond, CaughtUp: func() {
		mu.Lock()
		log = append(log, "caught up")
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	d.Run(ctx, func(_ context.Context, c Chunk) error {
		mu.Lock()
		log = append(log, "chunk "+filepath.Base(c.Name)+" of "+c.Stream)
		mu.Unlock()
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if len(log) < 2 || log[0] != "chunk a.json of "+d.Stream() || log[1] != "caught up" {
		t.Errorf("events %q: want the chunk, then caught up", log)
	}
}
