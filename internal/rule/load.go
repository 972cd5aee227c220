package rule

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Schedule is a rule's timing: it runs every Interval over
// [t-WindowEnd-LookBack, t-WindowEnd).
type Schedule struct{ Interval, LookBack, WindowEnd time.Duration }

// Options are the defaults given to rules that do not say. The zero value of
// a field means the built-in default (see DefaultOptions).
type Options struct {
	// Elastic is the schedule of Elastic rules without interval/from.
	Elastic Schedule
	// ElasticMaxAlerts is max_signals when absent.
	ElasticMaxAlerts int
	// Splunk is the schedule of Splunk detections without one.
	Splunk Schedule
	// Sigma is the schedule of Sigma rules, which never carry one.
	Sigma Schedule
	// SplunkSeverity is the severity of a Splunk detection that names none
	// and has no risk score to derive one from.
	SplunkSeverity string
}

// DefaultOptions returns the formats' usual defaults: Elastic every 5m over
// now-6m with 100 alerts per run; Splunk hourly over [t-70m, t-10m), severity
// medium; Sigma every 5m over 5m.
func DefaultOptions() Options {
	return Options{
		Elastic:          Schedule{Interval: 5 * time.Minute, LookBack: 6 * time.Minute},
		ElasticMaxAlerts: 100,
		Splunk:           Schedule{Interval: time.Hour, LookBack: time.Hour, WindowEnd: 10 * time.Minute},
		Sigma:            Schedule{Interval: 5 * time.Minute, LookBack: 5 * time.Minute},
		SplunkSeverity:   "medium",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Elastic.Interval <= 0 || o.Elastic.LookBack <= 0 {
		o.Elastic = d.Elastic
	}
	if o.ElasticMaxAlerts <= 0 {
		o.ElasticMaxAlerts = d.ElasticMaxAlerts
	}
	if o.Splunk.Interval <= 0 || o.Splunk.LookBack <= 0 {
		o.Splunk = d.Splunk
	}
	if o.Sigma.Interval <= 0 || o.Sigma.LookBack <= 0 {
		o.Sigma = d.Sigma
	}
	if !validSeverity(o.SplunkSeverity) {
		o.SplunkSeverity = d.SplunkSeverity
	}
	return o
}

// Load reads rules from files and directories (recursively) with the default
// options. See Options.Load.
func Load(paths []string) ([]*Rule, []Problem) { return Options{}.Load(paths) }

// LoadFS reads the rules under root in fsys with the default options. See
// Options.LoadFS.
func LoadFS(fsys fs.FS, root string) ([]*Rule, []Problem) { return Options{}.LoadFS(fsys, root) }

// Load reads rules from files and directories (recursively). The format
// follows the extension and content: .yaml/.yml (native, Splunk or Sigma,
// told apart by their keys), .toml (Elastic detection-rules), .ndjson/.jsonl
// (Kibana export). In directories, files with other extensions and hidden
// entries are ignored; a file named explicitly must have one of these
// extensions. A broken file or rule is a Problem and the rest still load;
// rules come back sorted by file and line.
func (o Options) Load(paths []string) ([]*Rule, []Problem) {
	l := newLoader(o)
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			l.problem(Problem{File: p, Err: fmt.Errorf("cannot read rules: %w", err)})
			continue
		}
		if !st.IsDir() {
			if kindOf(p) == "" {
				l.problem(Problem{File: p, Err: fmt.Errorf("cannot load rules: unknown file type %q (want .yaml, .yml, .toml, .ndjson or .jsonl)", filepath.Ext(p))})
				continue
			}
			l.file(p, os.ReadFile)
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				l.problem(Problem{File: fp, Err: fmt.Errorf("cannot read rules: %w", err)})
				return nil
			}
			if fp != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && kindOf(fp) != "" {
				l.file(fp, os.ReadFile)
			}
			return nil
		})
		if err != nil {
			l.problem(Problem{File: p, Err: fmt.Errorf("cannot walk rules: %w", err)})
		}
	}
	return l.finish()
}

