package scalar

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/timefmt"
	"github.com/valyala/fastjson"
)

// esqlFuncs are the functions of ES|QL alone (the ones SPL has too are in
// sharedFuncs). Unless noted, a null or multi-valued argument gives null
// (the mv_* functions take multi-values; the to_* conversions convert each
// value of a multi-value).
var esqlFuncs = map[string]*Func{
	// conditionals
	"case": (&Func{MinArgs: 2, MaxArgs: -1, Lazy: lazyCase(true)}).sig(&Sig{Result: caseResult}),

	// strings
	"to_lower":    strict(1, 1, func(_ *Context, a []event.Value) event.Value { return mapStr(a[0], strings.ToLower) }).typed(Returns(Keyword), String),
	"to_upper":    strict(1, 1, func(_ *Context, a []event.Value) event.Value { return mapStr(a[0], strings.ToUpper) }).typed(Returns(Keyword), String),
	"length":      strict(1, 1, esqlLength).typed(Returns(Integer), String),
	"byte_length": strict(1, 1, esqlByteLength).typed(Returns(Integer), String),
	"bit_length": strict(1, 1, func(c *Context, a []event.Value) event.Value {
		v := esqlByteLength(c, a)
		if n, ok := v.Long(); ok {
			return event.LongValue(n * 8)
		}
		return v
	}).typed(Returns(Integer), String),
	"substring":   strict(2, 3, esqlSubstring).typed(Returns(Keyword), String, Integral),
	"concat":      strict(2, -1, esqlConcat).typed(Returns(Keyword), String),
	"starts_with": strict(2, 2, strPred(strings.HasPrefix)).typed(Returns(Boolean), String),
	"ends_with":   strict(2, 2, strPred(strings.HasSuffix)).typed(Returns(Boolean), String),
	"contains":    strict(2, 2, strPred(strings.Contains)).typed(Returns(Boolean), String),
	"replace":     strict(3, 3, esqlReplace).typed(Returns(Keyword), String),
	"trim":        strict(1, 1, func(_ *Context, a []event.Value) event.Value { return mapStr(a[0], strings.TrimSpace) }).typed(Returns(Keyword), String),
	"ltrim": strict(1, 1, func(_ *Context, a []event.Value) event.Value {
		return mapStr(a[0], func(s string) string { return strings.TrimLeft(s, " \t\n\r\v\f") })
	}).typed(Returns(Keyword), String),
	"rtrim": strict(1, 1, func(_ *Context, a []event.Value) event.Value {
		return mapStr(a[0], func(s string) string { return strings.TrimRight(s, " \t\n\r\v\f") })
	}).typed(Returns(Keyword), String),
	"split":   strict(2, 2, esqlSplit).typed(Returns(Keyword), String),
	"locate":  strict(2, 3, esqlLocate).typed(Returns(Integer), String, String, Integral),
	"left":    strict(2, 2, esqlLeft).typed(Returns(Keyword), String, Integral),
	"right":   strict(2, 2, esqlRight).typed(Returns(Keyword), String, Integral),
	"reverse": strict(1, 1, esqlReverse).typed(Returns(Keyword), String),
	"repeat":  strict(2, 2, esqlRepeat).typed(Returns(Keyword), String, Integral),
	"space":   strict(1, 1, esqlSpace).typed(Returns(Keyword), Integral),
	// encodings: null for text that does not decode (ES|QL warns)
	"url_decode":           strict(1, 1, strFunc(esqlURLDecode)).typed(Returns(Keyword), String),
	"url_encode":           strict(1, 1, strFunc(func(s string) (string, bool) { return url.QueryEscape(s), true })).typed(Returns(Keyword), String),
	"url_encode_component": strict(1, 1, strFunc(func(s string) (string, bool) { return url.PathEscape(s), true })).typed(Returns(Keyword), String),
	"from_base64":          strict(1, 1, strFunc(esqlFromBase64)).typed(Returns(Keyword), String),
	"to_base64":            strict(1, 1, strFunc(func(s string) (string, bool) { return base64.StdEncoding.EncodeToString([]byte(s)), true })).typed(Returns(Keyword), String),
	"json_extract":         strict(2, 2, esqlJSONExtract).typed(Returns(Keyword), String),
	"hash": strict(2, 2, func(c *Context, a []event.Value) event.Value {
		alg, ok := strOf(a[0])
		if !ok {
			return event.NullValue
		}
		return hashFunc(strings.ToLower(alg))(c, a[1:])
	}).typed(Returns(Keyword), String),

	// dates
	"now":          (&Func{MinArgs: 0, MaxArgs: 0, Eval: func(ctx *Context, _ []event.Value) event.Value { return event.TimeNanos(ctx.Now) }}).typed(Returns(Datetime)),
	"date_trunc":   strict(2, 2, esqlDateTrunc).typed(Returns(Datetime), Spans, Date),
	"date_diff":    strict(3, 3, esqlDateDiff).typed(Returns(Integer), String, Date, Date),
	"date_extract": strict(2, 2, esqlDateExtract).typed(Returns(Long), String, Date),
	"date_format":  strict(1, 2, esqlDateFormat).sig(&Sig{Params: []Types{String | Date, Date}, Result: Returns(Keyword)}),
	"date_parse":   strict(1, 2, esqlDateParse).typed(Returns(Datetime), String, String),
	"bucket":       strict(2, 4, esqlBucket).typed(SameAs(0), Numeric|Date, Numeric|Spans, AnyType),

	// conversions
	"to_string":   perValue(esqlToString).typed(Returns(Keyword), AnyType),
	"to_str":      perValue(esqlToString).typed(Returns(Keyword), AnyType),
	"to_long":     perValue(esqlToLong).typed(Returns(Long), AnyType),
	"to_integer":  perValue(esqlToInteger).typed(Returns(Integer), AnyType),
	"to_int":      perValue(esqlToInteger).typed(Returns(Integer), AnyType),
	"to_double":   perValue(esqlToDouble).typed(Returns(Double), AnyType),
	"to_dbl":      perValue(esqlToDouble).typed(Returns(Double), AnyType),
	"to_boolean":  perValue(esqlToBoolean).typed(Returns(Boolean), AnyType),
	"to_bool":     perValue(esqlToBoolean).typed(Returns(Boolean), AnyType),
	"to_datetime": perValue(esqlToDatetime).typed(Returns(Datetime), AnyType),
	"to_dt":       perValue(esqlToDatetime).typed(Returns(Datetime), AnyType),
	"to_ip":       perValue(esqlToIP).typed(Returns(IP), AnyType),

	// math
	"round": strict(1, 2, esqlRound).typed(SameAs(0), Numeric, Integral),
	"abs":   strict(1, 1, esqlAbs).typed(SameAs(0), Numeric),
	"ceil":  strict(1, 1, intPreserving(math.Ceil)).typed(SameAs(0), Numeric),
	"floor": strict(1, 1, intPreserving(math.Floor)).typed(SameAs(0), Numeric),
	"pow": strict(2, 2, func(_ *Context, a []event.Value) event.Value {
		return float2(a, math.Pow)
	}).typed(Returns(Double), Numeric),
	"sqrt":   strict(1, 1, float1(math.Sqrt)).typed(Returns(Double), Numeric),
	"cbrt":   strict(1, 1, float1(math.Cbrt)).typed(Returns(Double), Numeric),
	"exp":    strict(1, 1, float1(math.Exp)).typed(Returns(Double), Numeric),
	"log10":  strict(1, 1, float1(positiveOnly(math.Log10))).typed(Returns(Double), Numeric),
	"log":    strict(1, 2, esqlLog).typed(Returns(Double), Numeric),
	"signum": strict(1, 1, float1(signum)).typed(Returns(Double), Numeric),
	"sin":    strict(1, 1, float1(math.Sin)).typed(Returns(Double), Numeric),
	"cos":    strict(1, 1, float1(math.Cos)).typed(Returns(Double), Numeric),
	"tan":    strict(1, 1, float1(math.Tan)).typed(Returns(Double), Numeric),
	"asin":   strict(1, 1, float1(math.Asin)).typed(Returns(Double), Numeric),
	"acos":   strict(1, 1, float1(math.Acos)).typed(Returns(Double), Numeric),
	"atan":   strict(1, 1, float1(math.Atan)).typed(Returns(Double), Numeric),
	"atan2":  strict(2, 2, func(_ *Context, a []event.Value) event.Value { return float2(a, math.Atan2) }).typed(Returns(Double), Numeric),
	"sinh":   strict(1, 1, float1(math.Sinh)).typed(Returns(Double), Numeric),
	"cosh":   strict(1, 1, float1(math.Cosh)).typed(Returns(Double), Numeric),
	"tanh":   strict(1, 1, float1(math.Tanh)).typed(Returns(Double), Numeric),
	"e":      constFunc(event.DoubleValue(math.E)).typed(Returns(Double)),
	"tau":    constFunc(event.DoubleValue(2 * math.Pi)).typed(Returns(Double)),
	"greatest": (&Func{MinArgs: 1, MaxArgs: -1, Eval: func(_ *Context, a []event.Value) event.Value {
		return extreme(a, 1)
	}}).sig(&Sig{Params: []Types{Ordered}, Result: Common(0, 1), Same: allArgs}),
	"least": (&Func{MinArgs: 1, MaxArgs: -1, Eval: func(_ *Context, a []event.Value) event.Value {
		return extreme(a, -1)
	}}).sig(&Sig{Params: []Types{Ordered}, Result: Common(0, 1), Same: allArgs}),

	// multi-values
	"mv_count":    mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { return event.LongValue(int64(v.Len())) }).typed(Returns(Integer), AnyType),
	"mv_first":    mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { return v.Values()[0] }).typed(SameAs(0), AnyType),
	"mv_last":     mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { vs := v.Values(); return vs[len(vs)-1] }).typed(SameAs(0), AnyType),
	"mv_dedupe":   mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { return event.MultiValue(dedupValues(v.Values())) }).typed(SameAs(0), AnyType),
	"mv_concat":   mvFunc(2, 2, esqlMvConcat).typed(Returns(Keyword), String),
	"mv_contains": (&Func{MinArgs: 2, MaxArgs: 2, Eval: esqlMvContains}).sig(&Sig{Params: []Types{AnyType}, Result: Returns(Boolean), Same: []int{0, 1}}),
	"mv_min":      mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { return extreme([]event.Value{v}, -1) }).typed(SameAs(0), Ordered),
	"mv_max":      mvFunc(1, 1, func(v event.Value, _ []event.Value) event.Value { return extreme([]event.Value{v}, 1) }).typed(SameAs(0), Ordered),
	"mv_sum":      mvFunc(1, 1, esqlMvSum).typed(SameAs(0), Numeric),
	"mv_avg":      mvFunc(1, 1, esqlMvAvg).typed(Returns(Double), Numeric),
	"mv_median":   mvFunc(1, 1, esqlMvMedian).typed(SameAs(0), Numeric),
	"mv_slice":    mvFunc(2, 3, esqlMvSlice).typed(SameAs(0), AnyType, Integral),
	"mv_sort":     mvFunc(1, 2, esqlMvSort).typed(SameAs(0), Ordered, String),
	"mv_append": (&Func{MinArgs: 2, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value {
		return event.MultiValue(a)
	}}).sig(&Sig{Params: []Types{AnyType}, Result: Common(0, 1), Same: []int{0, 1}}),
	"mv_zip":          mvFunc(2, 3, esqlMvZip).typed(Returns(Keyword), String),
	"mv_intersection": (&Func{MinArgs: 2, MaxArgs: 2, Eval: esqlMvIntersection}).sig(&Sig{Params: []Types{AnyType}, Result: Common(0, 1), Same: []int{0, 1}}),

	// $keyed(value, key) is how the front end hands FIRST and LAST their
	// rows (see Keyed); "$" keeps it out of what a query can spell.
	"$keyed": (&Func{MinArgs: 2, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value { return Keyed(a[0], a[1]) }}).typed(SameAs(0), AnyType),

	// geo points, as WKT text (see geo.go)
	"to_geopoint": perValue(esqlToGeopoint).typed(Returns(GeoPoint), AnyType),
	"st_x":        strict(1, 1, esqlStCoord(false)).typed(Returns(Double), Geo),
	"st_y":        strict(1, 1, esqlStCoord(true)).typed(Returns(Double), Geo),
	"st_distance": strict(2, 2, esqlStDistance).typed(Returns(Double), Geo),

	// networks
	"cidr_match": (&Func{MinArgs: 2, MaxArgs: -1, Eval: esqlCidrMatch}).typed(Returns(Boolean), IPs, String),
	"ip_prefix":  strict(3, 3, esqlIPPrefix).typed(Returns(IP), IPs, Integral),
}

