package engine

import (
	"fmt"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/generate"
)

// CompareExpected matches alerts against expected ones by rule id and
// group values: it returns the expected alerts no alert matched, and the
// alerts that match no expectation.
func CompareExpected(alerts []*alert.Alert, want []generate.Expected) (missing []generate.Expected, extra []*alert.Alert) {
	used := make([]bool, len(alerts))
	for _, w := range want {
		found := false
		for i, a := range alerts {
			if !used[i] && a.Rule.ID == w.Rule && groupMatches(a.Group, w.Group) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	for i, a := range alerts {
		if !used[i] {
			extra = append(extra, a)
		}
	}
	return missing, extra
}

// groupMatches reports whether every expected group value equals the
// alert's, compared as text.
func groupMatches(got alert.Fields, want map[string]any) bool {
	for k, v := range want {
		g := got.Get(k)
		if g.IsNull() || g.String() != event.FromAny(v).String() && g.String() != fmt.Sprint(v) {
			return false
		}
	}
	return true
}
