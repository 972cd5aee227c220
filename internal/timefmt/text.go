package timefmt

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The scanner that every parser here reads with, and the number and name
// writers the hand-written formatters share.

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// scanner reads text left to right; i is the offset of the next unread
// byte, which is where an error points.
type scanner struct {
	s string
	i int
}

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// digits reads between min and max decimal digits. Numbers past 10^18
// read as 10^18, too large for any field, rather than wrapping round.
func (p *scanner) digits(min, max int) (int, bool) {
	n, start := 0, p.i
	for p.i < len(p.s) && p.i-start < max && isDigit(p.s[p.i]) {
		if n < 1e17 {
			n = n*10 + int(p.s[p.i]-'0')
		} else {
			n = 1e18
		}
		p.i++
	}
	return n, p.i-start >= min
}

// fraction reads between min and max digits of a decimal fraction of a
// second and returns it in nanoseconds; digits past the ninth count
// for nothing.
func (p *scanner) fraction(min, max int) (int, bool) {
	f, n := 0, 0
	for ; p.i < len(p.s) && n < max && isDigit(p.s[p.i]); p.i, n = p.i+1, n+1 {
		if n < 9 {
			f = f*10 + int(p.s[p.i]-'0')
		}
	}
	for d := n; d < 9; d++ {
		f *= 10
	}
	return f, n >= min
}

// offset reads an optional zone: Z, ±hh, ±hhmm, ±hh:mm; in seconds east.
func (p *scanner) offset() (int, bool) {
	switch c := p.peek(); {
	case c == 'Z' || c == 'z':
		p.i++
		return 0, true
	case c == '+' || c == '-':
		p.i++
		h, ok := p.digits(2, 2)
		if !ok {
			return 0, false
		}
		m := 0
		if p.eat(':') || isDigit(p.peek()) {
			if m, ok = p.digits(2, 2); !ok {
				return 0, false
			}
		}
		if h > 18 || m > 59 {
			return 0, false
		}
		off := h*3600 + m*60
		if c == '-' {
			off = -off
		}
		return off, true
	}
	return 0, true
}

func (p *scanner) skipBlanks() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *scanner) eatFold(w string) bool {
	if len(p.s)-p.i >= len(w) && strings.EqualFold(p.s[p.i:p.i+len(w)], w) {
		p.i += len(w)
		return true
	}
	return false
}

// name reads a full or three-letter name from names, ignoring case, and
// returns its index.
func (p *scanner) name(names []string) (int, bool) {
	for i, n := range names {
		if p.eatFold(n) {
			return i, true
		}
	}
	for i, n := range names {
		if p.eatFold(n[:3]) {
			return i, true
		}
	}
	return 0, false
}

// ampm reads AM or PM, in any case, into f.
func (p *scanner) ampm(f *fields) bool {
	f.hasAMPM = true
	switch {
	case p.eatFold("am"):
		return true
	case p.eatFold("pm"):
		f.pm = true
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// appendInt writes n padded to width with pad; negative numbers keep
// their sign in front.
func appendInt(dst []byte, n, width int, pad byte) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
		width--
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, pad)
	}
	return append(dst, s...)
}

// appendFraction writes the first width digits of a nanosecond fraction,
// then zeros.
func appendFraction(dst []byte, nanos, width int) []byte {
	var buf [9]byte
	for i := 8; i >= 0; i-- {
		buf[i] = byte('0' + nanos%10)
		nanos /= 10
	}
	for i := 0; i < width; i++ {
		if i < 9 {
			dst = append(dst, buf[i])
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

func ampm(h int) string {
	if h < 12 {
		return "AM"
	}
	return "PM"
}

// isoWeekday is the day of the week from Monday (1) to Sunday (7).
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// Instants are int64 Unix nanoseconds, which reach from 1677-09-21 to
// 2262-04-11.
var minInstant, maxInstant = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// instant returns t, read with a zone offset seconds east of UTC, in
// Unix nanoseconds; false when that is outside the instants.
func instant(t time.Time, offset int) (int64, bool) {
	t = t.Add(-time.Duration(offset) * time.Second)
	if t.Before(minInstant) || t.After(maxInstant) {
		return 0, false
	}
	return t.UnixNano(), true
}

const outOfRange = "out of range: instants are from 1677-09-21 to 2262-04-11"

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
