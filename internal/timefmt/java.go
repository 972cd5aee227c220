package timefmt

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Java DateTimeFormatter patterns, as ES|QL's DATE_FORMAT and DATE_PARSE
// take them, are written here: no Go module reads and writes java.time
// patterns (go-strftime converts strftime layouts to Unicode patterns,
// not the other way), and ES|QL's rules carry them verbatim.

// JavaPattern is a compiled java.time DateTimeFormatter pattern. It is
// safe for concurrent use.
type JavaPattern struct {
	src  string // the pattern as written
	toks []javaTok
}

type javaTok struct {
	letter byte   // 0: literal
	count  int    // repetitions of the letter
	lit    string // literal text
	opt    *JavaPattern
}

var javaPatterns sync.Map // pattern -> *JavaPattern or error

// CompileJava compiles a DateTimeFormatter pattern: letters name fields
// ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), text in quotes is literal and [...]
// is optional. Patterns are compiled once and cached.
func CompileJava(pattern string) (*JavaPattern, error) {
	if v, ok := javaPatterns.Load(pattern); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*JavaPattern), nil
	}
	c := javaCompiler{p: pattern}
	f, err := c.seq(-1)
	if err != nil {
		javaPatterns.Store(pattern, err)
		return nil, err
	}
	javaPatterns.Store(pattern, f)
	return f, nil
}

const javaLetters = "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ"

type javaCompiler struct {
	p string
	i int
}

func (c *javaCompiler) fail(at int, msg string) error {
	return &Error{Text: c.p, Pos: at, As: "a Java date pattern", Msg: msg}
}

// seq reads tokens up to the end of the pattern or, inside the optional
// section opened at open (-1: none), up to its ']'.
func (c *javaCompiler) seq(open int) (*JavaPattern, error) {
	f := &JavaPattern{}
	start := c.i
	for c.i < len(c.p) {
		ch := c.p[c.i]
		switch {
		case ch == '\'':
			lit, err := c.quoted()
			if err != nil {
				return nil, err
			}
			f.toks = append(f.toks, javaTok{lit: lit})
		case ch == '[':
			at := c.i
			c.i++
			sub, err := c.seq(at)
			if err != nil {
				return nil, err
			}
			f.toks = append(f.toks, javaTok{opt: sub})
		case ch == ']':
			if open < 0 {
				return nil, c.fail(c.i, "unbalanced ']'")
			}
			f.src = c.p[start:c.i]
			c.i++
			return f, nil
		case isLetter(ch):
			if !strings.ContainsRune(javaLetters, rune(ch)) {
				return nil, c.fail(c.i, "unknown pattern letter "+strconv.QuoteRune(rune(ch)))
			}
			j := c.i
			for j < len(c.p) && c.p[j] == ch {
				j++
			}
			f.toks = append(f.toks, javaTok{letter: ch, count: j - c.i})
			c.i = j
		case ch == '{' || ch == '}' || ch == '#':
			return nil, c.fail(c.i, "reserved pattern character "+strconv.QuoteRune(rune(ch)))
		default: // other text, UTF-8 included, is literal
			j := c.i + 1
			for j < len(c.p) && !isLetter(c.p[j]) && !strings.ContainsRune("'[]{}#", rune(c.p[j])) {
				j++
			}
			f.toks = append(f.toks, javaTok{lit: c.p[c.i:j]})
			c.i = j
		}
	}
	if open >= 0 {
		return nil, c.fail(open, "unterminated '['")
	}
	f.src = c.p[start:]
	return f, nil
}

// quoted reads quoted text from the quote at c.i. Two quotes inside
// stand for one, and so do two quotes alone.
func (c *javaCompiler) quoted() (string, error) {
	open := c.i
	j := open + 1
	var lit strings.Builder
	for {
		if j >= len(c.p) {
			return "", c.fail(open, "unterminated quote")
		}
		if c.p[j] == '\'' {
			if j+1 < len(c.p) && c.p[j+1] == '\'' {
				lit.WriteByte('\'')
				j += 2
				continue
			}
			break
		}
		lit.WriteByte(c.p[j])
		j++
	}
	if j == open+1 {
		lit.WriteByte('\'')
	}
	c.i = j + 1
	return lit.String(), nil
}

