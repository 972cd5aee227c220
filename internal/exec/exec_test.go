package exec

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/valyala/fastjson"
)

func invocation(t *testing.T, at time.Time, user, model, code string) *event.Event {
	t.Helper()
	raw := fmt.Sprintf(`{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111","identity":{"arn":%q},"requestId":"r-%s-%d","operation":"InvokeModel","modelId":%q,"errorCode":%q}`,
		at.Format(time.RFC3339), user, user, at.UnixNano(), model, code)
	doc, err := fastjson.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{LogType: event.BedrockInvocation, Time: at, Raw: []byte(raw), Doc: doc, Strings: &event.Interner{},
		ID: fmt.Sprintf("r-%s-%d", user, at.UnixNano()), Origin: event.Origin{File: "f", Line: 1}}
}

// denialsPlan is the Elastic seed's shape, built by hand.
func denialsPlan(threshold int64) *plan.Query {
	return &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Where{Cond: &plan.Binary{Op: "==", L: &plan.Field{Name: "gen_ai.response.error_code"}, R: &plan.Literal{Value: event.StringValue("AccessDeniedException")}}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "n", Func: "count", Args: []plan.Expr{&plan.Star{}}}},
			By: []plan.Assign{{Name: "user.id", Expr: &plan.Field{Name: "user.id"}}}},
		&plan.Where{Cond: &plan.Binary{Op: ">", L: &plan.Field{Name: "n"}, R: &plan.Literal{Value: event.LongValue(threshold)}}},
	}}
}

// compileDenials compiles denialsPlan, failing the test if it does not.
func compileDenials(tb testing.TB, threshold int64) *Program {
	tb.Helper()
	p, err := Compile(denialsPlan(threshold), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestWindowsMergePanes(t *testing.T) {
	p := compileDenials(t, 0)
	in := p.NewInstance(10 * time.Minute)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ { // one denial every 5 minutes: two per pane
		in.Push(invocation(t, base.Add(time.Duration(i)*5*time.Minute), "u1", "m", "AccessDeniedException"))
	}
	in.Push(invocation(t, base, "u1", "m", "ThrottlingException"))
	if got := len(in.PaneStarts()); got != 3 {
		t.Fatalf("panes %d, want 3", got)
	}
	cases := []struct {
		from, to time.Duration
		want     string
	}{
		{0, 10 * time.Minute, "2"},
		{0, 30 * time.Minute, "6"},
		{10 * time.Minute, 20 * time.Minute, "2"},
		{30 * time.Minute, 60 * time.Minute, ""},
	}
	for _, c := range cases {
		res := in.Evaluate(base, base.Add(c.from), base.Add(c.to))
		got := ""
		if len(res) > 0 {
			got = res[0].Get("n").String()
			if res[0].Count != mustLong(t, res[0].Get("n")) {
				t.Errorf("Count %d disagrees with n=%s", res[0].Count, got)
			}
		}
		if got != c.want {
			t.Errorf("window %s–%s: n=%q, want %q", c.from, c.to, got, c.want)
		}
	}
}

func mustLong(t *testing.T, v event.Value) int64 {
	n, ok := v.Long()
	if !ok {
		t.Fatalf("%v is not a long", v)
	}
	return n
}

// Two workers' state merged equals one worker seeing everything.
func TestMergeEqualsSingle(t *testing.T) {
	p := compileDenials(t, 0)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	one, a, b := p.NewInstance(time.Minute), p.NewInstance(time.Minute), p.NewInstance(time.Minute)
	for i := 0; i < 40; i++ {
		ev := invocation(t, base.Add(time.Duration(i)*17*time.Second), fmt.Sprintf("u%d", i%3), "m", "AccessDeniedException")
		one.Push(ev)
		if i%2 == 0 {
			a.Push(ev)
		} else {
			b.Push(ev)
		}
	}
	a.Merge(b)
	r1 := one.Evaluate(base, base, base.Add(time.Hour))
	r2 := a.Evaluate(base, base, base.Add(time.Hour))
	if len(r1) != 3 || len(r1) != len(r2) {
		t.Fatalf("rows %d and %d, want 3", len(r1), len(r2))
	}
	for i := range r1 {
		for _, c := range r1[i].Columns {
			if !event.Equal(r1[i].Get(c), findRow(r2, r1[i].Get("user.id")).Get(c)) {
				t.Errorf("row %d column %s differs", i, c)
			}
		}
	}
}

func findRow(rs []Result, user event.Value) *Result {
	for i := range rs {
		if event.Equal(rs[i].Get("user.id"), user) {
			return &rs[i]
		}
	}
	return &Result{}
}

// ctOnly is the log-type clause of a program that reads CloudTrail only.
const ctOnly = `("\"eventSource\"" or "\"eventName\"")`

func TestPrefilter(t *testing.T) {
	field := func(n string) *plan.Field { return &plan.Field{Name: n} }
	str := func(s string) *plan.Literal { return &plan.Literal{Value: event.StringValue(s)} }
	cases := []struct {
		name string
		q    *plan.Query
		want string
	}{
		{"esql equality on a raw field", denialsPlan(3), `("\"schemaType\"" or "\"modelId\"") and ("AccessDeniedException")`},
		{"computed field gives nothing", &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
			&plan.From{Indices: []string{"logs-aws.cloudtrail-*"}},
			&plan.Where{Cond: &plan.Binary{Op: "==", L: field("event.outcome"), R: str("failure")}}}}, ctOnly},
		{"spl search folds case and splits wildcards", &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
			&plan.From{Sourcetypes: []string{"aws:cloudtrail"}},
			&plan.Where{Cond: &plan.Binary{Op: "AND",
				L: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "ListFoundation*"},
				R: &plan.SearchCmp{Field: "errorCode", Op: "=", Value: "AccessDenied"}}}}}, ctOnly + ` and ("listfoundation"i) and ("accessdenied"i)`},
		{"or merges alternatives; not gives nothing", &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
			&plan.From{},
			&plan.Where{Cond: &plan.Binary{Op: "OR",
				L: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "DeleteGuardrail"},
				R: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "UpdateGuardrail"}}},
			&plan.Where{Cond: &plan.Unary{Op: "NOT", X: &plan.SearchCmp{Field: "errorCode", Op: "=", Value: "AccessDenied"}}}}},
			`("\"eventSource\"" or "\"eventName\"" or "\"schemaType\"" or "\"modelId\"") and ("deleteguardrail"i or "updateguardrail"i)`},
		{"a field redefined by eval is not raw", &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
			&plan.From{Indices: []string{"logs-aws.cloudtrail-*"}},
			&plan.Eval{Assigns: []plan.Assign{{Name: "event.action", Expr: str("x")}}},
			&plan.Where{Cond: &plan.Binary{Op: "==", L: field("event.action"), R: str("CreateUser")}}}}, ctOnly},
	}
	for _, c := range cases {
		p, err := Compile(c.q, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.Prefilter().String(); got != c.want {
			t.Errorf("%s: prefilter %s, want %s", c.name, got, c.want)
		}
	}
	l, _ := literalOf("AccessDenied", true, true)
	f := Prefilter{Clauses: [][]Literal{{l}}}
	if !f.Match([]byte(`"errorCode":"ACCESSDENIED"`)) || f.Match([]byte(`"Throttling"`)) {
		t.Error("Match disagrees with the literal")
	}
}

