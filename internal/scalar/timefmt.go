package scalar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// Date-time text: ISO 8601 parsing, strftime-style formatting and parsing
// (SPL), Java DateTimeFormatter patterns (ES|QL), and span text. All times
// are UTC; values are Unix nanoseconds.

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// parseISOTime parses an ISO 8601 date or date-time as ES|QL accepts it:
// "2024-01-02", "2024-01-02T03:04", "2024-01-02T03:04:05.123456789Z",
// "2024-01-02 03:04:05+01:00", also "2024" and "2024-01". A missing zone
// is UTC.
func parseISOTime(s string) (int64, bool) {
	p := isoScanner{s: s}
	year, ok := p.digits(4, 4)
	if !ok {
		return 0, false
	}
	month, day := 1, 1
	hour, minute, sec, nanos := 0, 0, 0, 0
	if p.eat('-') {
		if month, ok = p.digits(2, 2); !ok {
			return 0, false
		}
		if p.eat('-') {
			if day, ok = p.digits(2, 2); !ok {
				return 0, false
			}
		}
	}
	offset := 0
	if p.eat('T') || p.eat('t') || (p.peek() == ' ' && p.eat(' ')) {
		if hour, ok = p.digits(2, 2); !ok {
			return 0, false
		}
		if !p.eat(':') {
			return 0, false
		}
		if minute, ok = p.digits(2, 2); !ok {
			return 0, false
		}
		if p.eat(':') {
			if sec, ok = p.digits(2, 2); !ok {
				return 0, false
			}
			if p.eat('.') || p.eat(',') {
				start := p.i
				f, ok := p.digits(1, 9)
				if !ok {
					return 0, false
				}
				for n := p.i - start; n < 9; n++ {
					f *= 10
				}
				nanos = f
				for p.i < len(p.s) && isDigit(p.s[p.i]) { // ignore digits past nanoseconds
					p.i++
				}
			}
		}
		if offset, ok = p.offset(); !ok {
			return 0, false
		}
	}
	if p.i != len(s) || month < 1 || month > 12 || day < 1 || day > daysIn(year, time.Month(month)) ||
		hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	return t.UnixNano() - int64(offset)*1e9, true
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

type isoScanner struct {
	s string
	i int
}

func (p *isoScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *isoScanner) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.s) {
		p.i++
		return true
	}
	return false
}

