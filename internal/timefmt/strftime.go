package timefmt

import (
	"time"

	"github.com/ncruces/go-strftime"
)

// Splunk's strftime writes the C and POSIX directives as C's strftime
// does in the C locale, and github.com/ncruces/go-strftime writes them
// so: those go to it. Written here is only what it lacks or writes
// otherwise (strftime_test.go shows each difference):
//
//   - %<digit>N and %<digit>Q: Splunk's fraction of a second to that many
//     digits; go-strftime takes no width;
//   - %Q: Splunk's milliseconds of the second; go-strftime writes
//     milliseconds since the epoch;
//   - %L, %v and the modifiers %-, %E, %O and %: (other than %:z): not
//     Splunk's, so written as they are; go-strftime reads them as Ruby
//     and glibc do.

// libDirectives are the directives go-strftime writes as Splunk does.
const libDirectives = "YyCmdeHkIlMSNfpPbhBaAjuwUWVGgZzsFTXDxRrc+nt%"

// AppendStrftime appends t, in UTC, formatted with a strftime layout as
// Splunk's strftime formats it, and returns the extended buffer. Besides
// the C and POSIX directives it writes Splunk's %N, %Q and %<digit>N,
// %<digit>Q (fractions of a second) and %+ (date(1)'s format). Unknown
// directives are written as they are.
func AppendStrftime(dst []byte, t time.Time, layout string) []byte {
	t = t.UTC()
	run := 0 // layout[run:i] is left to go-strftime
	for i := 0; i < len(layout); i++ {
		if layout[i] != '%' {
			continue
		}
		if n := libDirective(layout[i:]); n > 0 {
			i += n - 1
			continue
		}
		dst = strftime.AppendFormat(dst, layout[run:i], t)
		var n int
		dst, n = appendSplunkDirective(dst, t, layout[i:])
		i += n - 1
		run = i + 1
	}
	return strftime.AppendFormat(dst, layout[run:], t)
}

// libDirective returns the length of the directive d starts with if
// go-strftime writes it as Splunk does, or 0.
func libDirective(d string) int {
	switch {
	case len(d) >= 3 && d[1] == ':' && d[2] == 'z':
		return 3
	case len(d) >= 2 && d[1] != ':' && containsByte(libDirectives, d[1]):
		return 2
	}
	return 0
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// appendSplunkDirective writes the directive d starts with, one that
// go-strftime does not write as Splunk does, and returns its length.
func appendSplunkDirective(dst []byte, t time.Time, d string) ([]byte, int) {
	if len(d) == 1 {
		return append(dst, '%'), 1 // a trailing %
	}
	if isDigit(d[1]) && len(d) >= 3 && (d[2] == 'N' || d[2] == 'Q') {
		return appendFraction(dst, t.Nanosecond(), int(d[1]-'0')), 3
	}
	if d[1] == 'Q' {
		return appendFraction(dst, t.Nanosecond(), 3), 2
	}
	return append(dst, '%', d[1]), 2
}
