package logs

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// timeOrder sorts inputs by the time of their records: the time the path
// names, else that of the first record. Stdin, and inputs whose time
// cannot be told (empty or unreadable ones), come first in their given
// order; ties keep the given order.
func timeOrder(ctx context.Context, files []string, opt Options) []string {
	at := make(map[string]time.Time, len(files))
	for _, f := range files {
		if f == "-" {
			continue
		}
		if t, ok := PathTime(f); ok {
			at[f] = t
		} else if IsURL(f) {
			continue // not fetched twice to be ordered
		} else if t, ok := firstRecordTime(ctx, f, opt); ok {
			at[f] = t
		}
	}
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b string) int {
		ta, oka := at[a]
		tb, okb := at[b]
		if oka != okb {
			if oka {
				return 1
			}
			return -1
		}
		return cmp.Compare(ta.UnixNano(), tb.UnixNano())
	})
	return out
}

var errFound = errors.New("found")

// firstRecordTime reads a file up to its first good record and returns
// that record's time.
func firstRecordTime(ctx context.Context, file string, opt Options) (time.Time, bool) {
	var t time.Time
	_, err := Read(ctx, []string{file}, Options{Workers: 1, MaxRecordBytes: opt.MaxRecordBytes}, func(_ int, ev *event.Event) error {
		t = ev.Time
		return errFound
	})
	return t, err == errFound
}

// PathTime estimates the event time of the records in a file from its
// path, for reading a tree in time order:
//   - a CloudTrail file name carries its time:
//     <account>_CloudTrail_<region>_20241017T2010Z_<id>.json.gz;
//   - a Bedrock invocation log file name starts with it:
//     20241017T201059123Z_<id>.json.gz;
//   - otherwise the last YYYY/MM/DD or YYYY/MM/DD/HH run of directories of
//     AWS's layouts gives the start of that day or hour;
//   - otherwise the path says nothing, and ok is false.
func PathTime(path string) (t time.Time, ok bool) {
	base := filepath.Base(path)
	if t, ok := cloudTrailNameTime(base); ok {
		return t, true
	}
	if t, ok := invocationNameTime(base); ok {
		return t, true
	}
	return dirTime(filepath.Dir(path))
}

// cloudTrailNameTime finds "_YYYYMMDDTHHMMZ_" in a file name.
func cloudTrailNameTime(name string) (time.Time, bool) {
	const layout = "20060102T1504Z"
	for i := strings.IndexByte(name, '_'); i >= 0 && i+len(layout)+1 < len(name); {
		field := name[i+1 : i+1+len(layout)]
		if name[i+1+len(layout)] == '_' && digitsAt(field, 0, 8) && field[8] == 'T' && digitsAt(field, 9, 4) && field[13] == 'Z' {
			if t, err := time.Parse(layout, field); err == nil && t.Year() >= 1970 {
				return t, true
			}
		}
		j := strings.IndexByte(name[i+1:], '_')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return time.Time{}, false
}

// invocationNameTime reads a leading "YYYYMMDDTHHMMSS[fraction]Z".
func invocationNameTime(name string) (time.Time, bool) {
	if len(name) < 16 || !digitsAt(name, 0, 8) || name[8] != 'T' || !digitsAt(name, 9, 6) {
		return time.Time{}, false
	}
	end := 15
	for end < len(name) && name[end] >= '0' && name[end] <= '9' {
		end++
	}
	if end == len(name) || name[end] != 'Z' {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T150405", name[:15])
	if err != nil || t.Year() < 1970 {
		return time.Time{}, false
	}
	if frac := name[15:end]; frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
		t = t.Add(time.Duration(ns))
	}
	return t, true
}

// dirTime reads the last YYYY/MM/DD(/HH) run of directory names in dir.
func dirTime(dir string) (time.Time, bool) {
	parts := strings.Split(filepath.ToSlash(dir), "/")
	num := func(s string, digits, lo, hi int) (int, bool) {
		if len(s) != digits || !digitsAt(s, 0, digits) {
			return 0, false
		}
		n, _ := strconv.Atoi(s)
		return n, n >= lo && n <= hi
	}
	for i := len(parts) - 3; i >= 0; i-- {
		y, ok1 := num(parts[i], 4, 1970, 9999)
		m, ok2 := num(parts[i+1], 2, 1, 12)
		day, ok3 := num(parts[i+2], 2, 1, 31)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		h := 0
		if i+3 < len(parts) {
			if v, ok := num(parts[i+3], 2, 0, 23); ok {
				h = v
			}
		}
		return time.Date(y, time.Month(m), day, h, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// digitsAt reports whether s[at:at+n] are all ASCII digits.
func digitsAt(s string, at, n int) bool {
	if at+n > len(s) {
		return false
	}
	for i := at; i < at+n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
