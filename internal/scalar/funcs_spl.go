package scalar

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/timefmt"
)

// splFuncs are the eval functions of SPL alone (Sigma shares them; the
// ones ES|QL has too are in sharedFuncs). Functions are lenient as
// Splunk's are: numeric text counts as a number, string functions apply to
// each value of a multi-value, and predicates are false (not null) on
// missing fields.
var splFuncs = map[string]*Func{
	// conditionals
	"if":       {MinArgs: 3, MaxArgs: 3, Lazy: splIf},
	"case":     {MinArgs: 2, MaxArgs: -1, Lazy: lazyCase(false)},
	"validate": {MinArgs: 2, MaxArgs: -1, Lazy: splValidate},
	"nullif": {MinArgs: 2, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value {
		if splCompare(a[0], a[1], isEq) {
			return event.NullValue
		}
		return a[0]
	}},
	"in":    {MinArgs: 2, MaxArgs: -1, Eval: splIn},
	"null":  constFunc(event.NullValue),
	"true":  constFunc(event.BoolValue(true)),
	"false": constFunc(event.BoolValue(false)),

	// predicates
	"isnull":    splPred(func(v event.Value) bool { return v.IsNull() }),
	"isnotnull": splPred(func(v event.Value) bool { return !v.IsNull() }),
	"isnum":     splPred(func(v event.Value) bool { _, ok := looseNum(v); return ok && single(v) }),
	"isint": splPred(func(v event.Value) bool {
		n, ok := looseNum(v)
		return ok && single(v) && (n.isInt || n.f == math.Trunc(n.f))
	}),
	"isstr": splPred(func(v event.Value) bool {
		_, isNum := looseNum(v)
		return v.Kind() == event.String && !isNum || v.Kind() == event.IP
	}),
	"isbool":    splPred(func(v event.Value) bool { return v.Kind() == event.Bool }),
	"like":      {MinArgs: 2, MaxArgs: 2, Eval: splLike},
	"match":     {MinArgs: 2, MaxArgs: 2, Eval: splMatch},
	"cidrmatch": {MinArgs: 2, MaxArgs: 2, Eval: splCidrmatch},
	"typeof":    {MinArgs: 1, MaxArgs: 1, Eval: splTypeof},

	// text
	"lower": {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		return strMap(a[0], strings.ToLower)
	}},
	"upper": {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		return strMap(a[0], strings.ToUpper)
	}},
	"len": {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		if !single(a[0]) {
			return event.NullValue
		}
		return event.LongValue(int64(utf8.RuneCountInString(splText(a[0]))))
	}},
	"substr":    {MinArgs: 2, MaxArgs: 3, Eval: splSubstr},
	"replace":   {MinArgs: 3, MaxArgs: 3, Eval: splReplace},
	"trim":      splTrim(strings.Trim),
	"ltrim":     splTrim(strings.TrimLeft),
	"rtrim":     splTrim(strings.TrimRight),
	"split":     {MinArgs: 2, MaxArgs: 2, Eval: splSplit},
	"urldecode": {MinArgs: 1, MaxArgs: 1, Eval: splURLDecode},
	"sha512": strict(1, 1, func(_ *Context, a []event.Value) event.Value {
		h := sha512.Sum512([]byte(splText(a[0])))
		return event.StringValue(hex.EncodeToString(h[:]))
	}),
	"tostring":     {MinArgs: 1, MaxArgs: 2, Eval: splToString},
	"tonumber":     {MinArgs: 1, MaxArgs: 2, Eval: splToNumber},
	"spath":        {MinArgs: 2, MaxArgs: 2, Eval: splSpath},
	"json_extract": {MinArgs: 1, MaxArgs: -1, Eval: splJSONExtract},
	"printf":       {MinArgs: 1, MaxArgs: -1, Eval: splPrintf},

	// multi-values
	"mvcount": {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		if a[0].IsNull() {
			return event.NullValue
		}
		return event.LongValue(int64(a[0].Len()))
	}},
	"mvindex":  {MinArgs: 2, MaxArgs: 3, Eval: splMvindex},
	"mvjoin":   {MinArgs: 2, MaxArgs: 2, Eval: splMvjoin},
	"mvappend": {MinArgs: 1, MaxArgs: -1, Eval: func(_ *Context, a []event.Value) event.Value { return event.MultiValue(a) }},
	"mvdedup": {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		return event.MultiValue(dedupValues(a[0].Values()))
	}},
	"mvsort":  {MinArgs: 1, MaxArgs: 1, Eval: splMvsort},
	"mvfind":  {MinArgs: 2, MaxArgs: 2, Eval: splMvfind},
	"mvrange": {MinArgs: 2, MaxArgs: 3, Eval: splMvrange},
	"mvzip":   {MinArgs: 2, MaxArgs: 3, Eval: splMvzip},

	// time
	"now": {MinArgs: 0, MaxArgs: 0, Eval: func(ctx *Context, _ []event.Value) event.Value {
		return event.LongValue(floorDiv(ctx.Now, 1e9))
	}},
	"time": {MinArgs: 0, MaxArgs: 0, Eval: func(ctx *Context, _ []event.Value) event.Value {
		return event.DoubleValue(float64(ctx.Now) / 1e9)
	}},
	"strftime":      {MinArgs: 2, MaxArgs: 2, Eval: splStrftime},
	"strptime":      {MinArgs: 2, MaxArgs: 2, Eval: splStrptime},
	"relative_time": {MinArgs: 2, MaxArgs: 2, Eval: splRelativeTime},
	"bin":           {MinArgs: 2, MaxArgs: 2, Eval: splBin},

	// math
	"round":   {MinArgs: 1, MaxArgs: 2, Eval: splRound},
	"abs":     splMath1(math.Abs),
	"ceiling": splMath1(math.Ceil),
	"ceil":    splMath1(math.Ceil),
	"floor":   splMath1(math.Floor),
	"sqrt":    splMath1(math.Sqrt),
	"exp":     splMath1(math.Exp),
	"ln":      splMath1(positiveOnly(math.Log)),
	"exact":   {MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value { return a[0] }},
	"pow": {MinArgs: 2, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value {
		return splMath2(a, math.Pow)
	}},
	"log": {MinArgs: 1, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value {
		if len(a) == 1 {
			a = append(a, event.LongValue(10))
		}
		return splMath2(a, func(x, b float64) float64 {
			if x <= 0 || b <= 0 || b == 1 {
				return math.NaN()
			}
			return math.Log(x) / math.Log(b)
		})
	}},
	"min": {MinArgs: 1, MaxArgs: -1, Eval: func(_ *Context, a []event.Value) event.Value { return splExtreme(a, -1) }},
	"max": {MinArgs: 1, MaxArgs: -1, Eval: func(_ *Context, a []event.Value) event.Value { return splExtreme(a, 1) }},
}

