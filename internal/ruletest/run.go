package ruletest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
)

// Result is the outcome of one rule test.
type Result struct {
	Rule     *rule.Rule
	Test     *rule.Test
	Failures []string
	Alerts   []*alert.Alert
	Elapsed  time.Duration
}

// Passed reports whether the test passed.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// alertKeys are expectation keys that name alert fields rather than
// result columns.
var alertKeys = map[string]bool{"group": true, "row": true, "event_count": true, "matches": true, "severity": true, "rule": true}

// Run runs a compiled rule's tests: each replays the rule's schedule
// over the test's events, and compares the alerts with what the test
// expects: every expected alert raised (compared on the keys it gives),
// and no other.
func Run(ctx context.Context, c *engine.Compiled, tests []rule.Test) []Result {
	out := make([]Result, 0, len(tests))
	for i := range tests {
		t := &tests[i]
		start := time.Now()
		res := Result{Rule: c.Rule, Test: t}
		if c.Err != nil {
			res.Failures = append(res.Failures, "rule does not compile: "+engine.ErrorDetail(c.Err))
			out = append(out, res)
			continue
		}
		alerts, err := huntTest(ctx, c, t)
		if err != nil {
			res.Failures = append(res.Failures, err.Error())
		} else {
			res.Alerts = alerts
			res.Failures = compareAlerts(alerts, t)
		}
		res.Elapsed = time.Since(start)
		out = append(out, res)
	}
	return out
}

func huntTest(ctx context.Context, c *engine.Compiled, t *rule.Test) ([]*alert.Alert, error) {
	lines, err := t.EventJSON()
	if err != nil {
		return nil, err
	}
	var inputs []string
	opt := engine.HuntOptions{Workers: 1, NoPrefilter: true}
	if len(lines) > 0 {
		inputs = append(inputs, "-")
		opt.Stdin = logs.Options{Stdin: bytes.NewReader(append(bytes.Join(lines, []byte("\n")), '\n'))}
	}
	for _, f := range t.EventFiles {
		if !filepath.IsAbs(f) && c.Rule.File != "" {
			f = filepath.Join(filepath.Dir(c.Rule.File), f)
		}
		inputs = append(inputs, f)
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("test has no events")
	}
	rep, err := engine.Hunt(ctx, []*engine.Compiled{c}, inputs, opt)
	if err != nil {
		return nil, err
	}
	if rep.Read.Bad > 0 {
		var probs []string
		for _, p := range rep.Read.BadSamples {
			probs = append(probs, p.String())
		}
		return nil, fmt.Errorf("%d test events are bad: %s", rep.Read.Bad, strings.Join(probs, "; "))
	}
	for _, r := range rep.Rules {
		if r.Err != nil {
			return nil, r.Err
		}
	}
	return rep.Alerts, nil
}

// compareAlerts matches expectations to alerts one to one.
func compareAlerts(alerts []*alert.Alert, t *rule.Test) []string {
	var fails []string
	if t.ExpectNone || len(t.Expect) == 0 {
		for _, a := range alerts {
			fails = append(fails, "unexpected alert: "+a.Reason)
		}
		return fails
	}
	used := make([]bool, len(alerts))
	for i, want := range t.Expect {
		best, bestMiss := -1, []string(nil)
		for j, a := range alerts {
			if used[j] {
				continue
			}
			miss := mismatches(a, want)
			if len(miss) == 0 {
				best, bestMiss = j, nil
				break
			}
			if best < 0 || len(miss) < len(bestMiss) {
				best, bestMiss = j, miss
			}
		}
		switch {
		case best < 0:
			fails = append(fails, fmt.Sprintf("expected alert %d not raised (no alerts left)", i+1))
		case len(bestMiss) > 0:
			fails = append(fails, fmt.Sprintf("expected alert %d not raised; closest differs: %s", i+1, strings.Join(bestMiss, "; ")))
		default:
			used[best] = true
		}
	}
	for j, a := range alerts {
		if !used[j] && len(fails) == 0 {
			fails = append(fails, "unexpected alert: "+a.Reason)
		}
	}
	return fails
}

// mismatches lists how an alert differs from an expectation.
func mismatches(a *alert.Alert, want map[string]any) []string {
	var out []string
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := want[k]
		switch k {
		case "group", "row":
			fs := a.Group
			if k == "row" {
				fs = a.Row
			}
			m, ok := v.(map[string]any)
			if !ok {
				out = append(out, k+" must be a mapping")
				continue
			}
			names := make([]string, 0, len(m))
			for n := range m {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if got := fs.Get(n); !sameValue(got, m[n]) {
					out = append(out, fmt.Sprintf("%s.%s is %s, want %s", k, n, show(got), show(event.FromAny(m[n]))))
				}
			}
		case "event_count":
			if !sameValue(event.LongValue(a.EventCount), v) {
				out = append(out, fmt.Sprintf("event_count is %d, want %v", a.EventCount, v))
			}
		case "matches":
			if !sameValue(event.LongValue(int64(a.Matches)), v) {
				out = append(out, fmt.Sprintf("matches is %d, want %v", a.Matches, v))
			}
		case "severity":
			if fmt.Sprint(v) != a.Rule.Severity {
				out = append(out, fmt.Sprintf("severity is %s, want %v", a.Rule.Severity, v))
			}
		case "rule":
			if fmt.Sprint(v) != a.Rule.ID {
				out = append(out, fmt.Sprintf("rule is %s, want %v", a.Rule.ID, v))
			}
		default:
			if got := a.Row.Get(k); !sameValue(got, v) {
				out = append(out, fmt.Sprintf("%s is %s, want %s", k, show(got), show(event.FromAny(v))))
			}
		}
	}
	return out
}

// sameValue compares an alert value with an expected YAML/JSON value by
// their text, element by element for lists.
func sameValue(got event.Value, want any) bool {
	w := event.FromAny(want)
	if got.Len() != w.Len() {
		return false
	}
	gv, wv := got.Values(), w.Values()
	for i := range gv {
		if gv[i].String() != wv[i].String() {
			return false
		}
	}
	return true
}

func show(v event.Value) string {
	if v.IsNull() {
		return "null"
	}
	b := v.AppendJSON(nil)
	return string(b)
}
