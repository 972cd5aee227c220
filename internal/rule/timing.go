package rule

import (
	"fmt"
	"github.com/tripline/tripline/internal/duration"
	"strconv"
	"strings"
	"time"
)

// parseElasticFrom reads Kibana's date math for a rule's window start,
// "now-60m", into the window length (60m). Rounding ("/m") is ignored.
func parseElasticFrom(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if i := strings.IndexByte(t, '/'); i >= 0 {
		t = t[:i]
	}
	if !strings.HasPrefix(t, "now-") {
		return 0, fmt.Errorf("cannot parse from %q: want now-<n><unit>, like now-6m", s)
	}
	d, err := duration.Parse(t[len("now-"):])
	if err != nil {
		return 0, fmt.Errorf("cannot parse from %q: %w", s, err)
	}
	return d, nil
}

// parseSplunkRelative reads a Splunk relative time ("-70m@m", "-1h", "now",
// "0") into how far before the scheduled time it points. The snap ("@m") is
// ignored: ticks are already aligned.
func parseSplunkRelative(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if i := strings.IndexByte(t, '@'); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "", "now", "0", "rt":
		return 0, nil
	}
	if !strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("cannot parse relative time %q: want -<n><unit>, like -70m@m", s)
	}
	t = t[1:]
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], t[i:]
	if num == "" {
		num = "1" // "-h" means one hour
	}
	var u string
	switch unit {
	case "s", "sec", "secs", "second", "seconds":
		u = "s"
	case "m", "min", "mins", "minute", "minutes":
		u = "m"
	case "h", "hr", "hrs", "hour", "hours":
		u = "h"
	case "d", "day", "days":
		u = "d"
	case "w", "week", "weeks":
		u = "w"
	default:
		return 0, fmt.Errorf("cannot parse relative time %q: unsupported unit %q", s, unit)
	}
	t = num + u
	d, err := duration.Parse(t)
	if err != nil {
		return 0, fmt.Errorf("cannot parse relative time %q: %w", s, err)
	}
	return d, nil
}

// cronInterval reads the period of the simple cron schedules detections use:
// "*/N * * * *" (N minutes), "M * * * *" (hourly), "M */N * * *" (N hours),
// "M H * * *" (daily).
func cronInterval(s string) (time.Duration, error) {
	f := strings.Fields(s)
	if len(f) != 5 || f[2] != "*" || f[3] != "*" || f[4] != "*" {
		return 0, fmt.Errorf("cannot read cron schedule %q: only minute and hour fields are supported", s)
	}
	every := func(field string) (int, bool) {
		if n, ok := strings.CutPrefix(field, "*/"); ok {
			v, err := strconv.Atoi(n)
			return v, err == nil && v > 0
		}
		return 0, false
	}
	num := func(field string) bool { _, err := strconv.Atoi(field); return err == nil }
	switch {
	case f[1] == "*" && f[0] == "*":
		return time.Minute, nil
	case f[1] == "*":
		if n, ok := every(f[0]); ok {
			return time.Duration(n) * time.Minute, nil
		}
		if num(f[0]) {
			return time.Hour, nil
		}
	case num(f[0]):
		if n, ok := every(f[1]); ok {
			return time.Duration(n) * time.Hour, nil
		}
		if num(f[1]) {
			return 24 * time.Hour, nil
		}
	}
	return 0, fmt.Errorf("cannot read cron schedule %q: only */N minutes, hourly, */N hours and daily are supported", s)
}
