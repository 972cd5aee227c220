package timefmt

import (
	"strconv"
	"strings"
	"time"
)

// AppendStrftime appends t, in UTC, formatted with a strftime layout as
// Splunk's strftime formats it, and returns the extended buffer. Besides
// the C and POSIX directives it writes Splunk's %N, %Q and %<digit>N,
// %<digit>Q (fractions of a second) and %+ (date(1)'s format). Unknown
// directives are written as they are.
func AppendStrftime(dst []byte, t time.Time, layout string) []byte {
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
			dst = AppendStrftime(dst, t, "%Y-%m-%d")
		case 'T', 'X':
			dst = AppendStrftime(dst, t, "%H:%M:%S")
		case 'D', 'x':
			dst = AppendStrftime(dst, t, "%m/%d/%y")
		case 'R':
			dst = AppendStrftime(dst, t, "%H:%M")
		case 'r':
			dst = AppendStrftime(dst, t, "%I:%M:%S %p")
		case 'c':
			dst = AppendStrftime(dst, t, "%a %b %e %H:%M:%S %Y")
		case '+':
			dst = AppendStrftime(dst, t, "%a %b %e %H:%M:%S %Z %Y")
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
