package scalar

import (
	"testing"

	"github.com/tripline/tripline/internal/plan"
)

// The registry holds one well-formed entry per function, and a function
// that two dialects share is one entry, not two.
func TestRegistry(t *testing.T) {
	seen := map[*Func]plan.Dialect{}
	for _, d := range []plan.Dialect{plan.ESQL, plan.SPL} {
		fs := Funcs(d)
		if len(fs) == 0 {
			t.Fatalf("%s has no functions", d)
		}
		for _, f := range fs {
			if (f.Eval == nil) == (f.Lazy == nil) {
				t.Errorf("%s %s: want exactly one of Eval and Lazy", d, f.Name)
			}
			if f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs {
				t.Errorf("%s %s: arity %d to %d", d, f.Name, f.MinArgs, f.MaxArgs)
			}
			if got, ok := Lookup(d, f.Name); !ok || got != f {
				t.Errorf("%s %s: Lookup does not return the listed entry", d, f.Name)
			}
			has := false
			for _, fd := range f.Dialects {
				has = has || fd == d
			}
			if !has {
				t.Errorf("%s %s: entry lists dialects %v", d, f.Name, f.Dialects)
			}
			if prev, ok := seen[f]; ok && len(f.Dialects) < 2 {
				t.Errorf("%s %s: one-dialect entry also listed for %s", d, f.Name, prev)
			}
			seen[f] = d
		}
	}
	for _, name := range []string{"md5", "coalesce"} {
		e, _ := Lookup(plan.ESQL, name)
		s, _ := Lookup(plan.SPL, name)
		if e == nil || e != s {
			t.Errorf("%s: ES|QL and SPL should share one entry", name)
		}
	}
	if e, _ := Lookup(plan.ESQL, "case"); e == nil || len(e.Dialects) != 1 {
		t.Errorf("case differs by dialect and should have an entry per dialect")
	}
	if s, _ := Lookup(plan.Sigma, "if"); s == nil {
		t.Errorf("Sigma should have SPL's functions")
	}
}
