package sigma

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// matchKind is how a field's values are compared.
type matchKind uint8

const (
	matchValue matchKind = iota // whole value, wildcards
	matchRegex
	matchCIDR
	matchCompare // gt, gte, lt, lte
	matchExists
	matchFieldRef
)

// spec is a field's modifiers, read in order.
type spec struct {
	kind     matchKind
	op       string // for matchCompare
	all      bool
	cased    bool
	reFlags  string
	wrap     func(string) string // contains, startswith, endswith
	encoders []func([]string) []string
	expand   bool
}

// fieldCond plans "field|modifiers: values".
func (p *parser) fieldCond(k, v *yaml.Node) (plan.Expr, error) {
	parts := strings.Split(k.Value, "|")
	field := parts[0]
	if field == "" {
		return nil, p.errAt(k, "a field name is needed before its modifiers")
	}
	var s spec
	for _, m := range parts[1:] {
		switch strings.ToLower(m) {
		case "contains":
			s.wrap = func(x string) string { return "*" + x + "*" }
		case "startswith":
			s.wrap = func(x string) string { return x + "*" }
		case "endswith":
			s.wrap = func(x string) string { return "*" + x }
		case "all":
			s.all = true
		case "cased":
			s.cased = true
		case "re":
			s.kind = matchRegex
		case "i", "m", "s":
			if s.kind != matchRegex {
				return nil, p.errAt(k, "modifier %q follows re", m)
			}
			s.reFlags += strings.ToLower(m)
		case "cidr":
			s.kind = matchCIDR
		case "gt", "gte", "lt", "lte":
			s.kind, s.op = matchCompare, map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[strings.ToLower(m)]
		case "exists":
			s.kind = matchExists
		case "fieldref":
			s.kind = matchFieldRef
		case "base64":
			s.encoders = append(s.encoders, each(func(x string) string { return base64.StdEncoding.EncodeToString([]byte(x)) }))
		case "base64offset":
			s.encoders = append(s.encoders, base64Offsets)
		case "wide", "utf16le":
			s.encoders = append(s.encoders, each(func(x string) string { return utf16Text(x, false, false) }))
		case "utf16be":
			s.encoders = append(s.encoders, each(func(x string) string { return utf16Text(x, true, false) }))
		case "utf16":
			s.encoders = append(s.encoders, each(func(x string) string { return utf16Text(x, false, true) }))
		case "windash":
			s.encoders = append(s.encoders, windash)
		case "expand":
			s.expand = true
		default:
			return nil, p.errAt(k, "unknown value modifier %q", m)
		}
	}
	var values []*yaml.Node
	switch v.Kind {
	case yaml.SequenceNode:
		values = v.Content
	case yaml.ScalarNode:
		values = []*yaml.Node{v}
	default:
		return nil, p.errAt(v, "a field's value is a scalar or a list of scalars")
	}
	if len(values) == 0 {
		return nil, p.errAt(v, "an empty list of values matches nothing")
	}
	if s.expand {
		var err error
		if values, err = p.expand(k, values); err != nil {
			return nil, err
		}
	}
	var out plan.Expr
	for _, n := range values {
		if n.Kind != yaml.ScalarNode {
			return nil, p.errAt(n, "a field's values are scalars")
		}
		e, err := p.valueCond(field, s, n)
		if err != nil {
			return nil, err
		}
		if s.all {
			out = and(out, e)
		} else {
			out = or(out, e)
		}
	}
	return out, nil
}

var placeholder = regexp.MustCompile(`%([^%\s]+)%`)

// expand replaces the %name% placeholders of values by each of the values
// the options give for name: a value with two placeholders stands for
// every combination of theirs.
func (p *parser) expand(k *yaml.Node, values []*yaml.Node) ([]*yaml.Node, error) {
	var out []*yaml.Node
	for _, n := range values {
		if n.Kind != yaml.ScalarNode {
			return nil, p.errAt(n, "a field's values are scalars")
		}
		texts := []string{n.Value}
		for _, m := range placeholder.FindAllStringSubmatch(n.Value, -1) {
			name := m[1]
			vals, ok := p.opts.Placeholders[name]
			if !ok {
				return nil, p.errAt(k, "placeholder %%%s%% has no values: give them in a placeholders file (--sigma-placeholders), name: [values]", name)
			}
			if len(vals) == 0 {
				return nil, p.errAt(k, "placeholder %%%s%% is given no values, so the selection would match nothing", name)
			}
			var next []string
			for _, t := range texts {
				for _, v := range vals {
					next = append(next, strings.Replace(t, m[0], v, 1))
				}
			}
			texts = next
			if len(texts) > maxExpanded {
				return nil, p.errAt(k, "placeholders expand to more than %d values", maxExpanded)
			}
		}
		for _, t := range texts {
			c := *n
			c.Value, c.Tag, c.Style = t, "!!str", 0
			out = append(out, &c)
		}
	}
	return out, nil
}

