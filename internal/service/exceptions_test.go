package service

import (
	"context"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/store"
)

// The store's exceptions join the files' on Apply, and leave with their
// removal; a reload that changes nothing leaves the rules' matchers as
// they are.
func TestExceptionsApplyTheStoresWithTheFiles(t *testing.T) {
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	a, b := set.Runnable()[0], set.Runnable()[1]
	files := []exception.Exception{{ID: "ex-file", Rule: b.Rule.ID, Field: "user.id", Values: []string{"x"}, Reason: "r", Author: "a"}}
	x := NewExceptions(set.Compiled, files, st, nil)
	if err := x.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Exceptions() != nil || b.Exceptions() == nil {
		t.Fatalf("files only: %v %v", a.Exceptions(), b.Exceptions())
	}
	kept := b.Exceptions()
	e := exception.Exception{ID: "ex-stored", Rule: a.Rule.ID, Field: "user.id", Values: []string{"y"}, Reason: "r", Author: "a"}
	if err := st.(store.Exceptions).AddException(ctx, e, store.ExceptionChange{By: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Exceptions() == nil {
		t.Error("the stored exception does not apply")
	}
	kept = b.Exceptions()
	if err := x.Apply(ctx); err != nil || b.Exceptions() != kept {
		t.Errorf("a reload that changes nothing replaced the matchers (%v)", err)
	}
	if err := st.(store.Exceptions).RemoveException(ctx, "ex-stored", store.ExceptionChange{By: "a", Note: "n"}); err != nil {
		t.Fatal(err)
	}
	// Watch finds the removal.
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { x.Watch(wctx, 10*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for a.Exceptions() != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if a.Exceptions() != nil || b.Exceptions() == nil {
		t.Errorf("after the removal: %v %v", a.Exceptions(), b.Exceptions())
	}
}

// The rules' tests run in the background, and their results come by rule.
func TestRuleTests(t *testing.T) {
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	var rt RuleTests
	rt.Start(context.Background(), set)
	rt.Start(context.Background(), set) // once
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, done := rt.Of(""); done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rule tests did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ran := 0
	for _, c := range set.Compiled {
		ts, _ := rt.Of(c.Rule.ID)
		for _, tt := range ts {
			ran++
			if !tt.Passed && tt.Skipped == "" {
				t.Errorf("%s / %s failed: %v", c.Rule.ID, tt.Name, tt.Failures)
			}
		}
	}
	if ran == 0 {
		t.Error("no rule test ran")
	}
	live := engine.NewLive(set.Compiled, engine.LiveOptions{})
	withTests := 0
	for _, s := range ruleStatuses(set, live, &rt) {
		if s.TestsPending {
			t.Errorf("%s: tests pending after they ran", s.ID)
		}
		if len(s.Tests) > 0 {
			withTests++
		}
	}
	if withTests == 0 {
		t.Error("no rule status carries its tests")
	}
}
