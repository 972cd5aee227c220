package engine

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax/eql"
	"github.com/tripline/tripline/internal/testutil"
)

// eqlCorpusFloor is how many of the Elastic EQL rules for AWS in the
// corpus must compile to run; the rest must be sequences, skipped with
// their reason.
const eqlCorpusFloor = 26

// TestEQLCorpus loads every Elastic EQL rule for AWS in the corpus and
// compiles it: each runs, or is a sequence and says so.
func TestEQLCorpus(t *testing.T) {
	dir := testutil.Shared(t, "corpus/elastic/aws")
	rs, _ := rule.Load([]string{dir})
	total, runs, sequences := 0, 0, 0
	for _, r := range rs {
		if r.Language != rule.LangEQL {
			continue
		}
		total++
		c := Compile(r, nil)
		switch {
		case c.Runnable():
			runs++
		case errors.Is(c.Err, eql.ErrSequence):
			sequences++
		default:
			t.Errorf("%s: %s", filepath.Base(r.File), ErrorDetail(c.Err))
		}
	}
	t.Logf("Elastic EQL rules for AWS: %d, %d run, %d sequences skipped", total, runs, sequences)
	if runs < eqlCorpusFloor {
		t.Errorf("%d EQL rules run, want at least %d", runs, eqlCorpusFloor)
	}
}