func splIf(ctx *Context, row Row, args []Evaluator) event.Value {
	if Truth(args[0](ctx, row)) {
		return args[1](ctx, row)
	}
	return args[2](ctx, row)
}

// splValidate returns the message of the first condition that is not true.
func splValidate(ctx *Context, row Row, args []Evaluator) event.Value {
	for i := 0; i+1 < len(args); i += 2 {
		if !Truth(args[i](ctx, row)) {
			return args[i+1](ctx, row)
		}
	}
	return event.NullValue
}

func splIn(_ *Context, a []event.Value) event.Value {
	for _, item := range a[1:] {
		if splCompare(a[0], item, isEq) {
			return event.BoolValue(true)
		}
	}
	return event.BoolValue(false)
}

func splPred(f func(event.Value) bool) *Func {
	return &Func{MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		return event.BoolValue(f(a[0]))
	}}
}

// wildcardCache holds compiled like() patterns by source.
var (
	likePatterns sync.Map // string -> *wildcard
	likeCount    atomic.Int64
)

func splLikePattern(p string) *wildcard {
	if w, ok := likePatterns.Load(p); ok {
		return w.(*wildcard)
	}
	w := compileWildcard(p, splLikeSyntax, false, false)
	if likeCount.Load() < regexCacheMax {
		if _, loaded := likePatterns.LoadOrStore(p, w); !loaded {
			likeCount.Add(1)
		}
	}
	return w
}

