package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/rule"
)

func writeLines(t *testing.T, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func compileRule(t *testing.T, lang, query string) *Compiled {
	t.Helper()
	r := &rule.Rule{ID: "explained", Name: "explained", Language: lang, Severity: "low",
		Interval: 10 * time.Minute, LookBack: time.Hour, Query: query}
	c := Compile(r, nil)
	if c.Err != nil {
		t.Fatal(ErrorDetail(c.Err))
	}
	return c
}

// A caller refused 7 times against a rule that wants more than 10: no
// alert, the WHERE after STATS is the stage that let nothing through,
// and the caller is the nearest group, 7 against > 10.
func TestExplainNearMissOfAThreshold(t *testing.T) {
	c := compileRule(t, "esql", `from logs-aws_bedrock.invocation-*
| where gen_ai.response.error_code == "AccessDeniedException"
| stats n = count(*) by user.id
| where n > 10`)
	var lines []string
	for i := 0; i < 7; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "thief", "m1"))
	}
	for i := 0; i < 3; i++ {
		lines = append(lines, denial(base.Add(time.Duration(i)*time.Minute), "intern", "m1"))
	}
	ex, err := Explain(context.Background(), c, []string{writeLines(t, lines)}, ExplainOptions{HuntOptions: HuntOptions{Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Alerts != 0 || ex.Records != 10 || ex.Admitted != 10 || ex.Plan.Events != 10 {
		t.Fatalf("alerts %d, records %d, admitted %d, events %d; want none and 10 of each",
			ex.Alerts, ex.Records, ex.Admitted, ex.Plan.Events)
	}
	p := ex.Plan
	if p.Drop < 0 || p.Stages[p.Drop].Node != "where n > 10" {
		t.Fatalf("drop at %d, want the where after stats: %+v", p.Drop, p.Stages)
	}
	if p.Windows == 0 || p.WindowsWithRows != 0 || ex.WindowsWithAlerts != 0 {
		t.Errorf("windows %d, with rows %d, with alerts %d", p.Windows, p.WindowsWithRows, ex.WindowsWithAlerts)
	}
	n := p.Near
	if n == nil || n.Threshold() != "n > 10" || len(n.Groups) != 2 {
		t.Fatalf("near misses %+v, want two groups against n > 10", n)
	}
	g := n.Groups[0]
	if !strings.HasSuffix(g.Keys[0].String(), "/thief") || g.Value.String() != "7" || g.Met {
		t.Errorf("nearest %v = %v (met %v), want thief = 7", g.Keys, g.Value, g.Met)
	}
	v := ex.Verdict()
	for _, want := range []string{"stage 3 (where n > 10)", "n = 7 against n > 10"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict %q does not say %q", v, want)
		}
	}
	var out bytes.Buffer
	WriteExplanation(&out, ex)
	for _, want := range []string{"where n > 10", dropMark, "Nearest groups to the threshold n > 10", "thief", "  7  "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}

// An SPL search term that no event matches is named: the base search's
// WHERE drops every event, and of its terms, the error code's.
func TestExplainNamesTheSearchTerm(t *testing.T) {
	c := compileRule(t, "spl", `eventSource=bedrock.amazonaws.com eventName=ListFoundationModels errorCode=ThrottlingException | stats count by user_name | where count > 2`)
	var lines []string
	for i := 0; i < 4; i++ {
		lines = append(lines, listFailure(base.Add(time.Duration(i)*time.Minute), "mallory", "203.0.113.9"))
	}
	ex, err := Explain(context.Background(), c, []string{writeLines(t, lines)}, ExplainOptions{HuntOptions: HuntOptions{NoPrefilter: true}})
	if err != nil {
		t.Fatal(err)
	}
	p := ex.Plan
	if p.Drop != 0 || p.Stages[0].In != 4 || p.Stages[0].Out != 0 {
		t.Fatalf("drop at %d, stages %+v: want the search to drop all 4", p.Drop, p.Stages)
	}
	terms := p.Stages[0].Terms
	if len(terms) != 3 || terms[1].Out != 4 || !terms[2].DropsAll || !strings.Contains(terms[2].Expr, "errorCode") {
		t.Errorf("terms %+v: want eventSource and eventName passing 4, errorCode dropping them", terms)
	}
	if v := ex.Verdict(); !strings.Contains(v, "stage 1") || !strings.Contains(v, `search(errorCode = "ThrottlingException")`) {
		t.Errorf("verdict %q does not name the stage and the term", v)
	}
	// With the prefilter on, the records are not even parsed: the verdict
	// says so before any stage.
	ex, err = Explain(context.Background(), c, []string{writeLines(t, lines)}, ExplainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Admitted != 0 || ex.Records != 4 || !strings.Contains(ex.Verdict(), "prefilter") {
		t.Errorf("admitted %d of %d; verdict %q", ex.Admitted, ex.Records, ex.Verdict())
	}
}

// Explain raises the alerts a hunt raises: explain mode changes what is
// counted, not what is found.
func TestExplainAgreesWithHunt(t *testing.T) {
	dir := t.TempDir()
	if _, err := generate.Scenario("llmjacking", generate.Options{Out: dir, Seed: 3, Principals: 30, Background: 0.02}); err != nil {
		t.Fatal(err)
	}
	rules := builtinRules(t)
	rep, err := Hunt(context.Background(), rules, []string{dir}, HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fired := 0
	for _, rr := range rep.Rules {
		ex, err := Explain(context.Background(), rr.Compiled, []string{dir}, ExplainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ex.Err != nil || ex.Alerts != rr.Alerts || ex.Plan.Windows != int64(rr.Ticks) {
			t.Errorf("%s: explain %d alerts in %d windows (err %v), hunt %d in %d", rr.Compiled.Rule.Name,
				ex.Alerts, ex.Plan.Windows, ex.Err, rr.Alerts, rr.Ticks)
		}
		if rr.Alerts > 0 {
			t.Logf("%s fired %d", rr.Compiled.Rule.Name, rr.Alerts)
			fired++
			if !strings.HasPrefix(ex.Verdict(), "the rule fired") {
				t.Errorf("%s: verdict %q", rr.Compiled.Rule.Name, ex.Verdict())
			}
		}
		// Whatever passed a stage is what the next one was given, and
		// the last one's rows are the results.
		st := ex.Plan.Stages
		if last := st[len(st)-1]; last.Kind == exec.StageWindow && last.Out != ex.Plan.Rows {
			t.Errorf("%s: the last stage gives %d rows, the windows %d", rr.Compiled.Rule.Name, last.Out, ex.Plan.Rows)
		}
		for i := 1; i < len(st); i++ {
			comparable := st[i].Kind == st[i-1].Kind || st[i-1].Kind == exec.StageStats
			if comparable && st[i].In != st[i-1].Out {
				t.Errorf("%s: stage %d gives %d, stage %d takes %d", rr.Compiled.Rule.Name, i, st[i-1].Out, i+1, st[i].In)
			}
		}
	}
	if fired < 3 {
		t.Errorf("only %d rules fired: the scenario does not exercise explain", fired)
	}
}
