package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripline/tripline/internal/rule"
)

// ruleExts are the extensions rule.Load reads.
var ruleExts = map[string]bool{".yaml": true, ".yml": true, ".toml": true, ".ndjson": true, ".jsonl": true}

// IsTestFile reports whether a file name is a rule test file
// (<rule>.tests.yaml or .tests.yml) rather than a rule file.
func IsTestFile(name string) bool { return rule.IsTestFile(name) }

// IsExceptionsFile reports whether a file beside rules holds exceptions
// rather than a rule: exceptions.yaml, or a name ending .exceptions.yaml
// (.yml alike).
func IsExceptionsFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	for _, ext := range []string{".yaml", ".yml"} {
		if base == "exceptions"+ext || strings.HasSuffix(base, ".exceptions"+ext) {
			return true
		}
	}
	return false
}

// TestFilesFor returns the names a test file beside a rule file may have:
// the rule file's name without its extension, plus .tests.yaml or .tests.yml.
func TestFilesFor(ruleFile string) []string {
	base := strings.TrimSuffix(ruleFile, filepath.Ext(ruleFile))
	return []string{base + ".tests.yaml", base + ".tests.yml"}
}

// RuleFiles expands files and directories into the rule files under them,
// as rule.Load would read them, but leaving out test files: directories are
// walked recursively, hidden entries and files of other types are skipped.
// A file named explicitly is kept whatever its type (rule.Load reports a
// wrong one), unless it is a test file. A path that cannot be read is a
// Problem.
func RuleFiles(paths []string) ([]string, []rule.Problem) {
	var files []string
	var probs []rule.Problem
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			probs = append(probs, rule.Problem{File: p, Err: fmt.Errorf("cannot read rules: %w", err)})
			continue
		}
		if !st.IsDir() {
			if !IsTestFile(p) && !IsExceptionsFile(p) {
				files = append(files, p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				probs = append(probs, rule.Problem{File: fp, Err: fmt.Errorf("cannot read rules: %w", err)})
				return nil
			}
			if fp != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && ruleExts[strings.ToLower(filepath.Ext(fp))] && !IsTestFile(fp) && !IsExceptionsFile(fp) {
				files = append(files, fp)
			}
			return nil
		})
		if err != nil {
			probs = append(probs, rule.Problem{File: p, Err: fmt.Errorf("cannot walk rules: %w", err)})
		}
	}
	return files, probs
}

// ExceptionsFiles finds the exceptions files among rule paths: those named
// explicitly and those in the directories, walked as RuleFiles walks them.
func ExceptionsFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			continue // RuleFiles reports it
		}
		if !st.IsDir() {
			if IsExceptionsFile(p) {
				out = append(out, p)
			}
			continue
		}
		filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if fp != p && strings.HasPrefix(d.Name(), ".") && d.IsDir() {
				return filepath.SkipDir
			}
			if !d.IsDir() && IsExceptionsFile(fp) {
				out = append(out, fp)
			}
			return nil
		})
	}
	return out
}

// SidecarTests finds the test file beside each rule file (see TestFilesFor),
// reads it with read, and returns the tests of each rule. Tests that name a
// rule (by id or name) go to that rule; tests that name none go to the
// file's only rule. A missing test file is not a problem; a broken one, or a
// test whose rule is not in the file, is.
func SidecarTests(rules []*rule.Rule, read func(name string) ([]byte, error)) (map[*rule.Rule][]rule.Test, []rule.Problem) {
	byFile := map[string][]*rule.Rule{}
	var files []string
	for _, r := range rules {
		if r.File == "" {
			continue
		}
		if _, ok := byFile[r.File]; !ok {
			files = append(files, r.File)
		}
		byFile[r.File] = append(byFile[r.File], r)
	}
	out := map[*rule.Rule][]rule.Test{}
	var probs []rule.Problem
	for _, f := range files {
		for _, tf := range TestFilesFor(f) {
			data, err := read(tf)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				probs = append(probs, rule.Problem{File: tf, Err: fmt.Errorf("cannot read tests: %w", err)})
				continue
			}
			tests, err := ReadTests(data)
			if err != nil {
				probs = append(probs, problemAt(tf, err))
				continue
			}
			rs := byFile[f]
			for _, ft := range tests {
				r, err := ruleFor(rs, ft, f)
				if err != nil {
					probs = append(probs, rule.Problem{File: tf, Line: ft.Test.Line, Err: err})
					continue
				}
				out[r] = append(out[r], ft.Test)
			}
		}
	}
	return out, probs
}

func ruleFor(rs []*rule.Rule, ft FileTest, file string) (*rule.Rule, error) {
	if ft.Rule == "" {
		if len(rs) == 1 {
			return rs[0], nil
		}
		return nil, fmt.Errorf("test %q: %s holds %d rules; say which with rule: ID", ft.Test.Name, file, len(rs))
	}
	for _, r := range rs {
		if r.ID == ft.Rule || r.Name == ft.Rule {
			return r, nil
		}
	}
	return nil, fmt.Errorf("test %q: no rule %q in %s", ft.Test.Name, ft.Rule, file)
}

func problemAt(file string, err error) rule.Problem {
	var pe *posError
	if errors.As(err, &pe) {
		return rule.Problem{File: file, Line: pe.line, Col: pe.col, Err: errors.New(pe.msg)}
	}
	return rule.Problem{File: file, Err: err}
}
