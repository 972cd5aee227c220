package exec

import (
	"fmt"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/valyala/fastjson"
)

// deniedSub is a subsearch of the invocations denied, counted by caller.
func deniedSub() *plan.Subsearch {
	return &plan.Subsearch{Query: &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws_bedrock.invocation-*"}},
		&plan.Where{Cond: &plan.SearchCmp{Field: "errorCode", Op: "=", Value: "AccessDenied*"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "denied", Func: "count"}}, By: []plan.Assign{{Name: "identity.arn", Expr: field("identity.arn")}}}}}}
}

// A subsearch's state is part of its rule's: a snapshot restored in a new
// process gives the join the subsearch's rows as before.
func TestSnapshotKeepsSubsearches(t *testing.T) {
	q := countBy(&plan.Join{Fields: []string{"identity.arn"}, Max: 1, Overwrite: true, Sub: deniedSub()})
	p, err := Compile(q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	in := p.NewInstance(time.Hour)
	in.Push(invocation(t, at, "alice", "m1", "AccessDeniedException"))
	in.Push(invocation(t, at.Add(time.Minute), "bob", "m1", ""))
	from, to := at.Truncate(time.Hour), at.Truncate(time.Hour).Add(time.Hour)
	want := render(in.Evaluate(to, from, to))
	if want != `identity.arn="alice" count=1 denied=1 `+"\n" {
		t.Fatalf("before the snapshot:\n%s", want)
	}
	back := p.NewInstance(time.Hour)
	if err := back.Restore(in.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if got := render(back.Evaluate(to, from, to)); got != want {
		t.Errorf("restored:\n%s\nwant:\n%s", got, want)
	}
	// And it goes on taking events into the restored subsearch.
	back.Push(invocation(t, at.Add(2*time.Minute), "bob", "m2", "AccessDeniedException"))
	if got := render(back.Evaluate(to, from, to)); got != `identity.arn="alice" count=1 denied=1 `+"\n"+`identity.arn="bob" count=2 denied=1 `+"\n" {
		t.Errorf("after one more denial:\n%s", got)
	}
}

func cloudTrailCall(t *testing.T, eventName, user string) []byte {
	t.Helper()
	raw := fmt.Sprintf(`{"eventVersion":"1.09","eventTime":"2026-11-21T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":%q,"userIdentity":{"arn":%q},"eventID":"e"}`, eventName, user)
	if _, err := fastjson.Parse(raw); err != nil {
		t.Fatal(err)
	}
	return []byte(raw)
}

// A rule whose subsearch reads events keeps a raw-text prefilter: the
// union of its own and its subsearch's, so that it parses the records
// either may need and no others.
func TestSubsearchPrefilterIsTheUnion(t *testing.T) {
	main := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"logs-aws.cloudtrail-*"}},
		&plan.Where{Cond: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "ConsoleLogin"}},
		&plan.Stats{Aggs: []plan.Agg{{Name: "count", Func: "count"}}, By: []plan.Assign{{Name: "userIdentity.arn", Expr: field("userIdentity.arn")}}},
		&plan.Join{Fields: []string{"userIdentity.arn"}, Max: 1, Overwrite: true, Sub: &plan.Subsearch{Query: &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{
			&plan.From{Indices: []string{"logs-aws.cloudtrail-*"}},
			&plan.Where{Cond: &plan.SearchCmp{Field: "eventName", Op: "=", Value: "CreateLoginProfile"}},
			&plan.Stats{Aggs: []plan.Agg{{Name: "created", Func: "count"}}, By: []plan.Assign{{Name: "userIdentity.arn", Expr: field("userIdentity.arn")}}}}}}},
	}}
	p, err := Compile(main, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pre := p.Prefilter()
	if pre.Empty() {
		t.Fatal("the rule has no prefilter")
	}
	for _, c := range []struct {
		raw  []byte
		want bool
	}{
		{cloudTrailCall(t, "ConsoleLogin", "eve"), true},       // the search's
		{cloudTrailCall(t, "CreateLoginProfile", "eve"), true}, // the subsearch's
		{cloudTrailCall(t, "ListUsers", "eve"), false},
		{[]byte(`{"schemaType":"ModelInvocationLog","modelId":"ConsoleLogin"}`), false}, // not CloudTrail
	} {
		if got := pre.Match(c.raw); got != c.want {
			t.Errorf("%s: admitted %v, want %v (prefilter %s)", c.raw, got, c.want, pre)
		}
	}
	// What it admits, the rule turns into the join's row.
	in := p.NewInstance(time.Hour)
	for _, name := range []string{"CreateLoginProfile", "ConsoleLogin"} {
		raw := cloudTrailCall(t, name, "eve")
		if !pre.Match(raw) {
			continue
		}
		doc, _ := fastjson.ParseBytes(raw)
		in.Push(&event.Event{LogType: event.CloudTrail, Time: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), Raw: raw, Doc: doc, Strings: &event.Interner{}})
	}
	from := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	if got := render(in.Evaluate(from.Add(time.Hour), from, from.Add(time.Hour))); got != `userIdentity.arn="eve" count=1 created=1 `+"\n" {
		t.Errorf("rows:\n%s", got)
	}
}