// splLike is like(text, pattern): SQL LIKE with % and _, case-sensitive,
// true when any value matches.
func splLike(_ *Context, a []event.Value) event.Value {
	if !single(a[1]) {
		return event.BoolValue(false)
	}
	w := splLikePattern(splText(a[1]))
	for _, v := range a[0].Values() {
		if w.match(splText(v)) {
			return event.BoolValue(true)
		}
	}
	return event.BoolValue(false)
}

// splMatch is match(text, regex): an unanchored regular-expression search.
func splMatch(_ *Context, a []event.Value) event.Value {
	if !single(a[1]) {
		return event.BoolValue(false)
	}
	re, err := regexps.get(splText(a[1]))
	if err != nil {
		return event.NullValue
	}
	for _, v := range a[0].Values() {
		if re.MatchString(splText(v)) {
			return event.BoolValue(true)
		}
	}
	return event.BoolValue(false)
}

func splCidrmatch(_ *Context, a []event.Value) event.Value {
	if !single(a[0]) {
		return event.BoolValue(false)
	}
	block, ok := parseCIDR(splText(a[0]))
	if !ok {
		return event.BoolValue(false)
	}
	for _, v := range a[1].Values() {
		if ip, ok := event.ParseAddr(splText(v)); ok && block.Contains(ip.Unmap()) {
			return event.BoolValue(true)
		}
	}
	return event.BoolValue(false)
}

func splTypeof(_ *Context, a []event.Value) event.Value {
	v := a[0]
	switch v.Kind() {
	case event.Null:
		return event.StringValue("Invalid")
	case event.Bool:
		return event.StringValue("Boolean")
	case event.Multi:
		return event.StringValue("Multivalue")
	}
	if _, ok := looseNum(v); ok {
		return event.StringValue("Number")
	}
	return event.StringValue("String")
}

// splSubstr is substr(text, start[, length]): 1-based; a negative start
// counts from the end.
func splSubstr(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	s := splText(a[0])
	start, ok := looseInt(a[1])
	if !ok {
		return event.NullValue
	}
	n := int64(utf8.RuneCountInString(s))
	var from int64
	switch {
	case start > 0:
		from = start - 1
	case start < 0:
		from = max(0, n+start)
	}
	to := n
	if len(a) == 3 {
		l, ok := looseInt(a[2])
		if !ok {
			return event.NullValue
		}
		if l < 0 {
			l = 0
		}
		to = min(n, from+l)
	}
	if from >= n {
		return event.StringValue("")
	}
	return event.StringValue(runeSlice(s, int(from), int(to)))
}

func looseInt(v event.Value) (int64, bool) {
	n, ok := looseNum(v)
	if !ok {
		return 0, false
	}
	if n.isInt {
		return n.i, true
	}
	if math.IsNaN(n.f) || n.f > math.MaxInt64 || n.f < math.MinInt64 {
		return 0, false
	}
	return int64(n.f), true
}

// splReplace is replace(text, regex, replacement) with \1 backreferences,
// applied to each value.
func splReplace(_ *Context, a []event.Value) event.Value {
	if !single(a[1]) || !single(a[2]) {
		return event.NullValue
	}
	re, err := regexps.get(splText(a[1]))
	if err != nil {
		return event.NullValue
	}
	tmpl := pcreReplacement(splText(a[2]))
	return strMap(a[0], func(s string) string { return re.ReplaceAllString(s, tmpl) })
}