// strict makes a function whose null or multi-valued arguments give null.
func strict(min, max int, f func(*Context, []event.Value) event.Value) *Func {
	return &Func{MinArgs: min, MaxArgs: max, Eval: func(ctx *Context, a []event.Value) event.Value {
		if anyNullOrMulti(a) {
			return event.NullValue
		}
		return f(ctx, a)
	}}
}

// perValue makes a one-argument conversion applied to each value.
func perValue(f func(event.Value) event.Value) *Func {
	return &Func{MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		v := a[0]
		if v.Kind() != event.Multi {
			if v.IsNull() {
				return v
			}
			return f(v)
		}
		vs := v.Values()
		out := make([]event.Value, len(vs))
		for i, e := range vs {
			out[i] = f(e)
		}
		return event.MultiValue(out)
	}}
}

// mvFunc makes a function whose first argument is a multi-value (or a
// single value); a null first argument or null other arguments give null.
func mvFunc(min, max int, f func(v event.Value, rest []event.Value) event.Value) *Func {
	return &Func{MinArgs: min, MaxArgs: max, Eval: func(_ *Context, a []event.Value) event.Value {
		if a[0].IsNull() || anyNullOrMulti(a[1:]) {
			return event.NullValue
		}
		return f(a[0], a[1:])
	}}
}

