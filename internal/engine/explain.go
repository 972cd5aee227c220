package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
)

// ExplainOptions configure Explain.
type ExplainOptions struct {
	// Workers, Stdin, Logger, NoPrefilter and DedupHorizon are read as a
	// hunt reads them; the others are ignored.
	HuntOptions
	// Top is how many groups nearest the threshold to keep; 0 means
	// DefaultExplainTop, negative keeps all.
	Top int
}

// DefaultExplainTop is how many near-miss groups Explain keeps when the
// options leave Top zero.
const DefaultExplainTop = 5

// Explanation is what one rule made of the data given: the records read,
// those its prefilter admitted and the events of its sources, what passed
// each stage of its plan, the windows it evaluated and the alerts they
// raised, and the groups nearest its threshold.
type Explanation struct {
	Rule *Compiled  `json:"-"`
	Read logs.Stats `json:"-"`
	// Records counts the records read; Admitted those the rule's prefilter
	// let be parsed (all of them when it has none); Prefilter prints it.
	Records   int    `json:"records"`
	Admitted  int    `json:"admitted"`
	Prefilter string `json:"prefilter"`
	// Duplicates counts records dropped as copies of one read before.
	Duplicates int64 `json:"duplicates"`
	// Sources names the kinds of log the rule reads.
	Sources []string `json:"sources"`
	// Plan is what passed each stage; its Events are the events of the
	// rule's sources, which reached it.
	Plan *exec.Explanation `json:"plan"`
	// WindowsWithAlerts counts the windows that raised an alert; Alerts
	// the alerts raised, Capped those held back by max alerts.
	WindowsWithAlerts int `json:"windows_with_alerts"`
	Alerts            int `json:"alerts"`
	Capped            int `json:"capped"`
	// Err is set when the rule failed while running.
	Err error `json:"-"`
}

