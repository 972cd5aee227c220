package lint

import (
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/schedule"
)

// The checks a Warning comes from.
const (
	CheckField     = "field"     // a field the rule's log types never have in its view
	CheckThreshold = "threshold" // a condition that can never be true
	CheckSchedule  = "schedule"  // a schedule that leaves events unseen
)

// Warning is something a rule does that compiles but probably does not work
// as meant.
type Warning struct {
	// Check is one of the Check* constants.
	Check string
	// Msg says what is wrong, lower case, without the rule's name.
	Msg string
	// Subject is the query text the warning is about (a field name), for
	// placing it in the rule's file with Find; empty when it has no one place.
	Subject string
}

// String returns the message.
func (w Warning) String() string { return w.Msg }

// Check runs every check on a rule and its compiled program (nil when the
// rule did not compile; then only the schedule is checked).
func Check(r *rule.Rule, p *exec.Program) []Warning {
	out := Schedule(r)
	if p != nil {
		out = append(out, UnknownFields(p)...)
		out = append(out, Thresholds(p.Query)...)
	}
	return out
}

// Schedule warns about a rule's schedule: a look-back shorter than the
// interval leaves events between windows unseen.
func Schedule(r *rule.Rule) []Warning {
	spec := schedule.Spec{Interval: r.Interval, LookBack: r.LookBack, WindowEnd: r.WindowEnd, MaxAlerts: r.MaxAlerts}
	var out []Warning
	for _, w := range spec.Warnings() {
		out = append(out, Warning{Check: CheckSchedule, Msg: w})
	}
	return out
}
