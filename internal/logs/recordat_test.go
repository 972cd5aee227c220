package logs

import (
	"bytes"
	"path/filepath"
	"testing"
)

// The record an origin names is read back whole, from plain and gzip
// files, wherever on its line it starts.
func TestRecordAt(t *testing.T) {
	a, b := ct("a", "X"), ct("b", `Y with } and ] in a string`)
	text := `{"Records":[` + a + `,` + b + "]}\n"
	dir := t.TempDir()
	plain := writeFile(t, filepath.Join(dir, "plain.json"), []byte(text))
	zipped := writeFile(t, filepath.Join(dir, "z.json.gz"), gz(t, []byte(text)))
	for _, path := range []string{plain, zipped} {
		recs, _ := collect(t, []string{path}, Options{})
		if len(recs) != 2 {
			t.Fatalf("%s: %d records", path, len(recs))
		}
		for i, want := range []string{a, b} {
			got, err := RecordAt(path, recs[i].Origin.Offset, 1<<20)
			if err != nil || !bytes.Equal(got, []byte(want)) {
				t.Errorf("%s record %d: %q, %v; want %q", filepath.Base(path), i, got, err, want)
			}
		}
		if _, err := RecordAt(path, recs[1].Origin.Offset, 10); err == nil {
			t.Errorf("%s: a record past the bound was returned", path)
		}
	}
	if _, err := RecordAt(filepath.Join(dir, "absent.json"), 0, 100); err == nil {
		t.Error("an absent file gave no error")
	}
}
