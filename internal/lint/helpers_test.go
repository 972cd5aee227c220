package lint

import (
	"testing"

	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax/esql"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// parse plans a query in the test's dialect ("esql" or "spl").
func parse(t *testing.T, lang, src string) *plan.Query {
	t.Helper()
	var q *plan.Query
	var err error
	if lang == "esql" {
		q, err = esql.Parse(src)
	} else {
		q, err = spl.Parse(src, spl.NewMacros())
	}
	if err != nil {
		t.Fatalf("cannot parse %q: %v", src, err)
	}
	return q
}

func compile(t *testing.T, lang, src string) *exec.Program {
	t.Helper()
	p, err := exec.Compile(parse(t, lang, src), exec.Options{})
	if err != nil {
		t.Fatalf("cannot compile %q: %v", src, err)
	}
	return p
}
