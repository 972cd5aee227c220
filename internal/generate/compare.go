package generate

import (
	"fmt"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

// Compare matches alerts against the expected ones by rule id and group
// values, one to one: it returns the expected alerts no alert matched, and
// the alerts that match no expectation.
func Compare(alerts []*alert.Alert, want []Expected) (missing []Expected, extra []*alert.Alert) {
	used := make([]bool, len(alerts))
	for _, w := range want {
		found := false
		for i, a := range alerts {
			if !used[i] && w.Matches(a) {
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

// Matches reports whether an alert is of the expected rule and every
// expected group value equals the alert's, compared as text.
func (w Expected) Matches(a *alert.Alert) bool {
	return a.Rule.ID == w.Rule && GroupMatches(a.Group, w.Group)
}

// GroupMatches reports whether every wanted group value equals the
// alert's, compared as text.
func GroupMatches(got alert.Fields, want map[string]any) bool {
	for k, v := range want {
		g := got.Get(k)
		if g.IsNull() || g.String() != event.FromAny(v).String() && g.String() != fmt.Sprint(v) {
			return false
		}
	}
	return true
}
