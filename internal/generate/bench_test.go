package generate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestCloudTrailRecords(t *testing.T) {
	var a, b bytes.Buffer
	if err := CloudTrailRecords(1500, 9, &a); err != nil {
		t.Fatal(err)
	}
	if err := CloudTrailRecords(1500, 9, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed gave different records")
	}
	sources, regionsSeen, types := map[string]bool{}, map[string]bool{}, map[string]bool{}
	n := 0
	sc := bufio.NewScanner(&a)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		sources[str(r, "eventSource")] = true
		regionsSeen[str(r, "awsRegion")] = true
		types[str(r, "userIdentity.type")] = true
		n++
	}
	if n != 1500 || len(sources) < 12 || len(regionsSeen) < 4 || len(types) != 3 {
		t.Fatalf("%d records, %d sources, regions %v, types %v", n, len(sources), regionsSeen, types)
	}
	var c bytes.Buffer
	if err := CloudTrailRecords(0, 9, &c); err != nil || c.Len() != 0 {
		t.Fatalf("zero records wrote %d bytes, %v", c.Len(), err)
	}
	if strings.Contains(a.String(), "203.0.113.2") && strings.Contains(a.String(), "kali") {
		t.Fatal("benchmark records contain planted attacks")
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func BenchmarkCloudTrailRecords(b *testing.B) {
	b.ReportAllocs()
	var cw countingWriter
	if err := CloudTrailRecords(10000, 1, &cw); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ResetTimer()
	for b.Loop() {
		if err := CloudTrailRecords(10000, 1, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDay(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := day(Options{Out: b.TempDir(), Seed: 1}, 0.1); err != nil {
			b.Fatal(err)
		}
	}
}