// pcreReplacement turns a replacement with \1 backreferences into the
// template syntax of Go's regexp.Expand.
func pcreReplacement(r string) string {
	if !strings.ContainsAny(r, `$\`) {
		return r
	}
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r) && isDigit(r[i+1]):
			b.WriteString("${" + string(r[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func splTrim(f func(s, cut string) string) *Func {
	return &Func{MinArgs: 1, MaxArgs: 2, Eval: func(_ *Context, a []event.Value) event.Value {
		cut := " \t"
		if len(a) == 2 {
			if !single(a[1]) {
				return event.NullValue
			}
			cut = splText(a[1])
		}
		return strMap(a[0], func(s string) string { return f(s, cut) })
	}}
}

func splSplit(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	s, sep := splText(a[0]), splText(a[1])
	return event.StringsValue(strings.Split(s, sep))
}

func splURLDecode(_ *Context, a []event.Value) event.Value {
	return strMap(a[0], func(s string) string {
		if d, err := url.QueryUnescape(s); err == nil {
			return d
		}
		return s
	})
}

// splToString is tostring(x[, format]) with formats "commas", "hex" and
// "duration".
func splToString(_ *Context, a []event.Value) event.Value {
	v := a[0]
	if len(a) == 1 {
		if v.IsNull() {
			return v
		}
		return strMap(v, func(s string) string { return s })
	}
	if !single(v) || !single(a[1]) {
		return event.NullValue
	}
	n, isNum := looseNum(v)
	switch strings.ToLower(splText(a[1])) {
	case "commas":
		if !isNum {
			return event.StringValue(splText(v))
		}
		return event.StringValue(commas(n))
	case "hex":
		i, ok := looseInt(v)
		if !ok {
			return event.StringValue(splText(v))
		}
		if i < 0 {
			return event.StringValue("-0x" + strings.ToUpper(strconv.FormatInt(-i, 16)))
		}
		return event.StringValue("0x" + strings.ToUpper(strconv.FormatInt(i, 16)))
	case "duration":
		i, ok := looseInt(v)
		if !ok {
			return event.StringValue(splText(v))
		}
		return event.StringValue(duration(i))
	}
	return event.StringValue(splText(v))
}

func commas(n num) string {
	var s string
	if n.isInt {
		s = strconv.FormatInt(n.i, 10)
	} else {
		s = strconv.FormatFloat(roundHalfAway(n.f, 2), 'f', -1, 64)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

func duration(secs int64) string {
	neg := secs < 0
	if neg {
		secs = -secs
	}
	d, h, m, s := secs/86400, secs%86400/3600, secs%3600/60, secs%60
	var b []byte
	if neg {
		b = append(b, '-')
	}
	if d > 0 {
		b = strconv.AppendInt(b, d, 10)
		b = append(b, '+')
	}
	b = appendTwoDigits(b, h)
	b = append(b, ':')
	b = appendTwoDigits(b, m)
	b = append(b, ':')
	b = appendTwoDigits(b, s)
	return string(b)
}

// appendTwoDigits writes 0 <= n < 100 as two digits.
func appendTwoDigits(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// splToNumber is tonumber(text[, base]); text that is not a number gives null.
func splToNumber(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	base := int64(10)
	if len(a) == 2 {
		b, ok := looseInt(a[1])
		if !ok || b < 2 || b > 36 {
			return event.NullValue
		}
		base = b
	}
	if base == 10 {
		if ns, ok := a[0].Nanos(); ok {
			return epochValue(ns)
		}
		n, ok := looseNum(a[0])
		if !ok {
			return event.NullValue
		}
		return n.value()
	}
	s := strings.TrimSpace(splText(a[0]))
	if base == 16 {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	}
	i, err := strconv.ParseInt(s, int(base), 64)
	if err != nil {
		return event.NullValue
	}
	return event.LongValue(i)
}

// splSpath is spath(json, path): a value from JSON text; path keys are
// separated by dots, "{}" walks every array element and "{n}" picks the
// n-th (1-based). Objects come back as JSON text.
func splSpath(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	doc, ok := decodeJSON(splText(a[0]))
	if !ok {
		return event.NullValue
	}
	return jsonPath(doc, splText(a[1]), 1)
}

// splJSONExtract is json_extract(json[, path...]): without a path the
// whole document, with one path its value (array indexes {n} 0-based),
// with several a JSON array of the values.
func splJSONExtract(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	doc, ok := decodeJSON(splText(a[0]))
	if !ok {
		return event.NullValue
	}
	if len(a) == 1 {
		return jsonValue(doc)
	}
	if len(a) == 2 {
		return jsonPath(doc, splText(a[1]), 0)
	}
	out := make([]any, 0, len(a)-1)
	for _, p := range a[1:] {
		switch vs := jsonPathRaw(doc, splText(p), 0); len(vs) {
		case 0:
			out = append(out, nil)
		case 1:
			out = append(out, vs[0])
		default:
			out = append(out, vs)
		}
	}
	return event.StringValue(string(mustJSON(out)))
}

func mustJSON(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		panic("BUG: cannot marshal JSON: " + err.Error())
	}
	return b
}

func decodeJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	return doc, true
}

// jsonValue converts decoded JSON: scalars to values, objects and arrays
// to their JSON text.
func jsonValue(v any) event.Value {
	switch t := v.(type) {
	case map[string]any, []any:
		return event.StringValue(string(mustJSON(t)))
	}
	return event.FromAny(v)
}

// jsonPath walks a Splunk JSON path; base is the index of the first array
// element in "{n}".
func jsonPath(doc any, path string, base int) event.Value {
	vals := jsonPathRaw(doc, path, base)
	out := make([]event.Value, 0, len(vals))
	for _, v := range vals {
		out = append(out, jsonValue(v))
	}
	return event.MultiValue(out)
}

func jsonPathRaw(doc any, path string, base int) []any {
	vals := []any{doc}
	for _, key := range strings.Split(path, ".") {
		idx := -1 // -1: no index; -2: every element
		if i := strings.IndexByte(key, '{'); i >= 0 && strings.HasSuffix(key, "}") {
			in := key[i+1 : len(key)-1]
			key = key[:i]
			if in == "" {
				idx = -2
			} else if n, err := strconv.Atoi(in); err == nil && n >= base {
				idx = n - base
			} else {
				return nil
			}
		}
		var next []any
		for _, v := range vals {
			if key != "" {
				m, ok := v.(map[string]any)
				if !ok {
					continue
				}
				if v, ok = m[key]; !ok {
					continue
				}
				if idx == -1 {
					next = append(next, v)
					continue
				}
			}
			if arr, ok := v.([]any); ok && idx != -1 {
				next = appendIndexed(next, arr, idx)
			}
		}
		vals = next
	}
	return vals
}

// appendIndexed appends element idx (0-based) of arr, or every element
// for idx -2.
func appendIndexed(dst, arr []any, idx int) []any {
	if idx == -2 {
		return append(dst, arr...)
	}
	if idx < len(arr) {
		return append(dst, arr[idx])
	}
	return dst
}

// splPrintf is printf(format, args...) with C conversions (%d %i %u %f
// %F %e %E %g %G %x %X %o %s %c %%), flags, width and precision ("*"
// takes them from the arguments); %'d groups thousands.
func splPrintf(_ *Context, a []event.Value) event.Value {
	if !single(a[0]) {
		return event.NullValue
	}
	format, args := splText(a[0]), a[1:]
	next := func() (event.Value, bool) {
		if len(args) == 0 {
			return event.NullValue, false
		}
		v := args[0]
		args = args[1:]
		return v, true
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		start, j := i, i+1
		var spec strings.Builder
		spec.WriteByte('%')
		group := false
		for j < len(format) && strings.IndexByte("-+ #0'", format[j]) >= 0 {
			if format[j] == '\'' {
				group = true
			} else {
				spec.WriteByte(format[j])
			}
			j++
		}
		for _, part := range []string{"width", "prec"} {
			if part == "prec" {
				if j >= len(format) || format[j] != '.' {
					break
				}
				spec.WriteByte('.')
				j++
			}
			if j < len(format) && format[j] == '*' {
				v, _ := next()
				n, _ := looseInt(v)
				spec.WriteString(strconv.FormatInt(max(-999, min(n, 999)), 10))
				j++
				continue
			}
			for j < len(format) && isDigit(format[j]) && spec.Len() < 8 {
				spec.WriteByte(format[j])
				j++
			}
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		i = j
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		v, _ := next()
		switch verb {
		case 'd', 'i', 'u':
			n, _ := looseInt(v)
			s := fmt.Sprintf(spec.String()+"d", n)
			if group {
				s = groupDigits(s)
			}
			b.WriteString(s)
		case 'x', 'X', 'o':
			n, _ := looseInt(v)
			b.WriteString(fmt.Sprintf(spec.String()+string(verb), n))
		case 'f', 'F', 'e', 'E', 'g', 'G':
			n, _ := looseNum(v)
			if verb == 'F' {
				verb = 'f'
			}
			s := fmt.Sprintf(spec.String()+string(verb), n.float())
			if group {
				s = groupDigits(s)
			}
			b.WriteString(s)
		case 'c':
			n, _ := looseInt(v)
			b.WriteString(fmt.Sprintf(spec.String()+"c", rune(n)))
		case 's':
			b.WriteString(fmt.Sprintf(spec.String()+"s", splText(v)))
		default:
			b.WriteString(format[start : j+1])
		}
	}
	return event.StringValue(b.String())
}

// groupDigits puts thousands separators into the first run of digits.
func groupDigits(s string) string {
	start := strings.IndexAny(s, "0123456789")
	if start < 0 {
		return s
	}
	end := start
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	digits := s[start:end]
	var b strings.Builder
	for i := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return s[:start] + b.String() + s[end:]
}

// splMvindex is mvindex(mv, start[, end]): 0-based, negative counts from
// the end, end inclusive.
func splMvindex(_ *Context, a []event.Value) event.Value {
	vs := a[0].Values()
	n := int64(len(vs))
	start, ok := looseInt(a[1])
	if !ok || n == 0 {
		return event.NullValue
	}
	if start < 0 {
		start += n
	}
	end := start
	if len(a) == 3 {
		if end, ok = looseInt(a[2]); !ok {
			return event.NullValue
		}
		if end < 0 {
			end += n
		}
		end = min(end, n-1)
	}
	if start < 0 || start >= n || end < start {
		return event.NullValue
	}
	return event.MultiValue(vs[start : end+1])
}

func splMvjoin(_ *Context, a []event.Value) event.Value {
	if a[0].IsNull() || !single(a[1]) {
		return event.NullValue
	}
	vs := a[0].Values()
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = splText(v)
	}
	return event.StringValue(strings.Join(parts, splText(a[1])))
}

// splMvsort sorts values as text, as Splunk does.
func splMvsort(_ *Context, a []event.Value) event.Value {
	vs := append([]event.Value(nil), a[0].Values()...)
	sort.SliceStable(vs, func(i, j int) bool { return splText(vs[i]) < splText(vs[j]) })
	return event.MultiValue(vs)
}

func splMvfind(_ *Context, a []event.Value) event.Value {
	if !single(a[1]) {
		return event.NullValue
	}
	re, err := regexps.get(splText(a[1]))
	if err != nil {
		return event.NullValue
	}
	for i, v := range a[0].Values() {
		if re.MatchString(splText(v)) {
			return event.LongValue(int64(i))
		}
	}
	return event.NullValue
}

const maxMvrange = 100000

func splMvrange(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	start, ok1 := looseNum(a[0])
	end, ok2 := looseNum(a[1])
	step := intNum(1)
	ok3 := true
	if len(a) == 3 {
		step, ok3 = looseNum(a[2])
	}
	if !ok1 || !ok2 || !ok3 || step.float() <= 0 {
		return event.NullValue
	}
	var out []event.Value
	for x := start; x.float() < end.float() && len(out) < maxMvrange; {
		out = append(out, x.value())
		if x.isInt && step.isInt {
			x.i += step.i
		} else {
			x = floatNum(x.float() + step.float())
		}
	}
	return event.MultiValue(out)
}

func splMvzip(_ *Context, a []event.Value) event.Value {
	sep := ","
	if len(a) == 3 {
		if !single(a[2]) {
			return event.NullValue
		}
		sep = splText(a[2])
	}
	x, y := a[0].Values(), a[1].Values()
	out := make([]event.Value, 0, min(len(x), len(y)))
	for i := 0; i < len(x) && i < len(y); i++ {
		out = append(out, event.StringValue(splText(x[i])+sep+splText(y[i])))
	}
	return event.MultiValue(out)
}

// splTimeNanos reads a time argument: a date-time or epoch seconds.
// Decimal text is read exactly; a double's fraction is rounded to the
// microsecond.
func splTimeNanos(v event.Value) (int64, bool) {
	if !single(v) {
		return 0, false
	}
	if ns, ok := v.Nanos(); ok {
		return ns, true
	}
	if s, ok := v.Str(); ok {
		if ns, ok := parseEpochText(strings.TrimSpace(s)); ok {
			return ns, true
		}
	}
	n, ok := looseNum(v)
	if !ok {
		return 0, false
	}
	if n.isInt {
		if n.i > math.MaxInt64/1_000_000_000 || n.i < math.MinInt64/1_000_000_000 {
			return 0, false
		}
		return n.i * 1e9, true
	}
	sec := math.Floor(n.f)
	if math.IsNaN(sec) || sec > math.MaxInt64/1e9 || sec < math.MinInt64/1e9 {
		return 0, false
	}
	return int64(sec)*1e9 + int64(math.Round((n.f-sec)*1e6))*1e3, true
}

// parseEpochText reads "1710498645" or "1710498645.25" exactly.
func parseEpochText(s string) (int64, bool) {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || sec > math.MaxInt64/1_000_000_000-1 || sec < math.MinInt64/1_000_000_000+1 {
		return 0, false
	}
	var ns int64
	if hasFrac {
		if frac == "" || len(frac) > 9 {
			return 0, false
		}
		for i := 0; i < 9; i++ {
			ns *= 10
			if i < len(frac) {
				if !isDigit(frac[i]) {
					return 0, false
				}
				ns += int64(frac[i] - '0')
			}
		}
	}
	if strings.HasPrefix(intPart, "-") {
		return sec*1e9 - ns, true
	}
	return sec*1e9 + ns, true
}

// epochValue returns Unix nanoseconds as epoch seconds: a long when whole.
func epochValue(ns int64) event.Value {
	if ns%1e9 == 0 {
		return event.LongValue(ns / 1e9)
	}
	return event.DoubleValue(float64(ns) / 1e9)
}

func splStrftime(_ *Context, a []event.Value) event.Value {
	ns, ok := splTimeNanos(a[0])
	if !ok || !single(a[1]) {
		return event.NullValue
	}
	return event.StringValue(string(timefmt.AppendStrftime(nil, time.Unix(0, ns), splText(a[1]))))
}

func splStrptime(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	ns, err := timefmt.Strptime(splText(a[0]), splText(a[1]))
	if err != nil {
		return event.NullValue
	}
	return epochValue(ns)
}

// splRelativeTime is relative_time(time, spec): "-1d@d", "+2h", "@w1".
// A date-time gives a date-time; epoch seconds give epoch seconds.
func splRelativeTime(_ *Context, a []event.Value) event.Value {
	ns, ok := splTimeNanos(a[0])
	if !ok || !single(a[1]) {
		return event.NullValue
	}
	r, err := timefmt.RelativeTime(ns, splText(a[1]))
	if err != nil {
		return event.NullValue
	}
	if a[0].Kind() == event.Time {
		return event.TimeNanos(r)
	}
	return epochValue(r)
}

// splBin is bin(value, span): the value floored to the span. A date-time
// stays a date-time and epoch seconds stay seconds. The span is a span
// literal (a long of nanoseconds), span text ("5m", "1mon"), or a double
// for a plain numeric bin.
func splBin(_ *Context, a []event.Value) event.Value {
	v, span := a[0], a[1]
	if !single(v) || !single(span) {
		return event.NullValue
	}
	if f, ok := span.Double(); ok {
		n, ok := looseNum(v)
		if !ok || f <= 0 {
			return event.NullValue
		}
		return looseFloat(math.Floor(n.float()/f) * f)
	}
	months, d, ok := spanArg(span)
	if !ok {
		return event.NullValue
	}
	if ns, isTime := v.Nanos(); isTime {
		return timeOrNull(timefmt.Trunc(ns, months, d))
	}
	ns, ok := splTimeNanos(v)
	if !ok {
		return event.NullValue
	}
	floor, ok := timefmt.Trunc(ns, months, d)
	if !ok {
		return event.NullValue
	}
	return epochValue(floor)
}

// looseFloat returns an integral float as a long, otherwise a double.
func looseFloat(f float64) event.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return event.LongValue(int64(f))
	}
	return finite(f)
}

func splRound(_ *Context, a []event.Value) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	n, ok := looseNum(a[0])
	if !ok {
		return event.NullValue
	}
	d := int64(0)
	if len(a) == 2 {
		if d, ok = looseInt(a[1]); !ok {
			return event.NullValue
		}
	}
	if n.isInt {
		return roundLong(n.i, d)
	}
	r := roundHalfAway(n.f, int(max(-400, min(d, 400))))
	if d <= 0 {
		return looseFloat(r)
	}
	return event.DoubleValue(r)
}

// splMath1 applies f to a loose number; integral results are longs.
func splMath1(f func(float64) float64) *Func {
	return &Func{MinArgs: 1, MaxArgs: 1, Eval: func(_ *Context, a []event.Value) event.Value {
		if !single(a[0]) {
			return event.NullValue
		}
		n, ok := looseNum(a[0])
		if !ok {
			return event.NullValue
		}
		return looseFloat(f(n.float()))
	}}
}

func splMath2(a []event.Value, f func(x, y float64) float64) event.Value {
	if anyNullOrMulti(a) {
		return event.NullValue
	}
	x, ok1 := looseNum(a[0])
	y, ok2 := looseNum(a[1])
	if !ok1 || !ok2 {
		return event.NullValue
	}
	return looseFloat(f(x.float(), y.float()))
}

// splExtreme is min()/max() over all values of the arguments: numeric
// when every value reads as a number, else by text. Nulls are skipped.
func splExtreme(args []event.Value, dir int) event.Value {
	var vals []event.Value
	allNum := true
	for _, a := range args {
		for _, v := range a.Values() {
			if _, ok := looseNum(v); !ok {
				allNum = false
			}
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return event.NullValue
	}
	best := vals[0]
	for _, v := range vals[1:] {
		var c int
		if allNum {
			x, _ := looseNum(v)
			y, _ := looseNum(best)
			c = cmpNum(x, y)
		} else {
			c = strings.Compare(splText(v), splText(best))
		}
		if c*dir > 0 {
			best = v
		}
	}
	if allNum && best.Kind() == event.String {
		n, _ := looseNum(best)
		return n.value()
	}
	return best
}