// Append appends t, in UTC, formatted with the pattern, and returns the
// extended buffer. Text fields are English; zones are always UTC.
func (f *JavaPattern) Append(dst []byte, t time.Time) []byte {
	t = t.UTC()
	for _, tk := range f.toks {
		switch {
		case tk.opt != nil:
			dst = tk.opt.Append(dst, t)
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

// Parse reads s with the pattern and returns Unix nanoseconds: the whole
// of s must match. Fields not in the pattern default to
// 1970-01-01T00:00:00Z.
func (f *JavaPattern) Parse(s string) (int64, error) {
	fl := newFields()
	p := scanner{s: s}
	msg := f.scan(&p, &fl)
	if msg == "" && p.i != len(s) {
		msg = "unexpected text after the pattern"
	}
	if msg != "" {
		return 0, &Error{Text: s, Pos: p.i, As: "a date with pattern", Layout: f.String(), Msg: msg}
	}
	ns, at, msg := fl.nanos()
	if msg != "" {
		return 0, &Error{Text: s, Pos: at, As: "a date with pattern", Layout: f.String(), Msg: msg}
	}
	return ns, nil
}

// scan reads p with the pattern into fl and returns "" or what it wanted
// at p.i. An optional section that does not match is skipped.
func (f *JavaPattern) scan(p *scanner, fl *fields) string {
	for k, tk := range f.toks {
		switch {
		case tk.opt != nil:
			save, saveFields := p.i, *fl
			if tk.opt.scan(p, fl) != "" {
				p.i, *fl = save, saveFields
			}
		case tk.letter == 0:
			if !strings.HasPrefix(p.s[p.i:], tk.lit) {
				return "want " + strconv.Quote(tk.lit)
			}
			p.i += len(tk.lit)
		default:
			// A variable-width number followed directly by another number
			// reads only its minimum width (Java's adjacent value parsing).
			adjacent := k+1 < len(f.toks) && f.toks[k+1].letter != 0 && isNumericJava(f.toks[k+1])
			at := p.i
			if !scanJavaField(p, fl, tk.letter, tk.count, adjacent) {
				p.i = at
				return "want " + strings.Repeat(string(rune(tk.letter)), tk.count)
			}
		}
	}
	return ""
}

// String returns the pattern as it was written.
func (f *JavaPattern) String() string { return f.src }

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

func scanJavaField(p *scanner, fl *fields, c byte, n int, adjacent bool) bool {
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
				fl.year = 2000 + y
			}
		case adjacent:
			fl.year, ok = p.digits(n, n)
		default:
			fl.year, ok = p.digits(n, max(n, 9))
		}
		if neg {
			fl.year = -fl.year
		}
	case 'D':
		fl.yday, ok = num(3)
	case 'M', 'L':
		fl.monthAt = p.i
		if n >= 3 {
			var m int
			if m, ok = p.name(monthNames[:]); ok {
				fl.month = m + 1
			}
		} else {
			fl.month, ok = num(2)
		}
	case 'd':
		fl.dayAt = p.i
		fl.day, ok = num(2)
	case 'E':
		_, ok = p.name(dayNames[:])
	case 'e', 'c':
		if n >= 3 {
			_, ok = p.name(dayNames[:])
		} else {
			_, ok = num(1)
		}
	case 'a', 'B':
		ok = p.ampm(fl)
	case 'h', 'K':
		fl.hourAt = p.i
		fl.hour, ok = num(2)
		if c == 'K' && ok && fl.hour == 0 {
			fl.hour = 12
		}
		fl.hasAMPM = true
	case 'H', 'k':
		fl.hourAt = p.i
		fl.hour, ok = num(2)
		if c == 'k' && fl.hour == 24 {
			fl.hour = 0
		}
	case 'm':
		fl.minuteAt = p.i
		fl.minute, ok = num(2)
	case 's':
		fl.secAt = p.i
		fl.sec, ok = num(2)
	case 'S':
		var f int
		if f, ok = p.fraction(n, n); ok {
			fl.nano = f
		}
	case 'n':
		if adjacent {
			fl.nano, ok = p.digits(n, n)
		} else {
			fl.nano, ok = p.digits(1, max(n, 9))
		}
		ok = ok && fl.nano < 1e9
	case 'A', 'N', 'w', 'W', 'F', 'Q', 'q': // read, not used
		if adjacent {
			_, ok = p.digits(n, n)
		} else {
			_, ok = p.digits(1, 19)
		}
	case 'G':
		ok = p.eatFold("AD") || p.eatFold("Anno Domini")
	case 'V', 'v', 'z':
		if p.eatFold("UTC") || p.eatFold("GMT") || p.eatFold("Z") {
			return true
		}
		fl.offset, ok = p.offset()
	case 'O':
		if ok = p.eatFold("GMT"); ok {
			fl.offset, ok = p.offset()
		}
	case 'X', 'x', 'Z':
		p.eatFold("GMT")
		fl.offset, ok = p.offset()
	}
	return ok
}