func constFunc(v event.Value) *Func {
	return &Func{Eval: func(*Context, []event.Value) event.Value { return v }}
}

func mapStr(v event.Value, f func(string) string) event.Value {
	s, ok := strOf(v)
	if !ok {
		return event.NullValue
	}
	return event.StringValue(f(s))
}

func strPred(f func(s, p string) bool) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		s, ok1 := strOf(a[0])
		p, ok2 := strOf(a[1])
		if !ok1 || !ok2 {
			return event.NullValue
		}
		return event.BoolValue(f(s, p))
	}
}

func esqlLength(_ *Context, a []event.Value) event.Value {
	s, ok := strOf(a[0])
	if !ok {
		return event.NullValue
	}
	return event.LongValue(int64(utf8.RuneCountInString(s)))
}

func esqlByteLength(_ *Context, a []event.Value) event.Value {
	s, ok := strOf(a[0])
	if !ok {
		return event.NullValue
	}
	return event.LongValue(int64(len(s)))
}

// runeSlice returns the code points [from, to) of s, clamped.
func runeSlice(s string, from, to int) string {
	if from < 0 {
		from = 0
	}
	i, start, end := 0, len(s), len(s)
	for pos := range s {
		if i == from {
			start = pos
		}
		if i == to {
			end = pos
			break
		}
		i++
	}
	if start > end {
		return ""
	}
	return s[start:end]
}

func esqlSubstring(_ *Context, a []event.Value) event.Value {
	s, ok := strOf(a[0])
	start, ok2 := intArg(a[1])
	if !ok || !ok2 {
		return event.NullValue
	}
	n := int64(utf8.RuneCountInString(s))
	var from int64
	switch {
	case start > 0:
		from = start - 1
	case start < 0:
		from = n + start
	}
	from = max(0, min(from, n))
	to := n
	if len(a) == 3 {
		length, ok := intArg(a[2])
		if !ok || length < 0 {
			return event.NullValue
		}
		if from+length < to {
			to = from + length
		}
	}
	return event.StringValue(runeSlice(s, int(from), int(to)))
}

func esqlConcat(_ *Context, a []event.Value) event.Value {
	var b strings.Builder
	for _, v := range a {
		b.WriteString(v.String())
	}
	return event.StringValue(b.String())
}

func esqlReplace(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	pat, ok2 := strOf(a[1])
	repl, ok3 := strOf(a[2])
	if !ok1 || !ok2 || !ok3 {
		return event.NullValue
	}
	re, err := regexps.get(pat)
	if err != nil {
		return event.NullValue
	}
	return event.StringValue(re.ReplaceAllString(s, javaReplacement(repl)))
}

