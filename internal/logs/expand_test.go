package logs

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"a.json", "b.json.gz", "c.log", "sub/d.ndjson", "sub/deeper/e", "README.md", "sub/LICENSE.txt",
		"NOTICE", ".hidden", ".git/HEAD", "x/CloudTrail-Digest/f.json.gz", "y/amazon-bedrock-logs-permission-check",
	} {
		writeFile(t, filepath.Join(dir, name), []byte("{}"))
	}
	p := func(names ...string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = n
			if n != "-" {
				out[i] = filepath.Join(dir, n)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		inputs []string
		want   []string
		err    string
	}{
		{name: "directory walks and skips non-logs", inputs: p(""),
			want: p("a.json", "b.json.gz", "c.log", "sub/d.ndjson", "sub/deeper/e")},
		{name: "glob", inputs: p("*.json*"), want: p("a.json", "b.json.gz")},
		{name: "glob matching a directory", inputs: p("su?"), want: p("sub/d.ndjson", "sub/deeper/e")},
		{name: "named file is read even if it looks like docs", inputs: p("README.md"), want: p("README.md")},
		{name: "stdin and duplicates", inputs: p("-", "a.json", "-", "a.json"), want: p("-", "a.json")},
		{name: "missing file", inputs: p("nope.json"), err: "no such file"},
		{name: "glob matching nothing", inputs: p("*.csv"), err: "no file matches"},
		{name: "bad glob", inputs: p("[x"), err: "syntax error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Expand(tc.inputs)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "cannot expand input") {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Expand = %q\nwant %q", got, tc.want)
			}
		})
	}
}
