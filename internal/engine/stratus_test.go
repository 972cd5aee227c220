package engine

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
)

var updateStratus = flag.Bool("update-stratus", false, "rewrite testdata/stratus_elastic.golden")

// Stratus Red Team detonates one attack technique per file; Elastic's AWS
// rules, run as published, raise these alerts on them. The golden file is
// the record asked of this project: each technique with the rules it
// raised and how many alerts, so that a change in the ECS view or in a rule
// type's semantics shows up as a diff to review (rewrite it with
// -update-stratus after checking the change is right). Each file is hunted
// on its own, as a fresh deployment would see it: new-terms rules have no
// history, so a first-seen term alerts.
func TestStratusDetonationsUnderElasticRules(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared")
	rulesDir := filepath.Join(shared, "corpus", "elastic", "aws")
	dataDir := filepath.Join(shared, "data", "cloudtrail", "stratus-red-team-detonation-logs")
	for _, d := range []string{rulesDir, dataDir} {
		if _, err := os.Stat(d); err != nil {
			t.Skipf("the shared corpus or data is not here (%v)", err)
		}
	}
	loaded, _ := rule.Load([]string{rulesDir})
	var compiled []*Compiled
	for _, r := range loaded {
		if c := Compile(r, nil); c.Runnable() {
			compiled = append(compiled, c)
		}
	}
	if len(compiled) < 150 {
		t.Fatalf("only %d of Elastic's AWS rules run", len(compiled))
	}
	files, _ := filepath.Glob(filepath.Join(dataDir, "*.json"))
	var out strings.Builder
	fmt.Fprintf(&out, "# %d Elastic AWS rules over %d Stratus Red Team detonations\n", len(compiled), len(files))
	for _, f := range files {
		rep, err := Hunt(context.Background(), compiled, []string{f}, HuntOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		counts := map[string]int{}
		for _, a := range rep.Alerts {
			counts[a.Rule.Name]++
		}
		names := make([]string, 0, len(counts))
		for n := range counts {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(&out, "%s: %d alerts\n", strings.TrimSuffix(filepath.Base(f), ".json"), len(rep.Alerts))
		for _, n := range names {
			fmt.Fprintf(&out, "  %d %s\n", counts[n], n)
		}
	}
	golden := filepath.Join("testdata", "stratus_elastic.golden")
	if *updateStratus {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("alerts on the Stratus detonations changed (review, then -update-stratus):\n%s", lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only one of two texts has.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	wm, gm := in(w), in(g)
	var b strings.Builder
	for _, x := range w {
		if !gm[x] {
			fmt.Fprintf(&b, "- %s\n", x)
		}
	}
	for _, x := range g {
		if !wm[x] {
			fmt.Fprintf(&b, "+ %s\n", x)
		}
	}
	return b.String()
}
