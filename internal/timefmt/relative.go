package timefmt

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Splunk's relative-time modifiers ("-1d@d", "@w1", "+30m") are written
// here: they are Splunk's own grammar, which no library reads.

const day = int64(24 * time.Hour)

// RelativeTime applies a Splunk time modifier to Unix nanoseconds, as
// relative_time(), earliest= and latest= read it: a sequence of offsets
// ("-1d", "+30m", "-h": one of the unit) and snaps to the start of a unit
// ("@d", "@mon", "@q"; "@w" is Sunday and "@w1".."@w6" a later weekday).
// "now" and "" leave the time as it is.
func RelativeTime(ns int64, spec string) (int64, error) {
	s := strings.TrimLeftFunc(spec, unicode.IsSpace)
	lead := len(spec) - len(s)
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	fail := func(at int, msg string) (int64, error) {
		return 0, &Error{Text: spec, Pos: lead + at, As: "a relative time", Msg: msg}
	}
	if strings.EqualFold(s, "now") || s == "" {
		return ns, nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '+', '-':
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			k := j
			for k < len(s) && isLetter(s[k]) {
				k++
			}
			n := 1
			if j > i+1 {
				v, err := strconv.Atoi(s[i+1 : j])
				if err != nil {
					return fail(i+1, "count too large")
				}
				n = v
			}
			if c == '-' {
				n = -n
			}
			unit := strings.ToLower(s[j:k])
			var months int
			var d time.Duration
			if u, ok := spanUnits[unit]; ok {
				if int64(n) > math.MaxInt64/int64(u) || int64(n) < -math.MaxInt64/int64(u) {
					return fail(i, outOfRange)
				}
				d = time.Duration(n) * u
			} else if m, ok := spanMonthUnits[unit]; ok {
				if n > math.MaxInt32/m || n < -math.MaxInt32/m {
					return fail(i, outOfRange)
				}
				months = n * m
			} else {
				return fail(j, "unknown unit "+strconv.Quote(s[j:k]))
			}
			var ok bool
			if ns, ok = AddSpan(ns, months, d); !ok {
				return fail(i, outOfRange)
			}
			i = k
		case '@':
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			unit := strings.ToLower(s[i+1 : j])
			if unit == "w" && j < len(s) && isDigit(s[j]) {
				wd := int(s[j] - '0')
				if wd > 6 {
					return fail(j, "weekday must be 0 to 6")
				}
				j++
				midnight, ok := Trunc(ns, 0, 24*time.Hour)
				back := int64(int(time.Unix(0, midnight).UTC().Weekday())-wd+7) % 7 * day
				if !ok || midnight < math.MinInt64+back {
					return fail(i, outOfRange)
				}
				ns = midnight - back
				i = j
				continue
			}
			if unit == "w" || unit == "week" || unit == "weeks" {
				midnight, ok := Trunc(ns, 0, 24*time.Hour)
				back := int64(time.Unix(0, midnight).UTC().Weekday()) * day
				if !ok || midnight < math.MinInt64+back {
					return fail(i, outOfRange)
				}
				ns = midnight - back
				i = j
				continue
			}
			var ok bool
			if d, isFixed := spanUnits[unit]; isFixed {
				ns, ok = Trunc(ns, 0, d)
			} else if m, isMonths := spanMonthUnits[unit]; isMonths {
				ns, ok = Trunc(ns, m, 0)
			} else {
				return fail(i+1, "unknown unit "+strconv.Quote(s[i+1:j]))
			}
			if !ok {
				return fail(i, outOfRange)
			}
			i = j
		default:
			return fail(i, "want '+', '-' or '@'")
		}
	}
	return ns, nil
}