// javaReplacement turns a Java replacement string ($1, ${name}, \x) into
// the template syntax of Go's regexp.Expand.
func javaReplacement(r string) string {
	if !strings.ContainsAny(r, `$\`) {
		return r
	}
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$' && i+1 < len(r) && isDigit(r[i+1]):
			j := i + 1
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		case c == '$' && i+1 < len(r) && r[i+1] == '{':
			end := strings.IndexByte(r[i:], '}')
			if end < 0 {
				b.WriteString("$$")
				continue
			}
			b.WriteString(r[i : i+end+1])
			i += end
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func esqlSplit(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	sep, ok2 := strOf(a[1])
	if !ok1 || !ok2 || sep == "" {
		return event.NullValue
	}
	return event.StringsValue(strings.Split(s, sep))
}

func esqlLocate(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	sub, ok2 := strOf(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	start := int64(1)
	if len(a) == 3 {
		var ok bool
		if start, ok = intArg(a[2]); !ok {
			return event.NullValue
		}
	}
	n := int64(utf8.RuneCountInString(s))
	if start < 1 {
		start = 1
	}
	if start > n+1 {
		return event.LongValue(0)
	}
	rest := runeSlice(s, int(start-1), int(n))
	i := strings.Index(rest, sub)
	if i < 0 {
		return event.LongValue(0)
	}
	return event.LongValue(start + int64(utf8.RuneCountInString(rest[:i])))
}

func esqlLeft(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	n, ok2 := intArg(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	if n <= 0 {
		return event.StringValue("")
	}
	return event.StringValue(runeSlice(s, 0, int(min(n, int64(len(s))))))
}

func esqlRight(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	n, ok2 := intArg(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	total := int64(utf8.RuneCountInString(s))
	if n <= 0 {
		return event.StringValue("")
	}
	return event.StringValue(runeSlice(s, int(max(0, total-n)), int(total)))
}

func esqlReverse(_ *Context, a []event.Value) event.Value {
	s, ok := strOf(a[0])
	if !ok {
		return event.NullValue
	}
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return event.StringValue(string(rs))
}

const maxRepeat = 1 << 20 // bytes a repeat/space may produce

func esqlRepeat(_ *Context, a []event.Value) event.Value {
	s, ok1 := strOf(a[0])
	n, ok2 := intArg(a[1])
	if !ok1 || !ok2 || n < 0 || (len(s) > 0 && n > int64(maxRepeat/len(s))) {
		return event.NullValue
	}
	return event.StringValue(strings.Repeat(s, int(n)))
}

func esqlSpace(_ *Context, a []event.Value) event.Value {
	n, ok := intArg(a[0])
	if !ok || n < 0 || n > maxRepeat {
		return event.NullValue
	}
	return event.StringValue(strings.Repeat(" ", int(n)))
}

func hashFunc(alg string) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		s, ok := strOf(a[0])
		if !ok {
			if !single(a[0]) {
				return event.NullValue
			}
			s = splText(a[0])
		}
		var sum []byte
		switch alg {
		case "md5":
			h := md5.Sum([]byte(s))
			sum = h[:]
		case "sha1", "sha-1":
			h := sha1.Sum([]byte(s))
			sum = h[:]
		case "sha256", "sha-256":
			h := sha256.Sum256([]byte(s))
			sum = h[:]
		default:
			return event.NullValue
		}
		return event.StringValue(hex.EncodeToString(sum))
	}
}

// ---- dates ----

// esqlTime reads a date-time argument: a date-time, or an ISO string.
func esqlTime(v event.Value) (int64, bool) {
	switch v.Kind() {
	case event.Time:
		return v.Nanos()
	case event.String:
		s, _ := v.Str()
		ns, err := timefmt.ParseISO(s)
		return ns, err == nil
	}
	return 0, false
}

func esqlDateTrunc(_ *Context, a []event.Value) event.Value {
	span, ts := a[0], a[1]
	if span.Kind() == event.Time || (span.Kind() == event.String && ts.Kind() == event.Long) {
		span, ts = ts, span // tolerate date_trunc(date, interval)
	}
	months, d, ok := spanArg(span)
	ns, ok2 := esqlTime(ts)
	if !ok || !ok2 {
		return event.NullValue
	}
	return timeOrNull(timefmt.Trunc(ns, months, d))
}

var dateDiffUnits = map[string]string{
	"year": "year", "years": "year", "yy": "year", "yyyy": "year",
	"quarter": "quarter", "quarters": "quarter", "qq": "quarter", "q": "quarter",
	"month": "month", "months": "month", "mm": "month", "m": "month",
	"dayofyear": "day", "dy": "day", "y": "day",
	"day": "day", "days": "day", "dd": "day", "d": "day",
	"week": "week", "weeks": "week", "wk": "week", "ww": "week",
	"weekday": "day", "weekdays": "day", "dw": "day",
	"hour": "hour", "hours": "hour", "hh": "hour",
	"minute": "minute", "minutes": "minute", "mi": "minute", "n": "minute",
	"second": "second", "seconds": "second", "ss": "second", "s": "second",
	"millisecond": "ms", "milliseconds": "ms", "ms": "ms",
	"microsecond": "us", "microseconds": "us", "mcs": "us",
	"nanosecond": "ns", "nanoseconds": "ns", "ns": "ns",
}

func esqlDateDiff(_ *Context, a []event.Value) event.Value {
	u, ok := strOf(a[0])
	t1, ok1 := esqlTime(a[1])
	t2, ok2 := esqlTime(a[2])
	unit := dateDiffUnits[strings.ToLower(u)]
	if !ok || !ok1 || !ok2 || unit == "" {
		return event.NullValue
	}
	d := t2 - t1
	var n int64
	switch unit {
	case "year", "quarter", "month":
		n = monthsBetween(t1, t2)
		if unit == "year" {
			n /= 12
		} else if unit == "quarter" {
			n /= 3
		}
	case "week":
		n = d / int64(7*24*time.Hour)
	case "day":
		n = d / int64(24*time.Hour)
	case "hour":
		n = d / int64(time.Hour)
	case "minute":
		n = d / int64(time.Minute)
	case "second":
		n = d / int64(time.Second)
	case "ms":
		n = d / int64(time.Millisecond)
	case "us":
		n = d / int64(time.Microsecond)
	case "ns":
		n = d
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return event.NullValue // ES|QL's result is an integer
	}
	return event.LongValue(n)
}

// monthsBetween counts whole calendar months from a to b (negative when b
// is earlier), as java.time's ChronoUnit.MONTHS.between does.
func monthsBetween(a, b int64) int64 {
	ta, tb := time.Unix(0, a).UTC(), time.Unix(0, b).UTC()
	m := int64(tb.Year()-ta.Year())*12 + int64(tb.Month()-ta.Month())
	// compare the rest (day of month and time of day)
	ra := int64(ta.Day())*int64(24*time.Hour) + int64(ta.Sub(ta.Truncate(24*time.Hour)))
	rb := int64(tb.Day())*int64(24*time.Hour) + int64(tb.Sub(tb.Truncate(24*time.Hour)))
	switch {
	case m > 0 && rb < ra:
		m--
	case m < 0 && rb > ra:
		m++
	}
	return m
}

// chronoFields are the java.time ChronoField names date_extract accepts.
var chronoFields = map[string]func(t time.Time) int64{
	"nano_of_second":  func(t time.Time) int64 { return int64(t.Nanosecond()) },
	"nano_of_day":     func(t time.Time) int64 { return int64(secOfDay(t))*1e9 + int64(t.Nanosecond()) },
	"micro_of_second": func(t time.Time) int64 { return int64(t.Nanosecond() / 1e3) },
	"micro_of_day":    func(t time.Time) int64 { return int64(secOfDay(t))*1e6 + int64(t.Nanosecond()/1e3) },
	"milli_of_second": func(t time.Time) int64 { return int64(t.Nanosecond() / 1e6) },
	"milli_of_day":    func(t time.Time) int64 { return int64(secOfDay(t))*1e3 + int64(t.Nanosecond()/1e6) },
	"second_of_minute": func(t time.Time) int64 {
		return int64(t.Second())
	},
	"second_of_day":      func(t time.Time) int64 { return int64(secOfDay(t)) },
	"minute_of_hour":     func(t time.Time) int64 { return int64(t.Minute()) },
	"minute_of_day":      func(t time.Time) int64 { return int64(t.Hour()*60 + t.Minute()) },
	"hour_of_ampm":       func(t time.Time) int64 { return int64(t.Hour() % 12) },
	"clock_hour_of_ampm": func(t time.Time) int64 { return int64(hour12(t.Hour())) },
	"hour_of_day":        func(t time.Time) int64 { return int64(t.Hour()) },
	"clock_hour_of_day": func(t time.Time) int64 {
		if t.Hour() == 0 {
			return 24
		}
		return int64(t.Hour())
	},
	"ampm_of_day":                  func(t time.Time) int64 { return int64(t.Hour() / 12) },
	"day_of_week":                  func(t time.Time) int64 { return int64(isoWeekday(t)) },
	"aligned_day_of_week_in_month": func(t time.Time) int64 { return int64((t.Day()-1)%7 + 1) },
	"aligned_day_of_week_in_year":  func(t time.Time) int64 { return int64((t.YearDay()-1)%7 + 1) },
	"day_of_month":                 func(t time.Time) int64 { return int64(t.Day()) },
	"day_of_year":                  func(t time.Time) int64 { return int64(t.YearDay()) },
	"epoch_day":                    func(t time.Time) int64 { return floorDiv(t.Unix(), 86400) },
	"aligned_week_of_month":        func(t time.Time) int64 { return int64((t.Day()-1)/7 + 1) },
	"aligned_week_of_year":         func(t time.Time) int64 { return int64((t.YearDay()-1)/7 + 1) },
	"month_of_year":                func(t time.Time) int64 { return int64(t.Month()) },
	"proleptic_month":              func(t time.Time) int64 { return int64(t.Year())*12 + int64(t.Month()) - 1 },
	"year_of_era": func(t time.Time) int64 {
		if t.Year() <= 0 {
			return int64(1 - t.Year())
		}
		return int64(t.Year())
	},
	"year": func(t time.Time) int64 { return int64(t.Year()) },
	"era": func(t time.Time) int64 {
		if t.Year() <= 0 {
			return 0
		}
		return 1
	},
	"instant_seconds": func(t time.Time) int64 { return t.Unix() },
	"offset_seconds":  func(time.Time) int64 { return 0 },
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

// isoWeekday is the day of the week from Monday (1) to Sunday (7).
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

func secOfDay(t time.Time) int { return t.Hour()*3600 + t.Minute()*60 + t.Second() }

func esqlDateExtract(_ *Context, a []event.Value) event.Value {
	part, ok := strOf(a[0])
	ns, ok2 := esqlTime(a[1])
	f := chronoFields[strings.ToLower(part)]
	if !ok || !ok2 || f == nil {
		return event.NullValue
	}
	return event.LongValue(f(time.Unix(0, ns).UTC()))
}

const esqlDefaultDateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"

func esqlDateFormat(_ *Context, a []event.Value) event.Value {
	pattern, ts := esqlDefaultDateFormat, a[0]
	if len(a) == 2 {
		p, ok := strOf(a[0])
		if !ok {
			return event.NullValue
		}
		pattern, ts = p, a[1]
	}
	ns, ok := esqlTime(ts)
	if !ok {
		return event.NullValue
	}
	f, err := timefmt.CompileJava(pattern)
	if err != nil {
		return event.NullValue
	}
	return event.StringValue(string(f.Append(nil, time.Unix(0, ns))))
}

func esqlDateParse(_ *Context, a []event.Value) event.Value {
	if len(a) == 1 {
		s, ok := strOf(a[0])
		if !ok {
			return event.NullValue
		}
		ns, err := timefmt.ParseISO(s)
		if err != nil {
			return event.NullValue
		}
		return event.TimeNanos(ns)
	}
	pattern, ok1 := strOf(a[0])
	s, ok2 := strOf(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	f, err := timefmt.CompileJava(pattern)
	if err != nil {
		return event.NullValue
	}
	ns, err := f.Parse(s)
	if err != nil {
		return event.NullValue
	}
	return event.TimeNanos(ns)
}

// esqlBucket is BUCKET(value, span) and BUCKET(value, buckets, from, to):
// date-times truncate like date_trunc; numbers floor to a multiple of the
// span. With a bucket count the span is the smallest "human" one that
// covers [from, to] in at most that many buckets.
func esqlBucket(_ *Context, a []event.Value) event.Value {
	if k := a[0].Kind(); k == event.Time || k == event.String {
		ns, ok := esqlTime(a[0])
		if !ok {
			return event.NullValue
		}
		if len(a) == 4 {
			n, ok1 := intArg(a[1])
			from, ok2 := esqlTime(a[2])
			to, ok3 := esqlTime(a[3])
			if !ok1 || !ok2 || !ok3 || n <= 0 {
				return event.NullValue
			}
			months, d := pickDateBucket(n, from, to)
			return timeOrNull(timefmt.Trunc(ns, months, d))
		}
		if len(a) != 2 {
			return event.NullValue
		}
		months, d, ok := spanArg(a[1])
		if !ok {
			return event.NullValue
		}
		return timeOrNull(timefmt.Trunc(ns, months, d))
	}
	x, ok := a[0].Number()
	if !ok {
		return event.NullValue
	}
	var span float64
	switch len(a) {
	case 2:
		if span, ok = a[1].Number(); !ok || span <= 0 {
			return event.NullValue
		}
	case 4:
		n, ok1 := a[1].Number()
		from, ok2 := a[2].Number()
		to, ok3 := a[3].Number()
		if !ok1 || !ok2 || !ok3 || n <= 0 || to < from {
			return event.NullValue
		}
		precise := (to - from) / n
		pow := math.Pow(10, math.Ceil(math.Log10(precise)))
		if span = pow; precise < pow/2 {
			span = pow / 2
		}
		if span <= 0 || math.IsNaN(span) {
			return event.NullValue
		}
	default:
		return event.NullValue
	}
	return event.DoubleValue(math.Floor(x/span) * span)
}

var humanDateRoundings = []struct {
	months int
	d      time.Duration
}{
	{1, 0}, {0, 7 * 24 * time.Hour}, {0, 24 * time.Hour}, {0, 12 * time.Hour}, {0, 3 * time.Hour},
	{0, time.Hour}, {0, 30 * time.Minute}, {0, 10 * time.Minute}, {0, 5 * time.Minute},
	{0, time.Minute}, {0, 30 * time.Second}, {0, 10 * time.Second}, {0, 5 * time.Second},
	{0, time.Second}, {0, 100 * time.Millisecond}, {0, 50 * time.Millisecond},
	{0, 10 * time.Millisecond}, {0, time.Millisecond},
}

func pickDateBucket(n, from, to int64) (int, time.Duration) {
	months, d := 12, time.Duration(0)
	for _, r := range humanDateRoundings {
		start, ok := timefmt.Trunc(from, r.months, r.d)
		if !ok {
			continue
		}
		var count int64
		if r.months > 0 {
			count = monthsBetween(start, to)/int64(r.months) + 1
		} else {
			count = (to-start)/int64(r.d) + 1
		}
		if count > n {
			break
		}
		months, d = r.months, r.d
	}
	return months, d
}

// ---- conversions ----

func esqlToString(v event.Value) event.Value { return event.StringValue(v.String()) }

func esqlToLong(v event.Value) event.Value {
	switch v.Kind() {
	case event.Long:
		return v
	case event.Double:
		f, _ := v.Double()
		return roundToLong(f)
	case event.Bool:
		if b, _ := v.Bool(); b {
			return event.LongValue(1)
		}
		return event.LongValue(0)
	case event.Time:
		ns, _ := v.Nanos()
		return event.LongValue(floorDiv(ns, 1e6))
	case event.String:
		s, _ := v.Str()
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return event.LongValue(n)
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return roundToLong(f)
		}
	}
	return event.NullValue
}

func roundToLong(f float64) event.Value {
	if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return event.NullValue
	}
	return event.LongValue(int64(math.Floor(f + 0.5)))
}

func esqlToInteger(v event.Value) event.Value {
	l := esqlToLong(v)
	if n, ok := l.Long(); ok && (n > math.MaxInt32 || n < math.MinInt32) {
		return event.NullValue
	}
	return l
}

func esqlToDouble(v event.Value) event.Value {
	switch v.Kind() {
	case event.Long:
		n, _ := v.Long()
		return event.DoubleValue(float64(n))
	case event.Double:
		return v
	case event.Bool:
		if b, _ := v.Bool(); b {
			return event.DoubleValue(1)
		}
		return event.DoubleValue(0)
	case event.Time:
		ns, _ := v.Nanos()
		return event.DoubleValue(float64(floorDiv(ns, 1e6)))
	case event.String:
		s, _ := v.Str()
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) {
			return event.DoubleValue(f)
		}
	}
	return event.NullValue
}

func esqlToBoolean(v event.Value) event.Value {
	switch v.Kind() {
	case event.Bool:
		return v
	case event.Long, event.Double:
		f, _ := v.Number()
		return event.BoolValue(f != 0)
	case event.String:
		s, _ := v.Str()
		return event.BoolValue(strings.EqualFold(s, "true"))
	}
	return event.NullValue
}

func esqlToDatetime(v event.Value) event.Value {
	switch v.Kind() {
	case event.Time:
		return v
	case event.Long:
		n, _ := v.Long()
		if n > math.MaxInt64/1_000_000 || n < math.MinInt64/1_000_000 {
			return event.NullValue
		}
		return event.TimeNanos(n * 1e6)
	case event.Double:
		f, _ := v.Double()
		l := roundToLong(f)
		if l.IsNull() {
			return l
		}
		return esqlToDatetime(l)
	case event.String:
		s, _ := v.Str()
		if ns, err := timefmt.ParseISO(s); err == nil {
			return event.TimeNanos(ns)
		}
	}
	return event.NullValue
}

func esqlToIP(v event.Value) event.Value {
	if a, ok := v.Addr(); ok {
		return event.IPValue(a.String())
	}
	return event.NullValue
}

// ---- math ----

func esqlRound(_ *Context, a []event.Value) event.Value {
	d := int64(0)
	if len(a) == 2 {
		var ok bool
		if d, ok = intArg(a[1]); !ok {
			return event.NullValue
		}
	}
	switch a[0].Kind() {
	case event.Long:
		n, _ := a[0].Long()
		return roundLong(n, d)
	case event.Double:
		f, _ := a[0].Double()
		return event.DoubleValue(roundHalfAway(f, int(max(-400, min(d, 400)))))
	}
	return event.NullValue
}

// roundLong rounds an integer to -d decimal places (d < 0), half away
// from zero.
func roundLong(n, d int64) event.Value {
	if d >= 0 {
		return event.LongValue(n)
	}
	if d < -18 {
		return event.LongValue(0)
	}
	p := int64(1)
	for i := int64(0); i < -d; i++ {
		p *= 10
	}
	q, r := n/p, n%p
	if r < 0 {
		r = -r
	}
	if r >= p-r { // r*2 >= p without overflow
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	c, ok := mulInt(q, p)
	if !ok {
		return event.NullValue
	}
	return event.LongValue(c)
}

// roundHalfAway rounds f to d decimal places, half away from zero, on the
// shortest decimal form of f (so 2.675 rounds to 2.68, as a BigDecimal
// built from the double's text does).
func roundHalfAway(f float64, d int) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) || f == 0 {
		return f
	}
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64)
	e := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[e+1:])
	digits := []byte(strings.Replace(s[:e], ".", "", 1))
	keep := exp + 1 + d // digits kept, counted from the first significant one
	if keep >= len(digits) {
		return f
	}
	var r float64
	if keep < 0 {
		r = 0
	} else {
		up := digits[keep] >= '5'
		kept := append([]byte{'0'}, digits[:keep]...)
		if up {
			i := len(kept) - 1
			for ; kept[i] == '9'; i-- {
				kept[i] = '0'
			}
			kept[i]++
		}
		r, _ = strconv.ParseFloat(string(kept)+"e"+strconv.Itoa(exp+1-keep), 64)
	}
	if neg {
		return -r
	}
	return r
}

func esqlAbs(_ *Context, a []event.Value) event.Value {
	switch a[0].Kind() {
	case event.Long:
		n, _ := a[0].Long()
		if n == math.MinInt64 {
			return event.NullValue
		}
		if n < 0 {
			n = -n
		}
		return event.LongValue(n)
	case event.Double:
		f, _ := a[0].Double()
		return event.DoubleValue(math.Abs(f))
	}
	return event.NullValue
}

// intPreserving applies f to doubles and leaves longs as they are.
func intPreserving(f func(float64) float64) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		switch a[0].Kind() {
		case event.Long:
			return a[0]
		case event.Double:
			x, _ := a[0].Double()
			return event.DoubleValue(f(x))
		}
		return event.NullValue
	}
}

// float1 applies f to a numeric argument; NaN and infinite results are null.
func float1(f func(float64) float64) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		x, ok := a[0].Number()
		if !ok {
			return event.NullValue
		}
		return finite(f(x))
	}
}

func float2(a []event.Value, f func(x, y float64) float64) event.Value {
	x, ok1 := a[0].Number()
	y, ok2 := a[1].Number()
	if !ok1 || !ok2 {
		return event.NullValue
	}
	return finite(f(x, y))
}

func finite(f float64) event.Value {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return event.NullValue
	}
	return event.DoubleValue(f)
}

func positiveOnly(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 {
		if x <= 0 {
			return math.NaN()
		}
		return f(x)
	}
}

func signum(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func esqlLog(_ *Context, a []event.Value) event.Value {
	if len(a) == 1 {
		return float1(positiveOnly(math.Log))(nil, a)
	}
	return float2(a, func(b, x float64) float64 {
		if b <= 0 || b == 1 || x <= 0 {
			return math.NaN()
		}
		return math.Log(x) / math.Log(b)
	})
}

// extreme returns the greatest (dir 1) or least (dir -1) of all values of
// the arguments; null when any argument is null or the kinds do not
// compare. A long and a double compare as numbers and give a double.
func extreme(args []event.Value, dir int) event.Value {
	var best event.Value
	mixed := false
	for _, a := range args {
		if a.IsNull() {
			return event.NullValue
		}
		for _, v := range a.Values() {
			if best.IsNull() {
				best = v
				continue
			}
			c, ok := event.Compare(v, best)
			if !ok || (v.Kind() == event.IP) != (best.Kind() == event.IP) {
				return event.NullValue
			}
			if v.Kind() != best.Kind() {
				mixed = true
			}
			if c*dir > 0 {
				best = v
			}
		}
	}
	if mixed {
		if f, ok := best.Number(); ok {
			return event.DoubleValue(f)
		}
	}
	return best
}

// ---- multi-values ----

func esqlMvConcat(v event.Value, rest []event.Value) event.Value {
	sep, ok := strOf(rest[0])
	if !ok {
		return event.NullValue
	}
	vs := v.Values()
	parts := make([]string, len(vs))
	for i, e := range vs {
		parts[i] = e.String()
	}
	return event.StringValue(strings.Join(parts, sep))
}

// esqlMvContains reports whether every value of the second argument is a
// value of the first; a null is an empty set.
func esqlMvContains(_ *Context, a []event.Value) event.Value {
	for _, want := range a[1].Values() {
		found := false
		for _, have := range a[0].Values() {
			if event.Equal(have, want) {
				found = true
				break
			}
		}
		if !found {
			return event.BoolValue(false)
		}
	}
	return event.BoolValue(true)
}

// esqlMvIntersection is MV_INTERSECTION(a, b): the values of a that b
// also holds, each once, in a's order; null when either is null or they
// share no value (ES|QL reference, "MV_INTERSECTION"). Values compare as
// grouping keys do, so a long and a double of the same number are one.
func esqlMvIntersection(_ *Context, a []event.Value) event.Value {
	if a[0].IsNull() || a[1].IsNull() {
		return event.NullValue
	}
	var buf [64]byte
	in := make(map[string]bool, a[1].Len())
	for _, v := range a[1].Values() {
		in[string(v.Key(buf[:0]))] = true
	}
	var out []event.Value
	for _, v := range a[0].Values() {
		k := v.Key(buf[:0])
		if in[string(k)] {
			out = append(out, v)
			delete(in, string(k)) // each shared value once
		}
	}
	return event.OwnedMultiValue(out)
}

func esqlMvSum(v event.Value, _ []event.Value) event.Value {
	var (
		isum    int64
		fsum    float64
		isFloat bool
	)
	for _, e := range v.Values() {
		switch e.Kind() {
		case event.Long:
			n, _ := e.Long()
			if isFloat {
				fsum += float64(n)
				continue
			}
			var ok bool
			if isum, ok = addInt(isum, n); !ok {
				return event.NullValue
			}
		case event.Double:
			f, _ := e.Double()
			if !isFloat {
				isFloat, fsum = true, float64(isum)
			}
			fsum += f
		default:
			return event.NullValue
		}
	}
	if isFloat {
		return finite(fsum)
	}
	return event.LongValue(isum)
}

func esqlMvAvg(v event.Value, _ []event.Value) event.Value {
	var sum float64
	vs := v.Values()
	for _, e := range vs {
		f, ok := e.Number()
		if !ok {
			return event.NullValue
		}
		sum += f
	}
	return finite(sum / float64(len(vs)))
}

func esqlMvMedian(v event.Value, _ []event.Value) event.Value {
	vs := append([]event.Value(nil), v.Values()...)
	allLong := true
	for _, e := range vs {
		if _, ok := e.Number(); !ok {
			return event.NullValue
		}
		if e.Kind() != event.Long {
			allLong = false
		}
	}
	sort.Slice(vs, func(i, j int) bool { return event.Order(vs[i], vs[j]) < 0 })
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	if allLong {
		x, _ := vs[n/2-1].Long()
		y, _ := vs[n/2].Long()
		return event.LongValue(floorDiv(x, 2) + floorDiv(y, 2) + floorDiv(floorMod(x, 2)+floorMod(y, 2), 2))
	}
	x, _ := vs[n/2-1].Number()
	y, _ := vs[n/2].Number()
	return event.DoubleValue((x + y) / 2)
}

// esqlMvSlice is MV_SLICE(v, start[, end]): 0-based, end inclusive,
// negative positions count from the end.
func esqlMvSlice(v event.Value, rest []event.Value) event.Value {
	vs := v.Values()
	n := int64(len(vs))
	start, ok := intArg(rest[0])
	if !ok {
		return event.NullValue
	}
	end := start
	if len(rest) == 2 {
		if end, ok = intArg(rest[1]); !ok {
			return event.NullValue
		}
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || start >= n {
		return event.NullValue
	}
	return event.MultiValue(vs[start : end+1])
}

func esqlMvSort(v event.Value, rest []event.Value) event.Value {
	desc := false
	if len(rest) == 1 {
		o, ok := strOf(rest[0])
		switch {
		case ok && strings.EqualFold(o, "asc"):
		case ok && strings.EqualFold(o, "desc"):
			desc = true
		default:
			return event.NullValue
		}
	}
	vs := append([]event.Value(nil), v.Values()...)
	sort.SliceStable(vs, func(i, j int) bool {
		c := event.Order(vs[i], vs[j])
		if desc {
			return c > 0
		}
		return c < 0
	})
	return event.MultiValue(vs)
}

func esqlMvZip(v event.Value, rest []event.Value) event.Value {
	other := rest[0]
	sep := ","
	if len(rest) == 2 {
		s, ok := strOf(rest[1])
		if !ok {
			return event.NullValue
		}
		sep = s
	}
	a, b := v.Values(), other.Values()
	out := make([]event.Value, 0, max(len(a), len(b)))
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i < len(a) && i < len(b):
			out = append(out, event.StringValue(a[i].String()+sep+b[i].String()))
		case i < len(a):
			out = append(out, event.StringValue(a[i].String()))
		default:
			out = append(out, event.StringValue(b[i].String()))
		}
	}
	return event.MultiValue(out)
}

// ---- networks ----

// parseCIDR reads "a.b.c.d/n" (octets may have leading zeros) or a bare
// address (a /32 or /128 block).
func parseCIDR(s string) (netip.Prefix, bool) {
	addr, bits := s, -1
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return netip.Prefix{}, false
		}
		addr, bits = s[:i], n
	}
	a, ok := event.ParseAddr(addr)
	if !ok {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	if bits < 0 {
		bits = a.BitLen()
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p, true
}

func cidrContains(ip netip.Addr, block string) bool {
	p, ok := parseCIDR(block)
	return ok && p.Contains(ip.Unmap())
}

func esqlCidrMatch(_ *Context, a []event.Value) event.Value {
	if !single(a[0]) {
		return event.NullValue
	}
	ip, ok := a[0].Addr()
	if !ok {
		return event.NullValue
	}
	for _, b := range a[1:] {
		for _, blk := range b.Values() {
			if s, ok := strOf(blk); ok && cidrContains(ip, s) {
				return event.BoolValue(true)
			}
		}
	}
	return event.BoolValue(false)
}

func esqlIPPrefix(_ *Context, a []event.Value) event.Value {
	ip, ok := a[0].Addr()
	v4, ok1 := intArg(a[1])
	v6, ok2 := intArg(a[2])
	if !ok || !ok1 || !ok2 {
		return event.NullValue
	}
	ip = ip.Unmap()
	bits := v6
	if ip.Is4() {
		bits = v4
	}
	p, err := ip.Prefix(int(bits))
	if err != nil {
		return event.NullValue
	}
	return event.IPValue(p.Addr().String())
}

// strFunc lifts a string function that may fail (null) to values.
func strFunc(f func(string) (string, bool)) func(*Context, []event.Value) event.Value {
	return func(_ *Context, a []event.Value) event.Value {
		s, ok := strOf(a[0])
		if !ok {
			return event.NullValue
		}
		out, ok := f(s)
		if !ok {
			return event.NullValue
		}
		return event.StringValue(out)
	}
}

// esqlURLDecode decodes as Java's URLDecoder does: %XX escapes, and + for
// a space.
func esqlURLDecode(s string) (string, bool) {
	out, err := url.QueryUnescape(s)
	return out, err == nil && utf8.ValidString(out)
}

func esqlFromBase64(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return "", false
		}
	}
	return string(b), true
}

// esqlJSONExtract is JSON_EXTRACT(json, path): the value at a path of
// dotted keys and [n] indexes, with or without a leading "$.", as text
// (strings unquoted, objects and arrays as JSON); null when the text is
// not JSON or the path leads nowhere.
func esqlJSONExtract(_ *Context, a []event.Value) event.Value {
	doc, ok1 := strOf(a[0])
	path, ok2 := strOf(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	v, err := fastjson.Parse(doc)
	if err != nil {
		return event.NullValue
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "$"), ".")
	for path != "" {
		var key string
		if path[0] == '[' {
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return event.NullValue
			}
			n, err := strconv.Atoi(path[1:end])
			arr, aerr := v.Array()
			if err != nil || aerr != nil || n < 0 || n >= len(arr) {
				return event.NullValue
			}
			v, path = arr[n], strings.TrimPrefix(path[end+1:], ".")
			continue
		}
		end := strings.IndexAny(path, ".[")
		if end < 0 {
			key, path = path, ""
		} else {
			key, path = path[:end], strings.TrimPrefix(path[end:], ".")
		}
		if v.Type() != fastjson.TypeObject {
			return event.NullValue
		}
		if v = v.Get(key); v == nil {
			return event.NullValue
		}
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return event.StringValue(string(b))
	case fastjson.TypeNull:
		return event.NullValue
	}
	return event.StringValue(string(v.MarshalTo(nil)))
}

// Keyed packs a row's value and sort key into the one argument an
// aggregate reads per row, for the aggregates that pick a value by a sort
// key (ES|QL's FIRST and LAST, which the front end gives $keyed(value,
// key)): the number of key values as a long, the key values, then the
// values. A null value gives null, a row aggregates skip.
func Keyed(v, key event.Value) event.Value {
	if v.IsNull() {
		return event.NullValue
	}
	out := make([]event.Value, 0, 1+key.Len()+v.Len())
	out = append(out, event.LongValue(int64(key.Len())))
	out = appendValues(appendValues(out, key), v)
	return event.OwnedMultiValue(out)
}

// appendValues appends the values of v (none for null) to dst.
func appendValues(dst []event.Value, v event.Value) []event.Value {
	switch v.Kind() {
	case event.Null:
		return dst
	case event.Multi:
		return append(dst, v.Values()...)
	}
	return append(dst, v)
}

// SplitKeyed undoes Keyed: the key's values (none for a null key) and the
// value. ok is false for a value Keyed did not make.
func SplitKeyed(p event.Value) (keys []event.Value, v event.Value, ok bool) {
	vs := p.Values()
	if len(vs) < 2 {
		return nil, event.NullValue, false
	}
	n, isLong := vs[0].Long()
	if !isLong || n < 0 || n > int64(len(vs)-2) {
		return nil, event.NullValue, false
	}
	return vs[1 : 1+n], event.OwnedMultiValue(vs[1+n:]), true
}
