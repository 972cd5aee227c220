package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/ruletest"
	"github.com/tripline/tripline/internal/server"
)

// ApplySchedules overrides rules' schedules by rule id, as the config's
// schedules: section says.
func ApplySchedules(set *ruleset.Set, overrides map[string]ScheduleConfig) error {
	for id, o := range overrides {
		found := false
		for _, c := range set.Compiled {
			if c.Rule.ID != id || !c.Runnable() {
				continue
			}
			found = true
			if o.Interval > 0 {
				c.Spec.Interval = time.Duration(o.Interval)
			}
			if o.LookBack > 0 {
				c.Spec.LookBack = time.Duration(o.LookBack)
			}
			if o.WindowEnd > 0 {
				c.Spec.WindowEnd = time.Duration(o.WindowEnd)
			}
			if o.MaxAlerts != nil {
				c.Spec.MaxAlerts = *o.MaxAlerts
			}
			if err := c.Spec.Validate(); err != nil {
				return fmt.Errorf("schedules.%s: %w", id, err)
			}
		}
		if !found {
			return fmt.Errorf("schedules: no runnable rule with id %q", id)
		}
	}
	return nil
}

// instanceName names this instance's checkpoint in a shared store: the
// host and the absolute data directory, which holds the instance's spool.
func instanceName(data string) string {
	host, _ := os.Hostname()
	if abs, err := filepath.Abs(data); err == nil {
		data = abs
	}
	return "engine@" + host + ":" + data
}

// ruleStatuses reports each rule as the API shows it: its schedule and
// health, or why it does not run.
func ruleStatuses(set *ruleset.Set, live *engine.Live, tests *RuleTests) []server.RuleStatus {
	states := map[string]engine.RuleState{}
	for _, s := range live.Rules() {
		states[s.Compiled.Rule.ID] = s
	}
	out := make([]server.RuleStatus, 0, len(set.Compiled))
	for _, c := range set.Compiled {
		r := c.Rule
		rs := server.RuleStatus{ID: r.ID, Name: r.Name, Language: r.Language, File: r.File, Severity: r.Severity,
			Type: r.Type, Query: r.Query}
		if c.Program != nil {
			rs.Plan = c.Program.Query.String()
			rs.Reads = c.Program.RecordPaths()
		}
		if ts, done := tests.Of(r.ID); len(ts) > 0 || !done {
			rs.Tests, rs.TestsPending = ts, !done
		}
		if err := c.Spec.Bounded(); c.Runnable() && err != nil {
			rs.Skipped = err.Error()
		} else if c.Runnable() {
			rs.Interval, rs.LookBack = c.Spec.Interval.String(), c.Spec.LookBack.String()
			s := states[r.ID]
			rs.Healthy, rs.LastRun, rs.LastError, rs.Alerts = s.Healthy, s.LastRun, s.LastError, s.Alerts
			if !s.LastRun.IsZero() {
				rs.RunTime = s.RunTime.Round(time.Microsecond).String()
			}
			rs.Watermark, rs.LateEvents, rs.LateWaitingOn = s.Watermark, s.Late, s.LateHeldBy
		} else {
			rs.Skipped = c.Err.Error()
		}
		out = append(out, rs)
	}
	return out
}

// RuleTests runs each rule's tests once, in the background, for the rules
// page and the API: results come as they are ready.
type RuleTests struct {
	mu      sync.Mutex
	started bool
	done    bool
	byRule  map[string][]server.RuleTest
}

// Start runs the tests of set's rules in a goroutine until they are done
// or ctx ends.
func (t *RuleTests) Start(ctx context.Context, set *ruleset.Set) {
	t.mu.Lock()
	if t.started {
		t.mu.Unlock()
		return
	}
	t.started = true
	t.byRule = map[string][]server.RuleTest{}
	t.mu.Unlock()
	go func() {
		tests, _ := set.Tests()
		for _, c := range set.Compiled {
			all := tests[c.Rule]
			if len(all) == 0 || ctx.Err() != nil {
				continue
			}
			var out []server.RuleTest
			if c.Rule.Skip != "" {
				for _, tt := range all {
					out = append(out, server.RuleTest{Name: tt.Name, Skipped: c.Rule.Skip})
				}
			} else {
				for _, res := range ruletest.Run(ctx, c, all) {
					out = append(out, server.RuleTest{Name: res.Test.Name, Passed: res.Passed(), Failures: res.Failures,
						Elapsed: res.Elapsed.Round(time.Millisecond).String()})
				}
			}
			t.mu.Lock()
			t.byRule[c.Rule.ID] = out
			t.mu.Unlock()
		}
		t.mu.Lock()
		t.done = true
		t.mu.Unlock()
	}()
}

// Of returns a rule's test results so far, and whether every rule's tests
// have run.
func (t *RuleTests) Of(id string) ([]server.RuleTest, bool) {
	if t == nil {
		return nil, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.byRule[id], t.done
}
