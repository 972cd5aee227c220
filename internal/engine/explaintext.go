package engine

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/visible"
)

// dropMark flags the stage (or AND term) that let nothing through.
const dropMark = "<-- drops everything"

// WriteExplanation writes an explanation for people: the verdict first,
// then the input, each stage of the plan with what went in and came out
// (the stage that dropped everything flagged), the windows, and the groups
// nearest the threshold. Text from the logs is escaped.
func WriteExplanation(w io.Writer, ex *Explanation) {
	w = visible.Writer(w)
	r := ex.Rule.Rule
	fmt.Fprintf(w, "Rule:     %s\n          %s, %s, %s\n", r.Name, r.ID, r.Language, scheduleText(ex.Rule))
	fmt.Fprintf(w, "Verdict:  %s\n", visible.String(ex.Verdict()))

	fmt.Fprintf(w, "\nInput:\n")
	pre := ex.Prefilter
	if pre == "" {
		pre = "(none: every record is parsed)"
	}
	fmt.Fprintf(w, "  %-26s %8d\n", "records read", ex.Records)
	fmt.Fprintf(w, "  %-26s %8d  %s\n", "admitted by the prefilter", ex.Admitted, pre)
	if ex.Duplicates > 0 {
		fmt.Fprintf(w, "  %-26s %8d\n", "duplicates dropped", ex.Duplicates)
	}
	fmt.Fprintf(w, "  %-26s %8d  of its sources: %s\n", "reached the rule", ex.Plan.Events, strings.Join(ex.Sources, ", "))
	WriteProblems(w, ex.Read)

	fmt.Fprintf(w, "\nPlan: stream stages count events; stats counts events in and groups out; window\nstages count rows in and out, summed over windows, and the most of one window.\n")
	writeStages(w, ex.Plan)

	p := ex.Plan
	fmt.Fprintf(w, "\nWindows:  %d evaluated, %d with rows, %d with alerts; %d %s", p.Windows, p.WindowsWithRows, ex.WindowsWithAlerts, ex.Alerts, plural(ex.Alerts, "alert"))
	if ex.Capped > 0 {
		fmt.Fprintf(w, ", %d more held back by max alerts", ex.Capped)
	}
	fmt.Fprintln(w)
	writeNear(w, p.Near)
}

func writeStages(w io.Writer, p *exec.Explanation) {
	tw := newTable(w)
	fmt.Fprintln(tw, "  #\tSTAGE\tKIND\tIN\tOUT\tMAX IN\tMAX OUT")
	for i, st := range p.Stages {
		node := clipText(st.Node, 64)
		if st.Implicit {
			node += " (implicit)"
		}
		maxIn, maxOut := "", ""
		switch st.Kind {
		case exec.StageWindow:
			maxIn, maxOut = fmt.Sprint(st.MaxIn), fmt.Sprint(st.MaxOut)
		case exec.StageStats:
			maxOut = fmt.Sprint(st.MaxOut)
		}
		note := ""
		switch {
		case st.DropsAll:
			note = dropMark
		case st.NamesOnly:
			note = "(names only)"
		}
		if st.Ungrouped > 0 {
			note = strings.TrimSpace(fmt.Sprintf("%s (%d lacked a by-field)", note, st.Ungrouped))
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", i+1, node, st.Kind, st.In, st.Out, maxIn, maxOut, note)
		in := st.In
		for _, t := range st.Terms {
			maxOut := ""
			if st.Kind == exec.StageWindow {
				maxOut = fmt.Sprint(t.MaxOut)
			}
			note := ""
			if t.DropsAll {
				note = dropMark
			}
			fmt.Fprintf(tw, "  \t  and %s\t\t%d\t%d\t\t%s\t%s\n", clipText(t.Expr, 60), in, t.Out, maxOut, note)
			in = t.Out
		}
	}
	tw.Flush()
}

func writeNear(w io.Writer, n *exec.NearMisses) {
	if n == nil {
		fmt.Fprintln(w, "\nThe rule does not aggregate: each event that passes is a result, so there are no groups to rank.")
		return
	}
	if n.Op != "" {
		fmt.Fprintf(w, "\nNearest groups to the threshold %s (%d %s seen):\n", n.Threshold(), n.Total, plural(n.Total, "group"))
	} else {
		fmt.Fprintf(w, "\nNo threshold to rank against: %s", n.Reason)
		if n.Filter != "" {
			fmt.Fprintf(w, " (%s)", clipText(n.Filter, 80))
		}
		fmt.Fprintf(w, ".\nTop groups by %s, the first aggregate (%d %s seen):\n", n.Column, n.Total, plural(n.Total, "group"))
	}
	if len(n.Groups) == 0 {
		fmt.Fprintln(w, "  (none: no group reached that point of the plan)")
		return
	}
	tw := newTable(w)
	head := "  "
	for _, k := range n.Keys {
		head += strings.ToUpper(k) + "\t"
	}
	head += strings.ToUpper(n.Column) + "\t"
	if n.Op != "" {
		head += "MET\t"
	}
	fmt.Fprintln(tw, head+"CLOSEST IN WINDOW\tWINDOWS")
	for _, g := range n.Groups {
		line := "  "
		for _, k := range g.Keys {
			text := "(null)"
			if !k.IsNull() {
				text = clipMiddle(visible.String(k.String()), 64)
			}
			line += text + "\t"
		}
		line += clipText(visible.String(g.Value.String()), 32) + "\t"
		if n.Op != "" {
			line += yesNo(g.Met) + "\t"
		}
		fmt.Fprintln(tw, line+windowText(g.Window)+"\t"+fmt.Sprint(g.Windows))
	}
	tw.Flush()
}

// table lays out tab-separated cells in columns, as tabwriter does,
// without the padding it leaves at the end of lines.
type table struct {
	w   io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(w io.Writer) *table {
	t := &table{w: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 4, 2, ' ', 0)
	return t
}

func (t *table) Write(p []byte) (int, error) { return t.tw.Write(p) }

// Flush writes the table out.
func (t *table) Flush() {
	t.tw.Flush()
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line != "" {
			io.WriteString(t.w, strings.TrimRight(line, " \n")+"\n")
		}
	}
	t.buf.Reset()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// windowText prints a window compactly: the end's date only when it
// differs from the start's.
func windowText(win exec.Window) string {
	s, e := win.Start.UTC(), win.End.UTC()
	end := e.Format("15:04")
	if s.Format("2006-01-02") != e.Format("2006-01-02") {
		end = e.Format("2006-01-02 15:04")
	}
	return s.Format("2006-01-02 15:04") + "–" + end + "Z"
}

// scheduleText renders a rule's schedule: "every 10m over 1h".
func scheduleText(c *Compiled) string {
	s := "every " + duration.Format(c.Spec.Interval) + " over " + duration.Format(c.Spec.LookBack)
	if c.Spec.WindowEnd > 0 {
		s += ", ending " + duration.Format(c.Spec.WindowEnd) + " before the run"
	}
	return s
}

// clipMiddle shortens s to n runes by cutting its middle: the ends of an
// ARN (account, role, session) tell groups apart.
func clipMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := n / 3
	return string(r[:head]) + "…" + string(r[len(r)-(n-head-1):])
}

// clipText shortens s to n runes, marking the cut.
func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
