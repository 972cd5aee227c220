package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/tripline/tripline/internal/generate"
)

// benchRecords is the size of the benchmark corpus: one million CloudTrail
// records, as the issue asks, in CloudTrail's own delivery format.
const benchRecords = 1_000_000

// benchCorpus writes (once per machine, cached in the temp directory) the
// corpus as gzip files of 10,000 records each in {"Records":[...]} form,
// and returns the directory and the uncompressed size.
func benchCorpus(b *testing.B) (string, int64) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tripline-bench-ct-%d-v1", benchRecords))
	sizeFile := filepath.Join(dir, "size")
	if raw, err := os.ReadFile(sizeFile); err == nil {
		var n int64
		if _, err := fmt.Sscan(string(raw), &n); err == nil {
			return dir, n
		}
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		b.Fatal(err)
	}
	var lines bytes.Buffer
	if err := generate.CloudTrailRecords(benchRecords, 42, &lines); err != nil {
		b.Fatal(err)
	}
	var total int64
	sc := bufio.NewScanner(&lines)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	file, n := 0, 0
	var buf bytes.Buffer
	flush := func() {
		if n == 0 {
			return
		}
		buf.WriteString("]}")
		total += int64(buf.Len())
		f, err := os.Create(filepath.Join(tmp, fmt.Sprintf("ct_%04d.json.gz", file)))
		if err != nil {
			b.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		zw.Write(buf.Bytes())
		zw.Close()
		f.Close()
		file++
		n = 0
		buf.Reset()
	}
	for sc.Scan() {
		if n == 0 {
			buf.WriteString(`{"Records":[`)
		} else {
			buf.WriteByte(',')
		}
		buf.Write(sc.Bytes())
		n++
		if n == 10_000 {
			flush()
		}
	}
	flush()
	os.WriteFile(filepath.Join(tmp, "size"), []byte(fmt.Sprint(total)), 0o644)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir, total
}

// BenchmarkHuntSeedRules is the whole one-pass run: read and decode one
// million gzip CloudTrail records, feed both seed rules, replay their
// schedules, raise alerts.
func BenchmarkHuntSeedRules(b *testing.B) { benchHunt(b, seedRules(b), false) }

// BenchmarkHuntSeedRulesNoPrefilter is the same run parsing every record,
// as --no-prefilter does: the cost of the decoder and the field views.
func BenchmarkHuntSeedRulesNoPrefilter(b *testing.B) { benchHunt(b, seedRules(b), true) }

// BenchmarkHuntPack runs the whole built-in pack over the same corpus.
func BenchmarkHuntPack(b *testing.B) { benchHunt(b, builtinRules(b), false) }

// seedRules returns the two seed rules of the built-in pack.
func seedRules(b *testing.B) []*Compiled {
	var out []*Compiled
	for _, c := range builtinRules(b) {
		if c.Rule.ID == generate.SplunkSeedRuleID || c.Rule.ID == generate.ElasticSeedRuleID {
			out = append(out, c)
		}
	}
	if len(out) != 2 {
		b.Fatalf("found %d seed rules, want 2", len(out))
	}
	return out
}

func benchHunt(b *testing.B, rules []*Compiled, noPrefilter bool) {
	dir, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Hunt(context.Background(), rules, []string{dir}, HuntOptions{NoPrefilter: noPrefilter})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Read.Seen() != benchRecords {
			b.Fatalf("read %d records, want %d", rep.Read.Seen(), benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselineGunzip only decompresses the corpus: the floor under
// any reader, to compare the hunt with in the same run.
func BenchmarkBaselineGunzip(b *testing.B) {
	dir, size := benchCorpus(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, zr)
			f.Close()
		}
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselineEncodingJSON decompresses and decodes the corpus with
// encoding/json into generic maps, on one core: what a straightforward Go
// reader would cost.
func BenchmarkBaselineEncodingJSON(b *testing.B) {
	dir, size := benchCorpus(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				Records []map[string]any `json:"Records"`
			}
			if err := json.NewDecoder(zr).Decode(&doc); err != nil {
				b.Fatal(err)
			}
			n += len(doc.Records)
			f.Close()
		}
		if n != benchRecords {
			b.Fatalf("decoded %d records", n)
		}
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