func TestIndexFold(t *testing.T) {
	cases := []struct {
		hay, needle string
		want        int
	}{
		{"xxListFoundationModels", "listfoundationmodels", 2},
		{"LISTFOUNDATIONMODELS", "listfoundationmodels", 0},
		{"listfoundationmodel", "listfoundationmodels", -1},
		{"aaaaaaaab", "aab", 6},
		{"AccessDeniedException", "accessdenied", 0},
		{"", "abc", -1},
		{"zzQzz", "q", 2},
		{"ab-cd ab_cd", "ab_cd", 6},
	}
	for _, c := range cases {
		n := []byte(c.needle)
		for anchor := range n {
			if got := indexFold([]byte(c.hay), n, anchor); got != c.want {
				t.Errorf("indexFold(%q, %q, anchor %d) = %d, want %d", c.hay, c.needle, anchor, got, c.want)
			}
		}
	}
}

func FuzzIndexFold(f *testing.F) {
	f.Add("xxListFoundationModels", "listfoundation", 3)
	f.Fuzz(func(t *testing.T, hay, needle string, anchor int) {
		lower := bytes.ToLower([]byte(needle))
		if len(lower) == 0 || len(lower) != len(needle) {
			return
		}
		if anchor < 0 {
			anchor = -anchor
		}
		anchor %= len(lower)
		want := bytes.Index(bytes.ToLower([]byte(hay)), lower)
		if len(bytes.ToLower([]byte(hay))) != len(hay) {
			return
		}
		if got := indexFold([]byte(hay), lower, anchor); got != want {
			t.Fatalf("indexFold(%q, %q, %d) = %d, want %d", hay, lower, anchor, got, want)
		}
	})
}

func TestIndexAnchored(t *testing.T) {
	cases := []struct {
		hay, needle string
		want        int
	}{
		{`{"eventSource":"x"}`, `"eventSource"`, 1},
		{`"eventsource"`, `"eventSource"`, -1},
		{"aaaaaaaab", "aab", 6},
		{"abab", "bab", 1},
		{"", "abc", -1},
		{"ab", "abc", -1},
		{"xyzabc", "abc", 3},
	}
	for _, c := range cases {
		n := []byte(c.needle)
		for anchor := range n {
			if got := indexAnchored([]byte(c.hay), n, anchor); got != c.want {
				t.Errorf("indexAnchored(%q, %q, anchor %d) = %d, want %d", c.hay, c.needle, anchor, got, c.want)
			}
		}
	}
}