// maxExpanded bounds what one field's placeholders expand to.
const maxExpanded = 10000

// valueCond plans one value of a field.
func (p *parser) valueCond(field string, s spec, n *yaml.Node) (plan.Expr, error) {
	f := &plan.Field{Name: field}
	switch s.kind {
	case matchExists:
		want := strings.ToLower(n.Value)
		if want != "true" && want != "false" {
			return nil, p.errAt(n, "exists takes true or false")
		}
		return &plan.IsNull{X: f, Not: want == "true"}, nil
	case matchFieldRef:
		return &plan.Binary{Op: "==", L: f, R: &plan.Field{Name: n.Value}}, nil
	case matchCompare:
		return &plan.SearchCmp{Field: field, Op: s.op, Value: n.Value}, nil
	case matchCIDR:
		return &plan.Call{Name: "cidrmatch", Args: []plan.Expr{lit(n.Value), f}}, nil
	case matchRegex:
		expr := n.Value
		if s.reFlags != "" {
			expr = "(?" + s.reFlags + ")" + expr
		}
		if _, err := regexp.Compile(expr); err != nil {
			return nil, p.errAt(n, "bad regular expression: %v", err)
		}
		return &plan.Call{Name: "match", Args: []plan.Expr{f, lit(expr)}}, nil
	}
	if isNull(n) {
		return &plan.IsNull{X: f}, nil
	}
	pats := []string{n.Value}
	if len(s.encoders) > 0 {
		// Encoding works on the text itself, wildcards and all taken
		// literally.
		pats = []string{unescape(n.Value)}
		for _, enc := range s.encoders {
			pats = enc(pats)
		}
		for i := range pats {
			pats[i] = escape(pats[i])
		}
	}
	var out plan.Expr
	for _, pat := range pats {
		if s.wrap != nil {
			pat = s.wrap(pat)
		}
		out = or(out, patternCond(field, pat, s.cased))
	}
	return out, nil
}

func lit(s string) plan.Expr { return &plan.Literal{Value: event.StringValue(s)} }

// patternCond matches a whole value against a Sigma pattern: * and ?
// wildcards, \ escapes, without case unless cased. The common form (no ?,
// no escapes, no case) is a search comparison, which prefilters and
// indexes well; the rest become an anchored regular expression.
func patternCond(field, pat string, cased bool) plan.Expr {
	if !cased && !strings.ContainsAny(pat, `?\`) {
		return &plan.SearchCmp{Field: field, Op: "=", Value: pat}
	}
	var b strings.Builder
	b.WriteString("(?s")
	if !cased {
		b.WriteString("i")
	}
	b.WriteString(")^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat) && strings.IndexByte(`*?\`, pat[i+1]) >= 0:
			b.WriteString(regexp.QuoteMeta(pat[i+1 : i+2]))
			i++
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		}
	}
	b.WriteString("$")
	return &plan.Call{Name: "match", Args: []plan.Expr{&plan.Field{Name: field}, lit(b.String())}}
}

// unescape reads a Sigma value's text: \* \? \\ are the characters.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`*?\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escape writes text as a Sigma value that matches it literally.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)
	return r.Replace(s)
}

func each(f func(string) string) func([]string) []string {
	return func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = f(x)
		}
		return out
	}
}

// base64Offsets gives the three encodings of a text that appear inside a
// longer base64 text, whatever the text's offset in it: the characters
// that depend on neighbouring bytes are cut off.
func base64Offsets(xs []string) []string {
	var out []string
	for _, x := range xs {
		for i := 0; i < 3; i++ {
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, i), x...))
			start := []int{0, 2, 3}[i]
			end := len(enc) - []int{0, 3, 2}[(len(x)+i)%3]
			if start < end {
				out = append(out, enc[start:end])
			}
		}
	}
	return out
}

// utf16Text writes a text as UTF-16 code units, little or big endian,
// with a byte order mark when bom.
func utf16Text(s string, big, bom bool) string {
	var b []byte
	put := func(u uint16) {
		if big {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xfeff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return string(b)
}

// windash gives each text with its command-line dashes in the other
// spellings Windows accepts: -, /, en dash, em dash, horizontal bar.
func windash(xs []string) []string {
	var out []string
	for _, x := range xs {
		for _, d := range []string{"-", "/", "\u2013", "\u2014", "\u2015"} {
			out = append(out, dashes.ReplaceAllString(x, "${1}"+d))
		}
	}
	return out
}

var dashes = regexp.MustCompile(`(^|\s)[-/\x{2013}\x{2014}\x{2015}]`)
