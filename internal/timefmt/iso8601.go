package timefmt

import "time"

// ISO 8601 date-times as ES|QL reads them. Go's time.Parse wants one
// layout per shape and reads neither "2024" nor "2024-01-02 03:04" nor
// "+05" offsets, so the few shapes ES|QL takes are read here.

// ParseISO reads an ISO 8601 date or date-time as ES|QL accepts it:
// "2024-01-02", "2024-01-02T03:04", "2024-01-02T03:04:05.123456789Z",
// "2024-01-02 03:04:05+01:00", also "2024" and "2024-01". A missing zone
// is UTC; digits past nanoseconds are dropped. It returns Unix
// nanoseconds.
func ParseISO(s string) (int64, error) {
	p := scanner{s: s}
	fail := func(at int, msg string) (int64, error) {
		return 0, &Error{Text: s, Pos: at, As: "an ISO 8601 date-time", Msg: msg}
	}
	year, ok := p.digits(4, 4)
	if !ok {
		return fail(p.i, "want a 4-digit year")
	}
	month, day := 1, 1
	hour, minute, sec, nanos := 0, 0, 0, 0
	if p.eat('-') {
		at := p.i
		if month, ok = p.digits(2, 2); !ok {
			return fail(p.i, "want a 2-digit month")
		}
		if month < 1 || month > 12 {
			return fail(at, "month out of range")
		}
		if p.eat('-') {
			at := p.i
			if day, ok = p.digits(2, 2); !ok {
				return fail(p.i, "want a 2-digit day")
			}
			if day < 1 || day > daysIn(year, time.Month(month)) {
				return fail(at, "day out of range")
			}
		}
	}
	offset := 0
	if p.eat('T') || p.eat('t') || p.eat(' ') {
		at := p.i
		if hour, ok = p.digits(2, 2); !ok {
			return fail(p.i, "want a 2-digit hour")
		}
		if hour > 23 {
			return fail(at, "hour out of range")
		}
		if !p.eat(':') {
			return fail(p.i, "want ':'")
		}
		at = p.i
		if minute, ok = p.digits(2, 2); !ok {
			return fail(p.i, "want 2-digit minutes")
		}
		if minute > 59 {
			return fail(at, "minutes out of range")
		}
		if p.eat(':') {
			at = p.i
			if sec, ok = p.digits(2, 2); !ok {
				return fail(p.i, "want 2-digit seconds")
			}
			if sec > 59 {
				return fail(at, "seconds out of range")
			}
			if p.eat('.') || p.eat(',') {
				if nanos, ok = p.fraction(1, 9); !ok {
					return fail(p.i, "want a fraction of a second")
				}
				for p.i < len(p.s) && isDigit(p.s[p.i]) {
					p.i++
				}
			}
		}
		at = p.i
		if offset, ok = p.offset(); !ok {
			return fail(at, "want a zone: Z, ±hh, ±hhmm or ±hh:mm")
		}
	}
	if p.i != len(s) {
		return fail(p.i, "unexpected text after the date-time")
	}
	ns, ok := instant(time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC), offset)
	if !ok {
		return fail(0, outOfRange)
	}
	return ns, nil
}
