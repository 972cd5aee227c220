package scalar

import (
	"math"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// SPLNumber returns v as Splunk's stats and sort read it: a string that
// holds a decimal number becomes that number (a long when integral), and
// any other value is returned as it is.
func SPLNumber(v event.Value) event.Value {
	s, ok := v.Str()
	if !ok {
		return v
	}
	if n, ok := parseLong(s); ok {
		return event.LongValue(n)
	}
	if f, ok := parseDouble(s); ok {
		return event.DoubleValue(f)
	}
	return v
}

// numStart reports whether s can begin a decimal number: a digit or a
// point, after an optional sign. Checking it first keeps text, which most
// strings are, from costing a parse error each.
func numStart(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '.')
}

func parseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !numStart(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseDouble(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !numStart(s) {
		return 0, false // also keeps out "Inf" and "NaN", which are not numbers here
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
