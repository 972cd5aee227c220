package engine

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/store"
)

// Risk-reading rules are Splunk ES's correlation searches: searches of the
// risk index (index=risk, the Risk data model, tstats over it) that fire
// when an entity gathers risk from several detections. tripline's own
// alerts add the risk they read (RiskEvents): in a hunt, the rules that
// read raw logs run first and the risk-reading rules then run over the
// risk events their alerts added (with any risk records given as input);
// in serve, each risk event is fed to them as it is stored.
//
// A risk-reading rule's alerts add no risk. Splunk ES's risk incident
// rules create findings, not risk events, so that a correlation can never
// feed itself, or another correlation, in a loop; tripline does the same.

// readsRiskOnly reports whether a rule reads risk events and nothing else.
func readsRiskOnly(c *Compiled) bool {
	if c.Program == nil || !c.Program.Reads(event.Risk) {
		return false
	}
	for _, lt := range event.LogTypes {
		if lt != event.Risk && c.Program.Reads(lt) {
			return false
		}
	}
	return true
}

// addsRisk reports whether a rule's alerts add risk events.
func addsRisk(c *Compiled) bool { return !readsRiskOnly(c) }

// riskCapture keeps the risk records a hunt's input holds, for the
// risk-reading rules, which run after the others. It is safe for
// concurrent use.
type riskCapture struct {
	mu   sync.Mutex
	recs []byte // JSON lines
}

func (c *riskCapture) add(ev *event.Event) {
	c.mu.Lock()
	c.recs = append(append(c.recs, ev.Raw...), '\n')
	c.mu.Unlock()
}

// hasRiskMarker reports whether a raw record may be a risk record.
func hasRiskMarker(raw []byte) bool {
	for _, m := range schema.LogTypeMarkers(event.Risk) {
		if bytes.Contains(raw, []byte(m)) {
			return true
		}
	}
	return false
}

// huntRisk runs the risk-reading rules over the risk events of the first
// stage's alerts (of rules), in time order, and over the risk records the
// input held, holding all state and replaying each rule's ticks, as
// huntAll does.
func huntRisk(ctx context.Context, riskRules, rules []*Compiled, alerts []*alert.Alert, input []byte, opt HuntOptions) ([]RuleReport, []*alert.Alert, error) {
	byID := make(map[string]*Compiled, len(rules))
	for _, c := range rules {
		byID[c.Rule.ID] = c
	}
	sorted := append([]*alert.Alert(nil), alerts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Timestamp.Before(sorted[j].Timestamp) })
	var risk []store.RiskEvent
	for _, a := range sorted {
		if c := byID[a.Rule.ID]; c != nil && addsRisk(c) {
			risk = append(risk, RiskEvents(c.Rule, a)...)
		}
	}
	records := append(RiskRecords(risk), input...)
	insts := make([]*exec.Instance, len(riskRules))
	failed := make([]error, len(riskRules))
	for i, c := range riskRules {
		insts[i] = c.Program.NewInstance(c.Spec.PaneWidth())
	}
	_, err := logs.ReadStream(ctx, "risk", bytes.NewReader(records), logs.StreamStart{}, logs.Options{}, func(_ int, ev *event.Event) error {
		for i, c := range riskRules {
			if failed[i] != nil || c.Exceptions().Event(ev) != nil {
				continue
			}
			failed[i] = safeRiskPush(insts[i], ev)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read risk events: %w", err)
	}
	var reps []RuleReport
	var out []*alert.Alert
	for i, c := range riskRules {
		rr := RuleReport{Compiled: c, Err: failed[i]}
		if opt.Profile {
			rr.Profile = &RuleProfile{}
		}
		if rr.Err == nil {
			al, err := replay(ctx, c, insts[i], rr.Profile)
			if err != nil {
				rr.Err = err
			} else {
				out = append(out, rr.finish(al)...)
			}
		}
		reps = append(reps, rr)
	}
	return reps, out, ctx.Err()
}

// safeRiskPush runs one risk event through a rule, turning a panic into
// the rule's failure.
func safeRiskPush(in *exec.Instance, ev *event.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule panicked on %s: %v\n%s", ev.Origin, r, debug.Stack())
		}
	}()
	in.Push(ev)
	return nil
}
