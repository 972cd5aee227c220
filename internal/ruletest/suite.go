package ruletest

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/ruleset"
)

// Options of RunSet.
type Options struct {
	// Filter, when set, runs only the tests whose "ruleID/test name"
	// (spaces as underscores or not) or rule name it matches.
	Filter *regexp.Regexp
	// Verbose also prints passing and skipped tests, and the rules
	// without tests.
	Verbose bool
	// Out takes the progress lines, in go test's format.
	Out io.Writer
}

// Report is what a run of rule tests found.
type Report struct {
	Total, Passed, Failed, Skipped int
	// Untested lists the rules without tests: "id (name)".
	Untested []string
	Elapsed  time.Duration
	suites   []*suite
	o        Options
}

// suite is the results of one rule, or of one file that did not load.
type suite struct {
	c     *engine.Compiled // nil for a load failure
	file  string
	cases []junitCase
}

// RunSet runs the tests of every rule in set, printing each result as go
// test prints subtests, and reports files and rules that did not load as
// failed tests of their own, so that a CI run cannot pass over them.
func RunSet(ctx context.Context, set *ruleset.Set, o Options) *Report {
	start := time.Now()
	if o.Out == nil {
		o.Out = io.Discard
	}
	rep := &Report{o: o}
	tests, probs := set.Tests()
	for _, p := range append(append([]rule.Problem(nil), set.Problems...), probs...) {
		rep.loadFailure(set.ProblemState(p))
	}
	for _, c := range set.Compiled {
		r := c.Rule
		all := tests[r]
		if len(all) == 0 {
			rep.Untested = append(rep.Untested, fmt.Sprintf("%s (%s)", r.ID, r.Name))
			continue
		}
		var picked []rule.Test
		for _, t := range all {
			if o.Filter == nil || o.Filter.MatchString(r.ID+"/"+t.Name) || o.Filter.MatchString(r.ID+"/"+testName(t.Name)) || o.Filter.MatchString(r.Name) {
				picked = append(picked, t)
			}
		}
		if len(picked) == 0 {
			continue
		}
		s := &suite{c: c, file: set.Display(r.File)}
		rep.suites = append(rep.suites, s)
		if r.Skip != "" {
			for i := range picked {
				rep.skip(s, &picked[i], r.Skip)
			}
			continue
		}
		for _, res := range Run(ctx, c, picked) {
			rep.result(s, res)
		}
	}
	if o.Verbose {
		for _, u := range rep.Untested {
			fmt.Fprintf(o.Out, "?   \t%s\t[no tests]\n", u)
		}
	}
	rep.Elapsed = time.Since(start)
	return rep
}

// WriteSummary prints the closing lines as go test does: "ok" or "FAIL"
// with the counts.
func (rep *Report) WriteSummary(w io.Writer) {
	summary := fmt.Sprintf("%d %s: %d passed, %d failed, %d skipped; %d %s without tests",
		rep.Total, plural(rep.Total, "test"), rep.Passed, rep.Failed, rep.Skipped, len(rep.Untested), plural(len(rep.Untested), "rule"))
	if rep.Failed > 0 {
		fmt.Fprintln(w, "FAIL")
		fmt.Fprintf(w, "FAIL\trules\t%.3fs\t%s\n", rep.Elapsed.Seconds(), summary)
		return
	}
	if rep.o.Verbose {
		fmt.Fprintln(w, "PASS")
	}
	fmt.Fprintf(w, "ok  \trules\t%.3fs\t%s\n", rep.Elapsed.Seconds(), summary)
}

// testName is a test's name as printed: spaces become underscores, as go
// test prints subtests.
func testName(name string) string { return strings.ReplaceAll(strings.TrimSpace(name), " ", "_") }

func (s *suite) name(t *rule.Test) string { return s.c.Rule.ID + "/" + testName(t.Name) }

// loadFailure reports a rule file or test file that did not load as a
// failed test of its own.
func (rep *Report) loadFailure(st ruleset.State) {
	rep.Total++
	rep.Failed++
	msg := st.Message
	if st.Detail != "" {
		msg += "\n" + st.Detail
	}
	fmt.Fprintf(rep.o.Out, "--- FAIL: %s (load) (0.00s)\n%s\n", st.File, indent(st.Location()+": "+msg, "    "))
	rep.suites = append(rep.suites, &suite{file: st.File, cases: []junitCase{{
		Name: "load", Classname: st.File, Time: "0.000", File: st.File, Line: st.Line,
		Failure: &junitFailure{Message: firstLine(msg), Type: "load", Text: st.Location() + ": " + msg}}}})
}

func (rep *Report) skip(s *suite, t *rule.Test, why string) {
	rep.Total++
	rep.Skipped++
	if rep.o.Verbose {
		fmt.Fprintf(rep.o.Out, "=== RUN   %s\n--- SKIP: %s (0.00s)\n    %s\n", s.name(t), s.name(t), why)
	}
	s.cases = append(s.cases, junitCase{Name: t.Name, Classname: s.c.Rule.ID, Time: "0.000", File: s.file, Line: t.Line, Skipped: &junitSkipped{Message: why}})
}

func (rep *Report) result(s *suite, res Result) {
	rep.Total++
	name := s.name(res.Test)
	secs := res.Elapsed.Seconds()
	jc := junitCase{Name: res.Test.Name, Classname: s.c.Rule.ID, Time: fmt.Sprintf("%.3f", secs), File: s.file, Line: res.Test.Line, secs: secs}
	if res.Passed() {
		rep.Passed++
		if rep.o.Verbose {
			fmt.Fprintf(rep.o.Out, "=== RUN   %s\n--- PASS: %s (%.2fs)\n", name, name, secs)
		}
		s.cases = append(s.cases, jc)
		return
	}
	rep.Failed++
	if rep.o.Verbose {
		fmt.Fprintf(rep.o.Out, "=== RUN   %s\n", name)
	}
	where := s.file
	if res.Test.Line > 0 {
		where += fmt.Sprintf(":%d", res.Test.Line)
	}
	fmt.Fprintf(rep.o.Out, "--- FAIL: %s (%.2fs)\n    %s: %s (%s)\n", name, secs, where, res.Test.Name, s.c.Rule.Name)
	for _, f := range res.Failures {
		fmt.Fprintln(rep.o.Out, indent(f, "        "))
	}
	jc.Failure = &junitFailure{Message: firstLine(res.Failures[0]), Type: "assertion", Text: where + ": " + strings.Join(res.Failures, "\n")}
	s.cases = append(s.cases, jc)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func indent(s, pad string) string { return pad + strings.ReplaceAll(s, "\n", "\n"+pad) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