// LoadFS reads the rules under root in fsys, as Load does for a directory
// (root may also name one file). Rule.File is the path within fsys.
func (o Options) LoadFS(fsys fs.FS, root string) ([]*Rule, []Problem) {
	l := newLoader(o)
	read := func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
	err := fs.WalkDir(fsys, root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			l.problem(Problem{File: fp, Err: fmt.Errorf("cannot read rules: %w", err)})
			return nil
		}
		if fp != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && kindOf(fp) != "" {
			l.file(fp, read)
		}
		return nil
	})
	if err != nil {
		l.problem(Problem{File: root, Err: fmt.Errorf("cannot walk rules: %w", err)})
	}
	return l.finish()
}

// kindOf returns the loader family for a file name: "yaml", "toml", "ndjson" or "".
// Test files beside rules (<rule>.tests.yaml) are not rules: "".
func kindOf(name string) string {
	if IsTestFile(name) {
		return ""
	}
	switch strings.ToLower(path.Ext(filepath.ToSlash(name))) {
	case ".yaml", ".yml":
		return "yaml"
	case ".toml":
		return "toml"
	case ".ndjson", ".jsonl":
		return "ndjson"
	}
	return ""
}

type loader struct {
	opt      Options
	rules    []*Rule
	problems []Problem
}

func newLoader(o Options) *loader { return &loader{opt: o.withDefaults()} }

func (l *loader) problem(p Problem) { l.problems = append(l.problems, p) }

func (l *loader) file(name string, read func(string) ([]byte, error)) {
	data, err := read(name)
	if err != nil {
		l.problem(Problem{File: name, Err: fmt.Errorf("cannot read rules: %w", err)})
		return
	}
	rules, probs := l.opt.parse(name, data)
	l.problems = append(l.problems, probs...)
	l.rules = append(l.rules, rules...)
}

// parse decodes one file's rules; every returned rule has passed Validate.
func (o Options) parse(name string, data []byte) ([]*Rule, []Problem) {
	var rules []*Rule
	var probs []Problem
	switch kindOf(name) {
	case "yaml":
		rules, probs = o.parseYAML(name, data)
	case "toml":
		rules, probs = o.parseTOML(name, data)
	case "ndjson":
		rules, probs = o.parseNDJSON(name, data)
	default:
		return nil, []Problem{{File: name, Err: fmt.Errorf("cannot load rules: unknown file type %q", path.Ext(name))}}
	}
	out := rules[:0]
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			probs = append(probs, Problem{File: r.File, Line: r.Line, Err: fmt.Errorf("invalid rule %q: %w", r.ID, flatten(err))})
			continue
		}
		out = append(out, r)
	}
	return out, probs
}

// flatten joins the messages of an errors.Join on one line.
func flatten(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var msgs []string
		for _, e := range j.Unwrap() {
			msgs = append(msgs, e.Error())
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

// finish drops rules whose id was already taken and orders the output.
func (l *loader) finish() ([]*Rule, []Problem) {
	sort.SliceStable(l.rules, func(i, j int) bool {
		a, b := l.rules[i], l.rules[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	seen := make(map[string]*Rule, len(l.rules))
	out := l.rules[:0]
	for _, r := range l.rules {
		if first, ok := seen[r.ID]; ok {
			l.problem(Problem{File: r.File, Line: r.Line, Err: fmt.Errorf("duplicate rule id %q: already defined at %s:%d", r.ID, first.File, first.Line)})
			continue
		}
		seen[r.ID] = r
		out = append(out, r)
	}
	sort.SliceStable(l.problems, func(i, j int) bool {
		a, b := l.problems[i], l.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out, l.problems
}

// posError is an error at a place in a file.
type posError struct {
	line, col int
	err       error
}

func (e *posError) Error() string { return e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

func errAt(line, col int, format string, args ...any) error {
	return &posError{line: line, col: col, err: fmt.Errorf(format, args...)}
}

// problemOf turns an error into a Problem, taking its place when it has one
// and otherwise the fallback line.
func problemOf(file string, line int, err error) Problem {
	var pe *posError
	if errors.As(err, &pe) {
		return Problem{File: file, Line: pe.line, Col: pe.col, Err: err}
	}
	return Problem{File: file, Line: line, Err: err}
}

// IsTestFile reports whether a file name is a rule test file
// (<rule>.tests.yaml or .tests.yml) rather than a rule file.
func IsTestFile(name string) bool {
	base := strings.ToLower(path.Base(filepath.ToSlash(name)))
	return strings.HasSuffix(base, ".tests.yaml") || strings.HasSuffix(base, ".tests.yml")
}