func FuzzIndexAnchored(f *testing.F) {
	f.Add(`{"schemaType":"ModelInvocationLog"}`, `"schemaType"`, 5)
	f.Fuzz(func(t *testing.T, hay, needle string, anchor int) {
		if needle == "" {
			return
		}
		if anchor < 0 {
			anchor = -anchor
		}
		anchor %= len(needle)
		want := strings.Index(hay, needle)
		if got := indexAnchored([]byte(hay), []byte(needle), anchor); got != want {
			t.Fatalf("indexAnchored(%q, %q, %d) = %d, want %d", hay, needle, anchor, got, want)
		}
	})
}

// A snapshot restored into a fresh instance evaluates exactly as the
// original, and further events merge on top of it.
func TestSnapshotRestore(t *testing.T) {
	p := compileDenials(t, 0)
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	orig := p.NewInstance(10 * time.Minute)
	for i := 0; i < 30; i++ {
		orig.Push(invocation(t, base.Add(time.Duration(i)*97*time.Second), fmt.Sprintf("u%d", i%4), "m", "AccessDeniedException"))
	}
	snap := orig.Snapshot()
	back := p.NewInstance(10 * time.Minute)
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	want := renderResults(orig.Evaluate(base, base, base.Add(time.Hour)))
	got := renderResults(back.Evaluate(base, base, base.Add(time.Hour)))
	if got != want {
		t.Fatalf("restored state evaluates differently:\n%s\nwant\n%s", got, want)
	}
	if err := p.NewInstance(time.Minute).Restore(snap); err == nil {
		t.Error("a snapshot with another pane width was accepted")
	}
	if err := p.NewInstance(10 * time.Minute).Restore(snap[:len(snap)/2]); err == nil {
		t.Error("a truncated snapshot was accepted")
	}
}

func renderResults(rs []Result) string {
	var b []byte
	for _, r := range rs {
		for i, c := range r.Columns {
			b = append(b, c...)
			b = append(b, '=')
			b = r.Values[i].AppendJSON(b)
			b = append(b, ' ')
		}
		b = append(b, fmt.Sprintf("count=%d first=%s\n", r.Count, r.First)...)
	}
	return string(b)
}

func FuzzRestore(f *testing.F) {
	p := compileDenials(f, 0)
	in := p.NewInstance(time.Minute)
	f.Add(in.Snapshot())
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = p.NewInstance(time.Minute).Restore(b) // must not panic
	})
}

// Windows slide from one tick to the next; each must equal a pane-by-pane
// merge from scratch, rows in the same order, also after late events land
// in panes inside the window and when a window moves back.
func TestSlidingWindowsEqualPaneByPane(t *testing.T) {
	p := compileDenials(t, 0)
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	blocked := p.NewInstance(10 * time.Minute)
	push := func(from, n int) {
		for i := from; i < from+n; i++ {
			blocked.Push(invocation(t, base.Add(time.Duration(i)*7*time.Minute), fmt.Sprintf("u%d", i%5), "m", "AccessDeniedException"))
		}
	}
	push(0, 400)
	reference := func(from, to time.Time) string {
		tab := newGroupTable()
		for _, idx := range blocked.sortedPanes() {
			if s := idx * blocked.paneWidth; s >= from.UnixNano() && s < to.UnixNano() {
				p.stats.mergeInto(tab, blocked.panes[idx].tab, idx)
			}
		}
		return renderResults(blocked.results(&scalar.Context{}, p.stats.rows(tab, p.tail.width)))
	}
	for _, step := range []int{0, 1, 2, 3} {
		for k := 0; k < 12; k++ {
			from := base.Add(time.Duration(k*10+step) * 10 * time.Minute).Truncate(10 * time.Minute)
			to := from.Add(24 * time.Hour)
			got := renderResults(blocked.Evaluate(to, from, to))
			if want := reference(from, to); got != want {
				t.Fatalf("window %s–%s:\n%s\nwant\n%s", from, to, got, want)
			}
		}
		push(step*37, 10) // late events, in panes of the kept window
	}
	if blocked.win == nil || len(blocked.win.groups) == 0 {
		t.Fatal("no window was kept: the test did not exercise sliding")
	}
}

// sortLines returns want if it has the same lines as got in any order
// (group order may differ between merge paths), else want unchanged.
func sortLines(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, "\n") == strings.Join(b, "\n") {
		return got
	}
	return want
}
