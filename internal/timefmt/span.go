package timefmt

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Spans as Splunk (bin span=, relative_time) and Elasticsearch (date_trunc
// and bucket intervals given as text) spell them. Calendar units count
// months, which a time.Duration cannot, so no duration parser (ours in
// internal/duration or Go's) reads them.

// spanUnits maps Splunk and ES time-unit words to a duration.
var spanUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
	"us": time.Microsecond, "microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"ms": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// spanMonthUnits maps the calendar unit words to a number of months.
var spanMonthUnits = map[string]int{
	"mo": 1, "mon": 1, "month": 1, "months": 1,
	"q": 3, "qtr": 3, "qtrs": 3, "quarter": 3, "quarters": 3,
	"y": 12, "yr": 12, "yrs": 12, "year": 12, "years": 12,
}

// ParseSpan reads a span: a count and a unit, "5m", "1 hour", "3mon",
// "2mo" (ES|QL's spelling of months), "q". A count alone is seconds and a
// unit alone is one of it. Months, quarters and years come back as
// months, the other units as a duration.
func ParseSpan(s string) (months int, d time.Duration, err error) {
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	lead := len(s) - len(t)
	t = strings.TrimRightFunc(t, unicode.IsSpace)
	fail := func(at int, msg string) (int, time.Duration, error) {
		return 0, 0, &Error{Text: s, Pos: lead + at, As: "a span", Msg: msg}
	}
	i := 0
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	n := 1
	if i > 0 {
		v, err := strconv.Atoi(t[:i])
		if err != nil {
			return fail(0, "count too large")
		}
		n = v
	}
	unitAt := len(t) - len(strings.TrimLeftFunc(t[i:], unicode.IsSpace))
	unit := strings.ToLower(t[unitAt:])
	u, m := time.Second, 0 // a count alone is seconds
	if unit == "" && i == 0 {
		return fail(0, "want a count or a unit")
	}
	if unit != "" {
		var ok bool
		if u, ok = spanUnits[unit]; !ok {
			if m, ok = spanMonthUnits[unit]; !ok {
				return fail(unitAt, "unknown unit "+strconv.Quote(t[unitAt:]))
			}
		}
	}
	switch {
	case n <= 0:
		return fail(0, "span must be positive")
	case m > 0 && n > math.MaxInt32/m, m == 0 && int64(n) > math.MaxInt64/int64(u):
		return fail(0, "span too long")
	case m > 0:
		return n * m, 0, nil
	}
	return 0, time.Duration(n) * u, nil
}

// Trunc floors Unix nanoseconds to a span: calendar months count from
// year 0 (so 3 months are quarters, 12 months are years); one week starts
// on Monday; other fixed spans are aligned to the Unix epoch. It is false
// when the span starts before the first instant (in September 1677).
func Trunc(ns int64, months int, d time.Duration) (int64, bool) {
	if months > 0 {
		t := time.Unix(0, ns).UTC()
		idx := int64(t.Year())*12 + int64(t.Month()) - 1
		idx = floorDiv(idx, int64(months)) * int64(months)
		return instant(time.Date(int(floorDiv(idx, 12)), time.Month(floorMod(idx, 12)+1), 1, 0, 0, 0, 0, time.UTC), 0)
	}
	step, origin := int64(d), int64(0)
	if d == 7*24*time.Hour {
		origin = 4 * day // 1970-01-05 was a Monday
	}
	into := floorMod(floorMod(ns, step)-floorMod(origin, step), step) // how far into its span ns is
	if ns < math.MinInt64+into {
		return 0, false
	}
	return ns - into, true
}

// AddSpan adds calendar months and a fixed duration to Unix nanoseconds.
// It is false when that leaves the instants.
func AddSpan(ns int64, months int, d time.Duration) (int64, bool) {
	if months > math.MaxInt32 || months < -math.MaxInt32 {
		return 0, false
	}
	return instant(time.Unix(0, ns).UTC().AddDate(0, months, 0).Add(d), 0)
}
