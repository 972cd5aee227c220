package rule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads a Go duration ("1h30m") or a number with one unit
// suffix among s, m, h, d, w ("5m", "7d"). A bare "0" is zero.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if s == "0" {
		return 0, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	u, ok := unit[s[len(s)-1]]
	if !ok {
		return 0, fmt.Errorf("cannot parse duration %q: want a number and a unit (s, m, h, d, w)", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n < 0 || n > int64(1<<62)/int64(u) {
		return 0, fmt.Errorf("cannot parse duration %q: want a number and a unit (s, m, h, d, w)", s)
	}
	return time.Duration(n) * u, nil
}

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
	d, err := parseDuration(t[len("now-"):])
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
	d, err := parseDuration(t)
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