// digits reads between min and max decimal digits.
func (p *isoScanner) digits(min, max int) (int, bool) {
	n, start := 0, p.i
	for p.i < len(p.s) && p.i-start < max && isDigit(p.s[p.i]) {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return n, p.i-start >= min
}

// offset reads an optional zone: Z, ±hh, ±hhmm, ±hh:mm; in seconds east.
func (p *isoScanner) offset() (int, bool) {
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
		if p.eat(':') {
			if m, ok = p.digits(2, 2); !ok {
				return 0, false
			}
		} else if isDigit(p.peek()) {
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

// ---- strftime (SPL) ----

// appendStrftime formats t (UTC) with a strftime layout as Splunk does.
// Unknown directives are written as they are.
func appendStrftime(dst []byte, t time.Time, layout string) []byte {
	t = t.UTC()
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			dst = append(dst, c)
			continue
		}
		i++
		width := -1
		if isDigit(layout[i]) && i+1 < len(layout) && (layout[i+1] == 'N' || layout[i+1] == 'Q') {
			width = int(layout[i] - '0')
			i++
		}
		colon := false
		if layout[i] == ':' && i+1 < len(layout) && layout[i+1] == 'z' {
			colon = true
			i++
		}
		switch layout[i] {
		case 'Y':
			dst = appendInt(dst, t.Year(), 4, '0')
		case 'y':
			dst = appendInt(dst, t.Year()%100, 2, '0')
		case 'C':
			dst = appendInt(dst, t.Year()/100, 2, '0')
		case 'm':
			dst = appendInt(dst, int(t.Month()), 2, '0')
		case 'd':
			dst = appendInt(dst, t.Day(), 2, '0')
		case 'e':
			dst = appendInt(dst, t.Day(), 2, ' ')
		case 'H':
			dst = appendInt(dst, t.Hour(), 2, '0')
		case 'k':
			dst = appendInt(dst, t.Hour(), 2, ' ')
		case 'I':
			dst = appendInt(dst, hour12(t.Hour()), 2, '0')
		case 'l':
			dst = appendInt(dst, hour12(t.Hour()), 2, ' ')
		case 'M':
			dst = appendInt(dst, t.Minute(), 2, '0')
		case 'S':
			dst = appendInt(dst, t.Second(), 2, '0')
		case 'N':
			if width < 0 {
				width = 9
			}
			dst = appendFraction(dst, t.Nanosecond(), width)
		case 'Q':
			if width < 0 {
				width = 3
			}
			dst = appendFraction(dst, t.Nanosecond(), width)
		case 'f':
			dst = appendFraction(dst, t.Nanosecond(), 6)
		case 'p':
			dst = append(dst, ampm(t.Hour())...)
		case 'P':
			dst = append(dst, strings.ToLower(ampm(t.Hour()))...)
		case 'b', 'h':
			dst = append(dst, t.Month().String()[:3]...)
		case 'B':
			dst = append(dst, t.Month().String()...)
		case 'a':
			dst = append(dst, t.Weekday().String()[:3]...)
		case 'A':
			dst = append(dst, t.Weekday().String()...)
		case 'j':
			dst = appendInt(dst, t.YearDay(), 3, '0')
		case 'u':
			dst = appendInt(dst, isoWeekday(t), 1, '0')
		case 'w':
			dst = appendInt(dst, int(t.Weekday()), 1, '0')
		case 'U':
			dst = appendInt(dst, (t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'W':
			dst = appendInt(dst, (t.YearDay()+6-(isoWeekday(t)-1))/7, 2, '0')
		case 'V':
			_, wk := t.ISOWeek()
			dst = appendInt(dst, wk, 2, '0')
		case 'G':
			y, _ := t.ISOWeek()
			dst = appendInt(dst, y, 4, '0')
		case 'g':
			y, _ := t.ISOWeek()
			dst = appendInt(dst, y%100, 2, '0')
		case 'Z':
			dst = append(dst, "UTC"...)
		case 'z':
			if colon {
				dst = append(dst, "+00:00"...)
			} else {
				dst = append(dst, "+0000"...)
			}
		case 's':
			dst = strconv.AppendInt(dst, t.Unix(), 10)
		case 'F':
			dst = appendStrftime(dst, t, "%Y-%m-%d")
		case 'T', 'X':
			dst = appendStrftime(dst, t, "%H:%M:%S")
		case 'D', 'x':
			dst = appendStrftime(dst, t, "%m/%d/%y")
		case 'R':
			dst = appendStrftime(dst, t, "%H:%M")
		case 'r':
			dst = appendStrftime(dst, t, "%I:%M:%S %p")
		case 'c':
			dst = appendStrftime(dst, t, "%a %b %e %H:%M:%S %Y")
		case '+':
			dst = appendStrftime(dst, t, "%a %b %e %H:%M:%S %Z %Y")
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case '%':
			dst = append(dst, '%')
		default:
			dst = append(dst, '%', layout[i])
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

func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

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

// appendFraction writes the first width digits of a nanosecond fraction.
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

// parsedTime collects the fields a parser found.
type parsedTime struct {
	year, month, day        int
	hour, minute, sec, nano int
	yday                    int  // day of year, 0 when unset
	pm, hasAMPM             bool // 12-hour clock
	offset                  int  // seconds east of UTC
	epoch                   *int64
}

func newParsedTime() parsedTime { return parsedTime{year: 1970, month: 1, day: 1} }

func (pt *parsedTime) nanos() (int64, bool) {
	if pt.epoch != nil {
		return *pt.epoch, true
	}
	h := pt.hour
	if pt.hasAMPM {
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if pt.pm {
			h += 12
		}
	}
	if pt.month < 1 || pt.month > 12 || h > 23 || pt.minute > 59 || pt.sec > 60 {
		return 0, false
	}
	var t time.Time
	if pt.yday > 0 {
		t = time.Date(pt.year, 1, pt.yday, h, pt.minute, pt.sec, pt.nano, time.UTC)
	} else {
		if pt.day < 1 || pt.day > daysIn(pt.year, time.Month(pt.month)) {
			return 0, false
		}
		t = time.Date(pt.year, time.Month(pt.month), pt.day, h, pt.minute, pt.sec, pt.nano, time.UTC)
	}
	return t.UnixNano() - int64(pt.offset)*1e9, true
}

// parseStrftime parses s with a strftime layout as Splunk's strptime
// does. Text after the layout is ignored; blanks in the layout match any
// run of blanks. It returns Unix nanoseconds.
func parseStrftime(s, layout string) (int64, bool) {
	pt := newParsedTime()
	p := isoScanner{s: s}
	if !pt.scanStrftime(&p, layout) {
		return 0, false
	}
	return pt.nanos()
}

func (pt *parsedTime) scanStrftime(p *isoScanner, layout string) bool {
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c == ' ' || c == '\t' || c == '\n' {
			p.skipBlanks()
			continue
		}
		if c != '%' || i+1 == len(layout) {
			if !p.eat(c) {
				return false
			}
			continue
		}
		i++
		width := -1
		if isDigit(layout[i]) && i+1 < len(layout) {
			width = int(layout[i] - '0')
			i++
		}
		if layout[i] == ':' && i+1 < len(layout) && layout[i+1] == 'z' {
			i++
		}
		var ok bool
		switch layout[i] {
		case 'Y':
			neg := p.eat('-')
			pt.year, ok = p.digits(1, 4)
			if neg {
				pt.year = -pt.year
			}
		case 'y':
			var y int
			if y, ok = p.digits(1, 2); ok {
				if y < 69 {
					pt.year = 2000 + y
				} else {
					pt.year = 1900 + y
				}
			}
		case 'm':
			pt.month, ok = p.digits(1, 2)
		case 'd', 'e':
			p.skipBlanks()
			pt.day, ok = p.digits(1, 2)
		case 'H', 'k':
			p.skipBlanks()
			pt.hour, ok = p.digits(1, 2)
		case 'I', 'l':
			p.skipBlanks()
			pt.hour, ok = p.digits(1, 2)
			pt.hasAMPM = true
		case 'M':
			pt.minute, ok = p.digits(1, 2)
		case 'S':
			pt.sec, ok = p.digits(1, 2)
		case 'j':
			pt.yday, ok = p.digits(1, 3)
		case 'N', 'Q', 'f':
			if width < 0 {
				width = 9
			}
			start := p.i
			var f int
			if f, ok = p.digits(1, width); ok {
				for n := p.i - start; n < 9; n++ {
					f *= 10
				}
				pt.nano = f
			}
		case 'p', 'P':
			ok = true
			switch {
			case p.eatFold("am"):
			case p.eatFold("pm"):
				pt.pm = true
			default:
				ok = false
			}
			pt.hasAMPM = true
		case 'b', 'B', 'h':
			var m int
			if m, ok = p.name(monthNames[:]); ok {
				pt.month = m + 1
			}
		case 'a', 'A':
			_, ok = p.name(dayNames[:])
		case 'u', 'w':
			_, ok = p.digits(1, 1)
		case 'U', 'W', 'V':
			_, ok = p.digits(1, 2)
		case 'z':
			if p.eatFold("utc") || p.eatFold("gmt") {
				ok = true
				break
			}
			pt.offset, ok = p.offset()
		case 'Z':
			start := p.i
			for p.i < len(p.s) && (isLetter(p.s[p.i])) {
				p.i++
			}
			ok = p.i > start // zone names other than offsets are read as UTC
		case 's':
			neg := p.eat('-')
			start := p.i
			for p.i < len(p.s) && isDigit(p.s[p.i]) {
				p.i++
			}
			var n int64
			var err error
			if n, err = strconv.ParseInt(p.s[start:p.i], 10, 64); err == nil && n < 1<<33 {
				if neg {
					n = -n
				}
				ns := n * 1e9
				pt.epoch = &ns
				ok = true
			}
		case 'F':
			ok = pt.scanStrftime(p, "%Y-%m-%d")
		case 'T':
			ok = pt.scanStrftime(p, "%H:%M:%S")
		case 'D':
			ok = pt.scanStrftime(p, "%m/%d/%y")
		case 'R':
			ok = pt.scanStrftime(p, "%H:%M")
		case 'n', 't':
			p.skipBlanks()
			ok = true
		case '%':
			ok = p.eat('%')
		default:
			ok = p.eat('%') && p.eat(layout[i])
		}
		if !ok {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (p *isoScanner) skipBlanks() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *isoScanner) eatFold(w string) bool {
	if len(p.s)-p.i >= len(w) && strings.EqualFold(p.s[p.i:p.i+len(w)], w) {
		p.i += len(w)
		return true
	}
	return false
}

// name reads a full or three-letter name from names, ignoring case, and
// returns its index.
func (p *isoScanner) name(names []string) (int, bool) {
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

// ---- Java DateTimeFormatter patterns (ES|QL) ----

// javaFormat is a compiled DateTimeFormatter pattern.
type javaFormat struct {
	toks []javaTok
}

type javaTok struct {
	letter byte   // 0: literal
	count  int    // repetitions of the letter
	lit    string // literal text
	opt    *javaFormat
}

var javaFormats sync.Map // pattern -> *javaFormat or error

// compileJavaFormat compiles (and caches) a DateTimeFormatter pattern.
func compileJavaFormat(pattern string) (*javaFormat, error) {
	if v, ok := javaFormats.Load(pattern); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*javaFormat), nil
	}
	f, rest, err := parseJavaPattern(pattern, false)
	if err == nil && rest != "" {
		err = errors.New("unbalanced ']'")
	}
	if err != nil {
		err = fmt.Errorf("invalid date format %q: %w", pattern, err)
		javaFormats.Store(pattern, err)
		return nil, err
	}
	javaFormats.Store(pattern, f)
	return f, nil
}

const javaLetters = "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ"

func parseJavaPattern(p string, inOpt bool) (*javaFormat, string, error) {
	f := &javaFormat{}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit strings.Builder
			for {
				if j >= len(p) {
					return nil, "", errors.New("unterminated quote")
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(p[j])
				j++
			}
			if j == i+1 {
				lit.WriteByte('\'') // '' is a quote
			}
			f.toks = append(f.toks, javaTok{lit: lit.String()})
			i = j + 1
		case c == '[':
			sub, rest, err := parseJavaPattern(p[i+1:], true)
			if err != nil {
				return nil, "", err
			}
			f.toks = append(f.toks, javaTok{opt: sub})
			i = len(p) - len(rest)
		case c == ']':
			if !inOpt {
				return nil, "", errors.New("unbalanced ']'")
			}
			return f, p[i+1:], nil
		case isLetter(c):
			if !strings.ContainsRune(javaLetters, rune(c)) {
				return nil, "", fmt.Errorf("unknown pattern letter %q", c)
			}
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			f.toks = append(f.toks, javaTok{letter: c, count: j - i})
			i = j
		case c == '{' || c == '}' || c == '#':
			return nil, "", fmt.Errorf("reserved pattern character %q", c)
		default:
			f.toks = append(f.toks, javaTok{lit: string(c)})
			i++
		}
	}
	if inOpt {
		return nil, "", errors.New("unterminated '['")
	}
	return f, "", nil
}

// appendJava formats t (UTC) with the compiled pattern.
func (f *javaFormat) append(dst []byte, t time.Time) []byte {
	t = t.UTC()
	for _, tk := range f.toks {
		switch {
		case tk.opt != nil:
			dst = tk.opt.append(dst, t)
		case tk.letter == 0:
			dst = append(dst, tk.lit...)
		default:
			dst = appendJavaField(dst, t, tk.letter, tk.count)
		}
	}
	return dst
}

func appendJavaField(dst []byte, t time.Time, c byte, n int) []byte {
	text := func(full, short string) []byte {
		if n >= 4 {
			return append(dst, full...)
		}
		return append(dst, short...)
	}
	switch c {
	case 'G':
		switch {
		case n == 4:
			return append(dst, "Anno Domini"...)
		case n == 5:
			return append(dst, 'A')
		}
		return append(dst, "AD"...)
	case 'u', 'y', 'Y':
		y := t.Year()
		if c == 'Y' {
			y, _ = t.ISOWeek()
		}
		if n == 2 {
			return appendInt(dst, ((y%100)+100)%100, 2, '0')
		}
		return appendInt(dst, y, n, '0')
	case 'D':
		return appendInt(dst, t.YearDay(), n, '0')
	case 'M', 'L':
		m := t.Month()
		switch {
		case n >= 5:
			return append(dst, m.String()[0])
		case n >= 3:
			return text(m.String(), m.String()[:3])
		}
		return appendInt(dst, int(m), n, '0')
	case 'd':
		return appendInt(dst, t.Day(), n, '0')
	case 'Q', 'q':
		q := (int(t.Month())-1)/3 + 1
		switch {
		case n == 3:
			return append(append(dst, 'Q'), byte('0'+q))
		case n >= 4:
			return append(dst, [...]string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}[q-1]...)
		}
		return appendInt(dst, q, n, '0')
	case 'w':
		_, wk := t.ISOWeek()
		return appendInt(dst, wk, n, '0')
	case 'W':
		return appendInt(dst, (t.Day()-1+int(firstOfMonth(t).Weekday()+6)%7)/7+1, n, '0')
	case 'E':
		wd := t.Weekday().String()
		if n >= 5 {
			return append(dst, wd[0])
		}
		return text(wd, wd[:3])
	case 'e', 'c':
		if n <= 2 {
			return appendInt(dst, isoWeekday(t), n, '0')
		}
		wd := t.Weekday().String()
		return text(wd, wd[:3])
	case 'F':
		return appendInt(dst, (t.Day()-1)/7+1, n, '0')
	case 'a', 'B':
		return append(dst, ampm(t.Hour())...)
	case 'h':
		return appendInt(dst, hour12(t.Hour()), n, '0')
	case 'K':
		return appendInt(dst, t.Hour()%12, n, '0')
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return appendInt(dst, h, n, '0')
	case 'H':
		return appendInt(dst, t.Hour(), n, '0')
	case 'm':
		return appendInt(dst, t.Minute(), n, '0')
	case 's':
		return appendInt(dst, t.Second(), n, '0')
	case 'S':
		return appendFraction(dst, t.Nanosecond(), n)
	case 'A':
		return appendInt(dst, (t.Hour()*3600+t.Minute()*60+t.Second())*1000+t.Nanosecond()/1e6, n, '0')
	case 'n':
		return appendInt(dst, t.Nanosecond(), n, '0')
	case 'N':
		ns := int64(t.Hour()*3600+t.Minute()*60+t.Second())*1e9 + int64(t.Nanosecond())
		s := strconv.FormatInt(ns, 10)
		for i := len(s); i < n; i++ {
			dst = append(dst, '0')
		}
		return append(dst, s...)
	case 'V', 'v', 'z', 'X':
		return append(dst, 'Z')
	case 'O':
		return append(dst, "GMT"...)
	case 'x':
		switch n {
		case 1:
			return append(dst, "+00"...)
		case 2, 4:
			return append(dst, "+0000"...)
		}
		return append(dst, "+00:00"...)
	case 'Z':
		switch {
		case n == 4:
			return append(dst, "GMT"...)
		case n >= 5:
			return append(dst, 'Z')
		}
		return append(dst, "+0000"...)
	}
	return dst
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// parse reads s with the compiled pattern: the whole of s must match.
// Fields not in the pattern default to 1970-01-01T00:00:00Z.
func (f *javaFormat) parse(s string) (int64, bool) {
	pt := newParsedTime()
	p := isoScanner{s: s}
	if !f.scan(&p, &pt) || p.i != len(s) {
		return 0, false
	}
	return pt.nanos()
}

func (f *javaFormat) scan(p *isoScanner, pt *parsedTime) bool {
	for k, tk := range f.toks {
		switch {
		case tk.opt != nil:
			save, savePT := p.i, *pt
			if !tk.opt.scan(p, pt) {
				p.i, *pt = save, savePT
			}
		case tk.letter == 0:
			if !strings.HasPrefix(p.s[p.i:], tk.lit) {
				return false
			}
			p.i += len(tk.lit)
		default:
			// A variable-width number followed directly by another number
			// reads only its minimum width (Java's adjacent value parsing).
			adjacent := k+1 < len(f.toks) && f.toks[k+1].letter != 0 && isNumericJava(f.toks[k+1])
			if !scanJavaField(p, pt, tk.letter, tk.count, adjacent) {
				return false
			}
		}
	}
	return true
}

func isNumericJava(tk javaTok) bool {
	switch tk.letter {
	case 'M', 'L', 'Q', 'q':
		return tk.count <= 2
	case 'E', 'G', 'a', 'B', 'V', 'v', 'z', 'O', 'X', 'x', 'Z':
		return false
	case 'e', 'c':
		return tk.count <= 2
	}
	return true
}

func scanJavaField(p *isoScanner, pt *parsedTime, c byte, n int, adjacent bool) bool {
	num := func(hi int) (int, bool) {
		if n == 1 && !adjacent {
			return p.digits(1, hi)
		}
		return p.digits(n, n)
	}
	var ok bool
	switch c {
	case 'u', 'y', 'Y':
		neg := p.eat('-')
		switch {
		case n == 2:
			var y int
			if y, ok = p.digits(2, 2); ok {
				pt.year = 2000 + y
			}
		case adjacent:
			pt.year, ok = p.digits(n, n)
		default:
			pt.year, ok = p.digits(n, 9)
		}
		if neg {
			pt.year = -pt.year
		}
	case 'D':
		pt.yday, ok = num(3)
	case 'M', 'L':
		if n >= 3 {
			var m int
			if m, ok = p.name(monthNames[:]); ok {
				pt.month = m + 1
			}
		} else {
			pt.month, ok = num(2)
		}
	case 'd':
		pt.day, ok = num(2)
	case 'E':
		_, ok = p.name(dayNames[:])
	case 'e', 'c':
		if n >= 3 {
			_, ok = p.name(dayNames[:])
		} else {
			_, ok = num(1)
		}
	case 'a', 'B':
		ok = true
		switch {
		case p.eatFold("am"):
		case p.eatFold("pm"):
			pt.pm = true
		default:
			ok = false
		}
		pt.hasAMPM = true
	case 'h', 'K':
		pt.hour, ok = num(2)
		if c == 'K' && ok && pt.hour == 0 {
			pt.hour = 12
		}
		pt.hasAMPM = true
	case 'H', 'k':
		pt.hour, ok = num(2)
		if c == 'k' && pt.hour == 24 {
			pt.hour = 0
		}
	case 'm':
		pt.minute, ok = num(2)
	case 's':
		pt.sec, ok = num(2)
	case 'S':
		start := p.i
		var f int
		if f, ok = p.digits(n, n); ok {
			for d := p.i - start; d < 9; d++ {
				f *= 10
			}
			for d := p.i - start; d > 9; d-- {
				f /= 10
			}
			pt.nano = f
		}
	case 'n':
		pt.nano, ok = p.digits(1, 9)
	case 'A', 'N', 'w', 'W', 'F', 'Q', 'q':
		_, ok = p.digits(1, 19)
	case 'G':
		ok = p.eatFold("AD") || p.eatFold("Anno Domini")
	case 'V', 'v', 'z':
		if p.eatFold("UTC") || p.eatFold("GMT") || p.eatFold("Z") {
			ok = true
			break
		}
		pt.offset, ok = p.offset()
	case 'O':
		if ok = p.eatFold("GMT"); ok {
			pt.offset, ok = p.offset()
		}
	case 'X', 'x', 'Z':
		p.eatFold("GMT")
		pt.offset, ok = p.offset()
	}
	return ok
}

// ---- spans ----

// spanUnits maps Splunk and ES time-unit words to a duration, or to a
// number of months (negative entries).
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

var spanMonthUnits = map[string]int{
	"mo": 1, "mon": 1, "month": 1, "months": 1,
	"q": 3, "qtr": 3, "qtrs": 3, "quarter": 3, "quarters": 3,
	"y": 12, "yr": 12, "yrs": 12, "year": 12, "years": 12,
}

// parseSpanText reads "5m", "1 hour", "3mon", "2mo" (the SpanValue
// spelling of months) into months and a duration.
func parseSpanText(s string) (months int, d time.Duration, ok bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	n := 1
	if i > 0 {
		v, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, 0, false
		}
		n = v
	}
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	if unit == "" {
		return 0, time.Duration(n) * time.Second, i > 0
	}
	if u, ok := spanUnits[unit]; ok {
		return 0, time.Duration(n) * u, n > 0
	}
	if m, ok := spanMonthUnits[unit]; ok {
		return n * m, 0, n > 0
	}
	return 0, 0, false
}

// spanArg reads a span function argument: a Long of nanoseconds (a span
// literal), or span text.
func spanArg(v event.Value) (months int, d time.Duration, ok bool) {
	if n, isLong := v.Long(); isLong {
		return 0, time.Duration(n), n > 0
	}
	if s, isStr := v.Str(); isStr {
		return parseSpanText(s)
	}
	return 0, 0, false
}

// truncTime floors Unix nanoseconds to a span: calendar months count from
// year 0 (so 3 months are quarters, 12 months are years); one week starts
// on Monday; other fixed spans are aligned to the Unix epoch.
func truncTime(ns int64, months int, d time.Duration) int64 {
	if months > 0 {
		t := time.Unix(0, ns).UTC()
		idx := int64(t.Year())*12 + int64(t.Month()) - 1
		idx = floorDiv(idx, int64(months)) * int64(months)
		return time.Date(int(floorDiv(idx, 12)), time.Month(floorMod(idx, 12)+1), 1, 0, 0, 0, 0, time.UTC).UnixNano()
	}
	step := int64(d)
	if d == 7*24*time.Hour {
		const monday = 4 * 24 * int64(time.Hour) // 1970-01-05 was a Monday
		return floorDiv(ns-monday, step)*step + monday
	}
	return floorDiv(ns, step) * step
}