// Explain runs one rule over the inputs as a hunt would, holding all of
// its state, with its instance in explain mode, and says what happened at
// each step: the answer to "why did this rule not fire on this data?".
func Explain(ctx context.Context, c *Compiled, inputs []string, opt ExplainOptions) (*Explanation, error) {
	if !c.Runnable() {
		if c.Err != nil {
			return nil, fmt.Errorf("rule %s cannot run: %w", c.Rule.ID, c.Err)
		}
		return nil, fmt.Errorf("rule %s cannot run", c.Rule.ID)
	}
	if err := c.Spec.Bounded(); err != nil {
		return nil, fmt.Errorf("rule %s cannot run: %w", c.Rule.ID, err)
	}
	top := opt.Top
	switch {
	case top == 0:
		top = DefaultExplainTop
	case top < 0:
		top = 0 // exec's "all"
	}
	rules := []*Compiled{c}
	workers, readOpt := newWorkers(rules, workerCount(opt.HuntOptions), opt.HuntOptions)
	for _, w := range workers {
		w.insts[0].Explain()
	}
	admitted := make([]int, len(workers)) // by worker: the filter runs on its own
	filtered := readOpt.Filter != nil
	if filtered {
		admits := readOpt.Filter
		readOpt.Filter = func(wi int, raw []byte) bool {
			if admits(wi, raw) {
				admitted[wi]++
				return true
			}
			return false
		}
	}
	seen := newDedup(opt.DedupHorizon)
	stats, err := logs.Read(ctx, inputs, readOpt, func(wi int, ev *event.Event) error {
		if !seen.repeated(ev) {
			workers[wi].feed(ev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ex := &Explanation{Rule: c, Read: stats, Records: stats.Seen(), Duplicates: seen.Dropped(),
		Prefilter: c.Program.Prefilter().String()}
	for _, s := range c.Program.LogTypes {
		ex.Sources = append(ex.Sources, s.String())
	}
	ex.Admitted = stats.Seen()
	if filtered {
		ex.Admitted = 0
		for _, n := range admitted {
			ex.Admitted += n
		}
	}
	in := workers[0].insts[0]
	for _, w := range workers[1:] {
		in.Merge(w.insts[0])
	}
	ex.Err = report(c, 0, workers, false).Err
	if ex.Err == nil {
		ex.Err = ex.evaluate(ctx, in)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ex.Plan = in.Explanation(top)
	return ex, nil
}

// evaluate replays the rule's ticks over the instance, as a hunt holding
// all state does, counting the windows that raise alerts.
func (ex *Explanation) evaluate(ctx context.Context, in *exec.Instance) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule panicked while evaluating: %v\n%s", r, debug.Stack())
		}
	}()
	c := ex.Rule
	al := newAlerter(c)
	for _, t := range c.Spec.TicksCovering(in.PaneStarts(), c.Spec.PaneWidth()) {
		if err := ctx.Err(); err != nil {
			return err
		}
		w := c.Spec.WindowAt(t)
		before := len(al.alerts)
		al.tick(w, in.Evaluate(t, w.Start, w.End))
		if len(al.alerts) > before {
			ex.WindowsWithAlerts++
		}
	}
	ex.Alerts, ex.Capped = len(al.finish()), al.Capped
	return nil
}

// Verdict says in one sentence why the rule raised no alert (or that it
// did): the first place where what it was given came to nothing.
func (ex *Explanation) Verdict() string {
	p := ex.Plan
	switch {
	case ex.Err != nil:
		return "the rule failed: " + firstLine(ex.Err.Error())
	case ex.Alerts > 0:
		return fmt.Sprintf("the rule fired: %d %s in %d %s", ex.Alerts, plural(ex.Alerts, "alert"), ex.WindowsWithAlerts, plural(ex.WindowsWithAlerts, "window"))
	case ex.Records == 0:
		return "no alert: no record was read"
	case ex.Admitted == 0:
		return "no alert: no record holds the text the rule's prefilter needs, so none was parsed"
	case p.Events == 0:
		return fmt.Sprintf("no alert: no record of the rule's sources (%s) was read", strings.Join(ex.Sources, ", "))
	case p.Drop >= 0:
		st := p.Stages[p.Drop]
		what := "rows"
		if st.Kind != exec.StageWindow {
			what = "events"
		}
		s := fmt.Sprintf("no alert: stage %d (%s) let none of the %d %s it was given through", p.Drop+1, st.Node, st.In, what)
		for _, t := range st.Terms {
			if t.DropsAll {
				s += fmt.Sprintf("; the term that refused the last of them is %s", t.Expr)
				break
			}
		}
		if st.Ungrouped == st.In && st.Kind == exec.StageStats {
			s += "; every one lacked a by-field"
		}
		if n := p.Near; n != nil && n.Op != "" && len(n.Groups) > 0 && !n.Groups[0].Met {
			s += fmt.Sprintf("; the nearest group reached %s = %s against %s", n.Column, n.Groups[0].Value, n.Threshold())
		}
		return s
	case p.Rows > 0:
		return fmt.Sprintf("no alert: %d windows gave rows, but none raised an alert", p.WindowsWithRows)
	}
	return "no alert"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// explainJSON is the JSON form of an Explanation: the rule, the verdict
// and the counts.
type explainJSON struct {
	Rule     ruleJSON `json:"rule"`
	Verdict  string   `json:"verdict"`
	Error    string   `json:"error,omitempty"`
	Schedule string   `json:"schedule"`
	*Explanation
}

type ruleJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
}

// JSON returns the explanation as one JSON document's value.
func (ex *Explanation) JSON() any {
	r := ex.Rule.Rule
	j := explainJSON{Rule: ruleJSON{r.ID, r.Name, r.Language}, Verdict: ex.Verdict(), Schedule: scheduleText(ex.Rule), Explanation: ex}
	if ex.Err != nil {
		j.Error = ex.Err.Error()
	}
	return j
}
