package engine

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/visible"
)

// WriteProblems writes a read's bad records and warnings, the first of
// each with where they are, escaped for a terminal.
func WriteProblems(w io.Writer, st logs.Stats) {
	for _, part := range []struct {
		what    string
		n       int
		samples []logs.Problem
	}{{"bad records", st.Bad, st.BadSamples}, {"warnings", st.Warnings, st.WarningSamples}} {
		if part.n == 0 {
			continue
		}
		fmt.Fprintf(w, "%s: %d; first:\n", part.what, part.n)
		for _, p := range part.samples {
			fmt.Fprintf(w, "  %s\n", visible.String(p.String()))
		}
	}
}

// WriteSummary writes the run summary people read on stderr: what was
// read, what was bad and where, what each rule did, and how fast.
func WriteSummary(w io.Writer, rep *Report) {
	st := rep.Read
	unparsed := 0
	for _, n := range st.Skipped {
		unparsed += n
	}
	fmt.Fprintf(w, "\nread %d files, %d records (%d cloudtrail, %d bedrock invocation), %.1f MB\n",
		st.Files, st.Total()+unparsed, st.Records[event.CloudTrail]+st.Skipped[event.CloudTrail],
		st.Records[event.BedrockInvocation]+st.Skipped[event.BedrockInvocation], float64(st.Decoded)/1e6)
	if unparsed > 0 {
		fmt.Fprintf(w, "%d records parsed; %d skipped unparsed because no rule could match them (--no-prefilter parses all)\n", st.Total(), unparsed)
	}
	WriteProblems(w, st)
	if rep.Duplicates > 0 {
		fmt.Fprintf(w, "%d duplicate records dropped: the same eventID or requestId was read before (S3 re-delivery or overlapping exports)\n", rep.Duplicates)
	}
	if rep.Unordered != "" {
		fmt.Fprintf(w, "input not in time order, so it was read twice with all state held (a larger --lateness may avoid that):\n  %s\n", visible.String(rep.Unordered))
	}
	ran, skipped, failed := 0, 0, 0
	rules := append([]RuleReport(nil), rep.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].Alerts > rules[j].Alerts })
	for _, r := range rules {
		c := r.Compiled
		switch {
		case c.Rule.Skip != "":
			skipped++
			fmt.Fprintf(w, "  skipped  %s (%s): %s\n", c.Rule.Name, c.Rule.ID, c.Rule.Skip)
		case c.Err != nil:
			failed++
			fmt.Fprintf(w, "  error    %s (%s): %v\n", c.Rule.Name, c.Rule.ID, firstLine(c.Err.Error()))
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "  failed   %s (%s): %v\n", c.Rule.Name, c.Rule.ID, firstLine(r.Err.Error()))
		default:
			ran++
			capped := ""
			if r.Capped > 0 {
				capped = fmt.Sprintf(", %d more held back by max alerts per run", r.Capped)
			}
			if n := sumHits(c.Exceptions().Hits()); n > 0 {
				capped += fmt.Sprintf(", %d events or rows stopped by exceptions", n)
			}
			fmt.Fprintf(w, "  %4d alerts  %s (%s, %d windows%s)\n", r.Alerts, c.Rule.Name, c.Rule.Language, r.Ticks, capped)
		}
	}
	secs := rep.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(st.Seen()) / secs
	}
	fmt.Fprintf(w, "rules: %d ran, %d skipped, %d failed; %d alerts in %.2fs (%.0f records/s)\n",
		ran, skipped, failed, len(rep.Alerts), secs, rate)
}

func sumHits(h map[string]int64) int64 {
	var n int64
	for _, v := range h {
		n += v
	}
	return n
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// WriteProfile writes each rule's cost, most expensive first: the CPU time
// its stream stage took (summed over workers) and its window evaluation
// took, the events that reached it, the ticks it evaluated, and the most
// state it held.
func WriteProfile(w io.Writer, rep *Report) {
	var rules []RuleReport
	for _, r := range rep.Rules {
		if r.Profile != nil {
			rules = append(rules, r)
		}
	}
	cost := func(r RuleReport) time.Duration { return r.Profile.Push + r.Profile.Evaluate }
	sort.SliceStable(rules, func(i, j int) bool { return cost(rules[i]) > cost(rules[j]) })
	fmt.Fprintf(w, "\n%9s %9s %9s %9s %6s %6s %11s %11s  %s\n",
		"cpu", "push", "evaluate", "events", "ticks", "panes", "pane groups", "win groups", "rule")
	for _, r := range rules {
		p := r.Profile
		fmt.Fprintf(w, "%9s %9s %9s %9d %6d %6d %11d %11d  %s\n",
			round(cost(r)), round(p.Push), round(p.Evaluate), p.Events, r.Ticks,
			p.Largest.Panes, p.Largest.PaneGroups, p.Largest.WindowGroups, r.Compiled.Rule.Name)
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
