package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/generate"
)

// escapeLetters rewrites JSON text so that every occurrence of the given
// ASCII letters inside a string or key is written as a \u00XX escape, as
// shippers that re-encode JSON may write it. The text means the same JSON.
func escapeLetters(text []byte, letters string) []byte {
	var out []byte
	in, esc := false, false
	for _, c := range text {
		switch {
		case !in:
			in = c == '"'
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			in = false
		case strings.IndexByte(letters, c) >= 0:
			out = fmt.Appendf(out, `\u%04x`, c)
			continue
		}
		out = append(out, c)
	}
	return out
}

// escapedCopy writes a copy of the logs under src into a new directory,
// every record re-encoded by escapeLetters, gzip kept where it was.
func escapedCopy(t *testing.T, src, letters string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		gz := strings.HasSuffix(path, ".gz")
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			if data, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		data = escapeLetters(data, letters)
		if gz {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// alertSignatures names each alert by what an analyst reads of it: the rule,
// the window, the group, the reason and the count, sorted.
func alertSignatures(alerts []*alert.Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, fmt.Sprintf("%s %s %v %s n=%d", a.Rule.ID, a.Timestamp.UTC().Format("2006-01-02T15:04:05Z"), a.Group, a.Reason, a.EventCount))
	}
	slices.Sort(out)
	return out
}

func huntDir(t *testing.T, rules []*Compiled, dir string, opt HuntOptions) []string {
	t.Helper()
	rep, err := Hunt(context.Background(), rules, []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read.Bad > 0 {
		t.Fatalf("%d bad records in %s, first: %v", rep.Read.Bad, dir, rep.Read.BadSamples[0])
	}
	return alertSignatures(rep.Alerts)
}

// A record's fields are their decoded JSON values, however the record
// spells them: the same logs with letters of every string and key written
// as \u escapes raise the same alerts, with and without the prefilters
// that search raw text before parsing.
func TestEscapedRecordsRaiseTheSameAlerts(t *testing.T) {
	rules := builtinRules(t)
	for _, name := range []string{"llmjacking", "misuse", "probing"} {
		t.Run(name, func(t *testing.T) {
			plain := t.TempDir()
			if _, err := generate.Scenario(name, generate.Options{Out: plain, Seed: 7, Principals: 30, Background: 0.02}); err != nil {
				t.Fatal(err)
			}
			// M and s reach event names, model ids and prompt phrases; N
			// and o reach keys such as eventName and modelId.
			escaped := escapedCopy(t, plain, "MsNo")
			want := huntDir(t, rules, plain, HuntOptions{})
			if len(want) == 0 {
				t.Fatalf("scenario %s raised no alert: nothing to compare", name)
			}
			for _, opt := range []HuntOptions{{}, {NoPrefilter: true}} {
				if got := huntDir(t, rules, escaped, opt); !slices.Equal(got, want) {
					t.Errorf("escaped copy (no prefilter: %v): %d alerts, plain: %d\nescaped only: %v\nplain only: %v",
						opt.NoPrefilter, len(got), len(want), minus(got, want), minus(want, got))
				}
			}
		})
	}
}

// Every built-in rule raises the same alerts run alone as beside the
// rest of the pack: rules share per-record work (fields read, JSON
// rendered, expressions memoized), and what one rule computes first must
// not change what another sees.
func TestEachRuleAloneAsInThePack(t *testing.T) {
	rules := builtinRules(t)
	plain := t.TempDir()
	for i, name := range []string{"llmjacking", "misuse"} {
		if _, err := generate.Scenario(name, generate.Options{Out: filepath.Join(plain, name), Seed: 11 + int64(i), Principals: 30, Background: 0.02}); err != nil {
			t.Fatal(err)
		}
	}
	dir := escapedCopy(t, plain, "sio")
	pack := huntDir(t, rules, dir, HuntOptions{})
	raised := 0
	for _, c := range rules {
		alone := huntDir(t, []*Compiled{c}, dir, HuntOptions{})
		var inPack []string
		for _, k := range pack {
			if strings.HasPrefix(k, c.Rule.ID+" ") {
				inPack = append(inPack, k)
			}
		}
		if !slices.Equal(alone, inPack) {
			t.Errorf("%s: %d alerts alone, %d in the pack\nalone only: %v\npack only: %v",
				c.Rule.Name, len(alone), len(inPack), minus(alone, inPack), minus(inPack, alone))
		}
		if len(alone) > 0 {
			raised++
		}
	}
	if raised < 8 {
		t.Errorf("only %d rules raised alerts: the data does not exercise the pack", raised)
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
