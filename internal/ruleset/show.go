package ruleset

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tripline/tripline/internal/clickhouse"
	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/visible"
)

// planParts returns the printed plan, prefilter and program description of
// a compiled rule ("" when it did not compile).
func planParts(c *engine.Compiled) (plan, prefilter, program string) {
	if c.Program == nil {
		return "", "", ""
	}
	prefilter = c.Program.Prefilter().String()
	if prefilter == "" {
		prefilter = "(none: every record is parsed)"
	}
	return c.Program.Query.String(), prefilter, c.Program.Describe()
}

// Write renders one rule in full for people: its metadata, health,
// description, threat mapping, risk, query, plan and guide.
func Write(w io.Writer, c *engine.Compiled, st State) {
	r := c.Rule
	tw := tabwriter.NewWriter(visible.Writer(w), 0, 4, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	field("ID", r.ID)
	field("Name", r.Name)
	field("Version", fmt.Sprint(r.Version))
	field("Language", fmt.Sprintf("%s (type %s, format %s)", r.Language, r.Type, r.Format))
	field("Status", r.Status)
	field("File", st.File+fmt.Sprintf(":%d", r.Line))
	field("Severity", fmt.Sprintf("%s, risk score %d", r.Severity, r.RiskScore))
	field("Schedule", Schedule(r))
	maxAlerts := "no cap"
	if r.MaxAlerts > 0 {
		maxAlerts = fmt.Sprintf("%d per run", r.MaxAlerts)
	}
	field("Max alerts", maxAlerts)
	field("Health", st.Health())
	field("Data sources", strings.Join(lint.DataSources(c.Program), ", "))
	field("Indices", strings.Join(r.Indices, ", "))
	field("Timestamp", r.TimestampOverride)
	if s := r.Suppression; s != nil {
		field("Suppression", fmt.Sprintf("by %s for %s (missing fields: %s)", strings.Join(s.GroupBy, ", "), duration.Format(s.Duration), orDefault(s.MissingFields, "suppress")))
	}
	field("Sigma filters", strings.Join(st.Filters, ", "))
	field("Tags", strings.Join(r.Tags, "; "))
	field("Tests", fmt.Sprint(len(r.Tests)))
	field("Authors", strings.Join(r.Authors, ", "))
	field("License", r.License)
	tw.Flush()
	section := func(title, body string) {
		if strings.TrimSpace(body) == "" {
			return
		}
		fmt.Fprintf(w, "\n%s:\n%s\n", title, indent(strings.TrimRight(body, "\n"), "  "))
	}
	section("Description", r.Description)
	var threat []string
	for _, th := range r.Threat {
		tactic := strings.TrimSpace(th.Tactic.ID + " " + th.Tactic.Name)
		for _, te := range th.Techniques {
			line := fmt.Sprintf("%s  %s  %s", th.Framework, orDefault(tactic, "(no tactic)"), strings.TrimSpace(te.ID+" "+te.Name))
			for _, s := range te.Subtechniques {
				line += ", " + strings.TrimSpace(s.ID+" "+s.Name)
			}
			threat = append(threat, line)
		}
	}
	section("Threat", strings.Join(threat, "\n"))
	var risk []string
	for _, ro := range r.Risk {
		if ro.Threat {
			risk = append(risk, fmt.Sprintf("threat object %s (%s)", ro.Field, ro.Type))
		} else {
			risk = append(risk, fmt.Sprintf("risk object %s (%s), score %d", ro.Field, ro.Type, ro.Score))
		}
	}
	if m, ok := r.Extra["risk_message"].(string); ok {
		risk = append(risk, "message: "+m)
	}
	section("Risk", strings.Join(risk, "\n"))
	section("Warnings", strings.Join(st.Warnings, "\n"))
	if st.Status == StatusError {
		section("Error", st.Location()+": "+st.Message+"\n"+st.Detail)
	}
	section("Query", r.Query)
	p, pre, prog := planParts(c)
	section("Plan", p)
	section("Prefilter", pre)
	section("Program", prog)
	section("ClickHouse SQL", clickhouseSQL(c))
	section("Investigation guide", r.Guide)
	section("Setup", r.Setup)
	section("How to implement", r.HowToImplement)
	section("False positives", bullets(r.FalsePositives))
	var dd []string
	for _, d := range r.Drilldowns {
		s := "- " + d.Name + "\n  " + d.Search
		if d.EarliestOffset != "" || d.LatestOffset != "" {
			s += fmt.Sprintf("\n  from %s to %s", orDefault(d.EarliestOffset, "-"), orDefault(d.LatestOffset, "-"))
		}
		dd = append(dd, s)
	}
	section("Drilldowns", strings.Join(dd, "\n"))
	section("References", bullets(r.References))
}

// JSON gives one rule in full as a JSON object, with the fields Write
// shows.
func JSON(c *engine.Compiled, st State) map[string]any {
	r := c.Rule
	p, pre, prog := planParts(c)
	var threat []map[string]any
	for _, th := range r.Threat {
		var techs []map[string]any
		for _, te := range th.Techniques {
			var subs []map[string]string
			for _, s := range te.Subtechniques {
				subs = append(subs, map[string]string{"id": s.ID, "name": s.Name})
			}
			techs = append(techs, map[string]any{"id": te.ID, "name": te.Name, "subtechniques": subs})
		}
		threat = append(threat, map[string]any{"framework": th.Framework, "tactic": map[string]string{"id": th.Tactic.ID, "name": th.Tactic.Name}, "techniques": techs})
	}
	var dd []map[string]string
	for _, d := range r.Drilldowns {
		dd = append(dd, map[string]string{"name": d.Name, "search": d.Search, "earliest_offset": d.EarliestOffset, "latest_offset": d.LatestOffset})
	}
	var risk []map[string]any
	for _, ro := range r.Risk {
		risk = append(risk, map[string]any{"field": ro.Field, "type": ro.Type, "score": ro.Score, "threat": ro.Threat})
	}
	return map[string]any{
		"id": r.ID, "name": r.Name, "version": r.Version, "description": r.Description,
		"language": r.Language, "type": r.Type, "format": r.Format, "maturity": r.Status,
		"file": st.File, "line": r.Line, "severity": r.Severity, "risk_score": r.RiskScore,
		"schedule": Schedule(r), "interval": duration.Format(r.Interval), "lookback": duration.Format(r.LookBack),
		"window_end": duration.Format(r.WindowEnd), "max_alerts": r.MaxAlerts, "tags": r.Tags,
		"threat": threat, "risk": risk, "guide": r.Guide, "setup": r.Setup, "drilldowns": dd,
		"references": r.References, "false_positives": r.FalsePositives, "tests": len(r.Tests),
		"query": r.Query, "plan": p, "prefilter": pre, "program": prog,
		"data_sources": lint.DataSources(c.Program), "health": st.Health(), "status": st.Status,
		"message": st.Message, "warnings": st.Warnings, "skip": r.Skip,
	}
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func bullets(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- " + it)
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Schedule renders a rule's schedule: "every 10m over 1h".
func Schedule(r *rule.Rule) string {
	if r.Interval <= 0 {
		return "-"
	}
	s := "every " + duration.Format(r.Interval) + " over " + duration.Format(r.LookBack)
	if r.WindowEnd > 0 {
		s += ", ending " + duration.Format(r.WindowEnd) + " before the run"
	}
	return s
}

// clickhouseSQL is the SELECT the ClickHouse engine runs for the rule at
// each tick, or why it cannot run there.
func clickhouseSQL(c *engine.Compiled) string {
	if c.Program == nil {
		return ""
	}
	q, err := clickhouse.CompileRule(c.Program.Query, c.Rule.TimestampOverride, clickhouse.DefaultDatabase)
	if err != nil {
		return "(not on ClickHouse: " + err.Error() + ")"
	}
	return q.Template()
}
