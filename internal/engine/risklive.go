package engine

import (
	"bytes"
	"context"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/store"
)

// runDue evaluates every tick a rule's watermark has passed, for the rules
// that read risk alone or for the others, and returns the alerts raised or
// updated.
func (l *Live) runDue(now time.Time, riskOnly bool) []*alert.Alert {
	var changed []*alert.Alert
	for _, r := range l.rules {
		if readsRiskOnly(r.c) != riskOnly {
			continue
		}
		l.mu.Lock()
		var wm time.Time
		if riskOnly {
			wm = l.riskWatermark(r, now)
		} else {
			wm = l.ruleWatermark(r, now)
		}
		r.wm = wm
		l.mu.Unlock()
		for !wm.IsZero() && !r.next.IsZero() && !wm.Before(r.next.Add(r.offset)) {
			changed = append(changed, l.runTick(r)...)
		}
	}
	return changed
}

// riskWatermark is the time up to which the risk a rule reads is complete.
// An alert's risk events carry the time of the tick that raised it, and a
// rule's next tick is after every tick it ran: the risk of the rules of
// raw logs is complete up to the earliest of their next ticks (or, for a
// rule yet to see an event, of its watermark). Risk records delivered as
// input count by their streams, as any log does. l.mu must be held.
func (l *Live) riskWatermark(r *liveRule, now time.Time) time.Time {
	var wm time.Time
	held := false
	for _, o := range l.rules {
		if readsRiskOnly(o.c) {
			continue
		}
		b := o.next
		if b.IsZero() {
			b = l.ruleWatermark(o, now)
		}
		if b.IsZero() {
			continue // nothing read yet: it holds nothing back
		}
		if !held || b.Before(wm) {
			wm, held = b, true
		}
	}
	if c := l.marks.complete(r.c.Program.Reads, now); !c.IsZero() {
		if in := l.quietAdvance(c, now); !held || in.Before(wm) {
			wm = in
		}
	}
	return wm
}

// feedRisk gives the risk events just stored to the rules that read risk,
// as risk records (those of the Risk data model). An alert updated at a
// later tick stores its risk events again, unchanged: each is fed once,
// recognised by its alert and risk object as a record is by its id.
func (l *Live) feedRisk(risk []store.RiskEvent) {
	some := false
	for _, r := range l.rules {
		some = some || readsRiskOnly(r.c)
	}
	if !some {
		return
	}
	now := l.opt.Now()
	_, err := logs.ReadStream(context.Background(), "risk", bytes.NewReader(RiskRecords(risk)), logs.StreamStart{}, logs.Options{},
		func(_ int, ev *event.Event) error {
			ev.ID = riskEventKey(ev)
			if l.dedup.repeated(ev) {
				return nil
			}
			for _, r := range l.rules {
				if readsRiskOnly(r.c) {
					l.offer(r, ev, ev.Raw, "risk", now)
				}
			}
			return nil
		})
	if err != nil {
		l.log.Error("cannot feed risk to the rules that read it", "err", err)
	}
}

// riskEventKey identifies a risk record: its alert and risk object.
func riskEventKey(ev *event.Event) string {
	if ev.Doc == nil {
		return ev.ID
	}
	return string(ev.Doc.GetStringBytes("alert_id")) + "\x00" + string(ev.Doc.GetStringBytes("risk_object"))
}
