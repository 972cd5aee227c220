package exec

import (
	"math"
	"strconv"
	"strings"
)

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
