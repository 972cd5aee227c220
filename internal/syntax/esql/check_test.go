package esql

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// TestCheck needs the ES|QL scalar function registry, which lives in internal/scalar.
func TestCheck(t *testing.T) {
	if _, ok := scalar.Lookup(plan.ESQL, "to_lower"); !ok {
		t.Skip("the ES|QL scalar function table (scalar.Lookup) has no to_lower yet: skipping the function checks")
	}
	tests := []struct {
		query string
		want  string // substring of the only error; "" for none
	}{
		{`from x | where to_lower(a) == "b"`, ""},
		{`from x | eval y = concat(a, "-", b) | sort length(y)`, ""},
		{`from x | stats c = count(*) by date_trunc(1 hour, @timestamp)`, ""},
		{`from x | where a::long > 1`, ""},
		{`from x | where frobnicate(a)`, "cannot check where: unknown function frobnicate()"},
		{`from x | eval y = to_lower()`, "cannot check eval y: to_lower() takes"},
		{`from x | stats c = max(nope(a))`, "cannot check stats c: unknown function nope()"},
		{`from x | sort nope(a)`, "cannot check sort: unknown function nope()"},
	}
	for _, tt := range tests {
		// Parse would report these itself (see verify_test.go): check
		// the plan alone.
		q, _, err := parse(tt.query)
		if err != nil {
			t.Errorf("%s: %s", tt.query, detail(err))
			continue
		}
		errs := Check(q)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("Check(%s) = %v, want no error", tt.query, errs)
		case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want)):
			t.Errorf("Check(%s) = %v, want one error containing %q", tt.query, errs, tt.want)
		}
	}
}

// TestCheckWithoutTable checks what Check reports without the table: an
// aggregate outside STATS (built by hand, Parse refuses it) and "*".
func TestCheckWithoutTable(t *testing.T) {
	q := &plan.Query{Dialect: plan.ESQL, Pipeline: []plan.Node{
		&plan.From{Indices: []string{"x"}},
		&plan.Where{Cond: &plan.Call{Name: "count", Args: []plan.Expr{&plan.Star{}}}},
	}}
	errs := Check(q)
	if len(errs) != 2 {
		t.Fatalf("Check = %v, want 2 errors", errs)
	}
	if !strings.Contains(errs[0].Error(), "aggregate function count() is only valid in STATS") {
		t.Errorf("first error = %v", errs[0])
	}
	if !strings.Contains(errs[1].Error(), `"*" is only valid`) {
		t.Errorf("second error = %v", errs[1])
	}
	// Aggregates with count(*) in STATS are fine without any table.
	q2, err := Parse(`from x | stats c = count(*), m = max(a) by k`)
	if err != nil {
		t.Fatal(detail(err))
	}
	if errs := Check(q2); len(errs) != 0 {
		t.Errorf("Check(stats) = %v, want none", errs)
	}
}

func TestWithImplicitLimit(t *testing.T) {
	tests := []struct{ query, last string }{
		{`from x`, "limit 1000"},
		{`from x | limit 10`, "limit 10"},
		{`from x | limit 5000`, "limit 1000"},
		{`from x | limit 10 | sort a`, "limit 1000"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatal(detail(err))
		}
		before := q.String()
		got := WithImplicitLimit(q)
		if q.String() != before {
			t.Errorf("WithImplicitLimit changed its argument")
		}
		last := got.Pipeline[len(got.Pipeline)-1].String()
		if last != tt.last {
			t.Errorf("%s: last node %q, want %q", tt.query, last, tt.last)
		}
	}
}
