package alert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/rule"
)

// Reason renders a one-line account of an alert for an analyst.
func Reason(r *rule.Rule, a *Alert) string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(a.Group) > 0 {
		b.WriteString(": ")
		var parts []string
		for _, f := range a.Row {
			if a.Group.Get(f.Name).IsNull() && !f.Value.IsNull() && len(parts) < 3 {
				parts = append(parts, f.Name+"="+short(f.Value.String()))
			}
		}
		if len(parts) > 0 {
			b.WriteString(strings.Join(parts, ", "))
			b.WriteString(" for ")
		}
		var keys []string
		for _, f := range a.Group {
			keys = append(keys, f.Name+"="+short(f.Value.String()))
		}
		b.WriteString(strings.Join(keys, ", "))
	} else {
		for _, name := range []string{"event.action", "eventName", "signature", "operation"} {
			if v := a.Row.Get(name); !v.IsNull() {
				fmt.Fprintf(&b, ": %s", v)
				break
			}
		}
		for _, name := range []string{"user.name", "user.id", "user_name", "user", "userIdentity.arn", "identity.arn"} {
			if v := a.Row.Get(name); !v.IsNull() {
				fmt.Fprintf(&b, " by %s", v)
				break
			}
		}
		for _, name := range []string{"source.ip", "source.address", "src", "sourceIPAddress"} {
			if v := a.Row.Get(name); !v.IsNull() {
				fmt.Fprintf(&b, " from %s", v)
				break
			}
		}
	}
	fmt.Fprintf(&b, " (%d events, %s to %s)", a.EventCount,
		a.FirstSeen.Format("2006-01-02T15:04:05Z"), a.LastSeen.Format("2006-01-02T15:04:05Z"))
	return b.String()
}

func short(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// Drilldowns fills the rule's drilldown searches for an alert: $field$
// tokens from the row (then the group), Splunk's %original_detection_search%
// with the rule's own query, and $info_min_time$ / $info_max_time$ with the
// window's bounds in epoch seconds. A token with no value is left as it is.
func Drilldowns(r *rule.Rule, a *Alert) []Drilldown {
	out := make([]Drilldown, 0, len(r.Drilldowns))
	for _, d := range r.Drilldowns {
		out = append(out, Drilldown{
			Name:     fill(d.Name, r, a),
			Search:   fill(d.Search, r, a),
			Earliest: fill(d.EarliestOffset, r, a),
			Latest:   fill(d.LatestOffset, r, a),
		})
	}
	return out
}

func fill(s string, r *rule.Rule, a *Alert) string {
	s = strings.ReplaceAll(s, "%original_detection_search%", strings.TrimSpace(r.Query))
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i+1:], '$')
		if j < 0 {
			b.WriteString(s)
			break
		}
		token := s[i+1 : i+1+j]
		b.WriteString(s[:i])
		if v, ok := tokenValue(token, a); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+2+j])
		}
		s = s[i+2+j:]
	}
	return b.String()
}

func tokenValue(token string, a *Alert) (string, bool) {
	switch token {
	case "info_min_time":
		return strconv.FormatInt(a.Window.Start.Unix(), 10), true
	case "info_max_time":
		return strconv.FormatInt(a.Window.End.Unix(), 10), true
	case "":
		return "", false
	}
	if v := a.Row.Get(token); !v.IsNull() {
		return v.String(), true
	}
	if v := a.Group.Get(token); !v.IsNull() {
		return v.String(), true
	}
	return "", false
}
