package service

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/ruleset"
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
func ruleStatuses(set *ruleset.Set, live *engine.Live) []server.RuleStatus {
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
		}
		if err := c.Spec.Bounded(); c.Runnable() && err != nil {
			rs.Skipped = err.Error()
		} else if c.Runnable() {
			rs.Interval, rs.LookBack = c.Spec.Interval.String(), c.Spec.LookBack.String()
			s := states[r.ID]
			rs.Healthy, rs.LastRun, rs.LastError, rs.Alerts = s.Healthy, s.LastRun, s.LastError, s.Alerts
			rs.Watermark, rs.LateEvents, rs.LateWaitingOn = s.Watermark, s.Late, s.LateHeldBy
		} else {
			rs.Skipped = c.Err.Error()
		}
		out = append(out, rs)
	}
	return out
}
