package timefmt

import (
	"strconv"
	"time"
)

// fields are the parts of a date-time a strptime layout or a Java
// pattern has read. What the text does not give defaults to
// 1970-01-01T00:00:00Z.
type fields struct {
	year, month, day        int
	hour, minute, sec, nano int
	yday                    int   // day of year, 0 when unset
	pm, hasAMPM             bool  // 12-hour clock
	offset                  int   // seconds east of UTC
	epoch                   int64 // Unix seconds, when hasEpoch
	hasEpoch                bool  // epoch and nano name the instant

	// where month, day, hour, minute and second were read, for errors
	monthAt, dayAt, hourAt, minuteAt, secAt int
}

func newFields() fields { return fields{year: 1970, month: 1, day: 1} }

// nanos checks the fields together and returns the instant they name.
// A failure says which field is wrong and where it was read.
func (f *fields) nanos() (int64, int, string) {
	if f.hasEpoch {
		ns, ok := instant(time.Unix(f.epoch, int64(f.nano)), 0)
		if !ok {
			return 0, 0, outOfRange
		}
		return ns, 0, ""
	}
	h := f.hour
	if f.hasAMPM {
		if h < 1 || h > 12 {
			return 0, f.hourAt, "hour " + strconv.Itoa(h) + " is not on a 12-hour clock"
		}
		h %= 12
		if f.pm {
			h += 12
		}
	}
	switch {
	case f.year < -1e6 || f.year > 1e6 || f.yday > 999:
		return 0, 0, outOfRange // before time.Date's arithmetic can overflow
	case f.month < 1 || f.month > 12:
		return 0, f.monthAt, "month " + strconv.Itoa(f.month) + " out of range"
	case h > 23:
		return 0, f.hourAt, "hour " + strconv.Itoa(h) + " out of range"
	case f.minute > 59:
		return 0, f.minuteAt, "minute " + strconv.Itoa(f.minute) + " out of range"
	case f.sec > 60:
		return 0, f.secAt, "second " + strconv.Itoa(f.sec) + " out of range"
	}
	var t time.Time
	if f.yday > 0 {
		t = time.Date(f.year, 1, f.yday, h, f.minute, f.sec, f.nano, time.UTC)
	} else {
		if f.day < 1 || f.day > daysIn(f.year, time.Month(f.month)) {
			return 0, f.dayAt, "day " + strconv.Itoa(f.day) + " out of range"
		}
		t = time.Date(f.year, time.Month(f.month), f.day, h, f.minute, f.sec, f.nano, time.UTC)
	}
	ns, ok := instant(t, f.offset)
	if !ok {
		return 0, 0, outOfRange
	}
	return ns, 0, ""
}
