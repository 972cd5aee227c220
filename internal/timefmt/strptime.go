package timefmt

import "strconv"

// Splunk's strptime is written here: go-strftime's Parse turns a layout
// into a Go layout for time.Parse, which wants the whole text to match
// exactly, defaults to year 0 and cannot read %s, %Q, %<digit>N, %k or
// %l. Splunk's strptime reads a prefix of the text, lets a blank match
// any run of blanks, reads one-digit fields and defaults to 1970-01-01.

// Strptime reads s with a strftime layout as Splunk's strptime does and
// returns Unix nanoseconds. Text after the layout is ignored; a blank in
// the layout matches any run of blanks; what the layout does not give
// defaults to 1970-01-01T00:00:00Z.
func Strptime(s, layout string) (int64, error) {
	f := newFields()
	p := scanner{s: s}
	if msg := f.scanStrftime(&p, layout); msg != "" {
		return 0, &Error{Text: s, Pos: p.i, As: "a time with layout", Layout: layout, Msg: msg}
	}
	ns, at, msg := f.nanos()
	if msg != "" {
		return 0, &Error{Text: s, Pos: at, As: "a time with layout", Layout: layout, Msg: msg}
	}
	return ns, nil
}

// scanStrftime reads p with layout into f and returns "" or what it
// wanted at p.i.
func (f *fields) scanStrftime(p *scanner, layout string) string {
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c == ' ' || c == '\t' || c == '\n' {
			p.skipBlanks()
			continue
		}
		if c != '%' || i+1 == len(layout) {
			if !p.eat(c) {
				return "want " + strconv.Quote(layout[i:i+1])
			}
			continue
		}
		start := i
		i++
		width := -1 // Splunk's %3N, %6Q: as AppendStrftime, only before N and Q
		if isDigit(layout[i]) && i+1 < len(layout) && (layout[i+1] == 'N' || layout[i+1] == 'Q') {
			width = int(layout[i] - '0')
			i++
		}
		if layout[i] == ':' && i+1 < len(layout) && layout[i+1] == 'z' {
			i++
		}
		at := p.i
		if !f.scanDirective(p, layout[i], width) {
			p.i = at
			return "want " + layout[start:i+1]
		}
	}
	return ""
}

// scanDirective reads one directive; width is the digit before it, or -1.
func (f *fields) scanDirective(p *scanner, d byte, width int) bool {
	var ok bool
	switch d {
	case 'Y':
		neg := p.eat('-')
		f.year, ok = p.digits(1, 4)
		if neg {
			f.year = -f.year
		}
	case 'y':
		var y int
		if y, ok = p.digits(1, 2); ok {
			if y < 69 {
				f.year = 2000 + y
			} else {
				f.year = 1900 + y
			}
		}
	case 'm':
		f.monthAt = p.i
		f.month, ok = p.digits(1, 2)
	case 'd', 'e':
		p.skipBlanks()
		f.dayAt = p.i
		f.day, ok = p.digits(1, 2)
	case 'H', 'k':
		p.skipBlanks()
		f.hourAt = p.i
		f.hour, ok = p.digits(1, 2)
	case 'I', 'l':
		p.skipBlanks()
		f.hourAt = p.i
		f.hour, ok = p.digits(1, 2)
		f.hasAMPM = true
	case 'M':
		f.minuteAt = p.i
		f.minute, ok = p.digits(1, 2)
	case 'S':
		f.secAt = p.i
		f.sec, ok = p.digits(1, 2)
	case 'j':
		f.yday, ok = p.digits(1, 3)
	case 'N', 'Q', 'f':
		if width < 0 {
			width = 9
		}
		var n int
		if n, ok = p.fraction(1, width); ok {
			f.nano = n
		}
	case 'p', 'P':
		ok = p.ampm(f)
	case 'b', 'B', 'h':
		f.monthAt = p.i
		var m int
		if m, ok = p.name(monthNames[:]); ok {
			f.month = m + 1
		}
	case 'a', 'A':
		_, ok = p.name(dayNames[:])
	case 'u', 'w':
		_, ok = p.digits(1, 1)
	case 'U', 'W', 'V':
		_, ok = p.digits(1, 2)
	case 'z':
		if p.eatFold("utc") || p.eatFold("gmt") {
			return true
		}
		f.offset, ok = p.offset()
	case 'Z':
		start := p.i
		for p.i < len(p.s) && isLetter(p.s[p.i]) {
			p.i++
		}
		ok = p.i > start // zone names other than offsets are read as UTC
	case 's':
		neg := p.eat('-')
		start := p.i
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
		n, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err == nil && n < 1<<40 { // far past the instants, short of time.Time's limits
			if neg {
				n = -n
			}
			f.epoch, f.hasEpoch, ok = n, true, true
		}
	case 'F':
		return f.scanStrftime(p, "%Y-%m-%d") == ""
	case 'T':
		return f.scanStrftime(p, "%H:%M:%S") == ""
	case 'D':
		return f.scanStrftime(p, "%m/%d/%y") == ""
	case 'R':
		return f.scanStrftime(p, "%H:%M") == ""
	case 'n', 't':
		p.skipBlanks()
		ok = true
	case '%':
		ok = p.eat('%')
	default:
		ok = p.eat('%') && p.eat(d)
	}
	return ok
}
