package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The parser below reads the text format back, strictly enough that a
// writer bug (bad escaping, a sample before its TYPE, buckets that are not
// cumulative) fails the tests that use it.

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

type parsedFamily struct {
	help, typ string
	samples   []sample
}

func parseText(text string) (map[string]*parsedFamily, []string, error) {
	fams := map[string]*parsedFamily{}
	var order []string
	var cur *parsedFamily
	var curName string
	// Split on \n only: a \r is content, not part of a line ending.
	ln := 0
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		ln++
		if text == "" {
			break
		}
		switch {
		case strings.HasPrefix(line, "# HELP "):
			rest := line[len("# HELP "):]
			name, help, _ := strings.Cut(rest, " ")
			if _, dup := fams[name]; dup {
				return nil, nil, fmt.Errorf("line %d: family %s appears twice", ln, name)
			}
			h, err := unescape(help, false)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", ln, err)
			}
			cur, curName = &parsedFamily{help: h}, name
			fams[name] = cur
			order = append(order, name)
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, _ := strings.Cut(line[len("# TYPE "):], " ")
			if cur == nil || name != curName || cur.typ != "" {
				return nil, nil, fmt.Errorf("line %d: TYPE of %s not right after its HELP", ln, name)
			}
			switch typ {
			case "counter", "gauge", "histogram":
			default:
				return nil, nil, fmt.Errorf("line %d: unknown type %q", ln, typ)
			}
			cur.typ = typ
		case line == "" || strings.HasPrefix(line, "#"):
			return nil, nil, fmt.Errorf("line %d: unexpected %q", ln, line)
		default:
			s, err := parseSample(line)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", ln, err)
			}
			if cur == nil || cur.typ == "" {
				return nil, nil, fmt.Errorf("line %d: sample before TYPE", ln)
			}
			ok := s.name == curName
			if cur.typ == "histogram" {
				ok = s.name == curName+"_bucket" || s.name == curName+"_sum" || s.name == curName+"_count"
			}
			if !ok {
				return nil, nil, fmt.Errorf("line %d: sample %s outside its family %s", ln, s.name, curName)
			}
			cur.samples = append(cur.samples, s)
		}
	}
	for name, f := range fams {
		if f.typ == "histogram" {
			if err := checkHistogram(f); err != nil {
				return nil, nil, fmt.Errorf("histogram %s: %w", name, err)
			}
		}
	}
	return fams, order, nil
}

func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, fmt.Errorf("no value in %q", line)
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.Index(rest, `="`)
			if eq <= 0 {
				return s, fmt.Errorf("bad label in %q", line)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			// Find the closing quote that is not escaped.
			end := -1
			for j := 0; j < len(rest); j++ {
				if rest[j] == '\\' {
					j++
					continue
				}
				if rest[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				return s, fmt.Errorf("unterminated label value in %q", line)
			}
			v, err := unescape(rest[:end], true)
			if err != nil {
				return s, err
			}
			if _, dup := s.labels[name]; dup {
				return s, fmt.Errorf("label %s twice", name)
			}
			s.labels[name] = v
			rest = rest[end+1:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			} else if !strings.HasPrefix(rest, "}") {
				return s, fmt.Errorf("expected , or } in %q", line)
			}
		}
	}
	if !strings.HasPrefix(rest, " ") {
		return s, fmt.Errorf("no space before value in %q", line)
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil {
		return s, fmt.Errorf("bad value in %q: %w", line, err)
	}
	s.value = v
	return s, nil
}

func unescape(s string, quote bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || quote && c == '"' {
			return "", fmt.Errorf("unescaped %q in %q", c, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("trailing backslash in %q", s)
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case '"':
			b.WriteByte('"')
		default:
			return "", fmt.Errorf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String(), nil
}

// checkHistogram checks, per label set, that buckets rise, end with +Inf,
// and that _count equals the +Inf bucket.
func checkHistogram(f *parsedFamily) error {
	type series struct {
		lastLE   float64
		lastN    float64
		inf      float64
		hasInf   bool
		count    float64
		hasCount bool
	}
	key := func(s sample) string {
		var parts []string
		for k, v := range s.labels {
			if k != "le" {
				parts = append(parts, k+"="+v)
			}
		}
		sortStrings(parts)
		return strings.Join(parts, ",")
	}
	all := map[string]*series{}
	for _, s := range f.samples {
		k := key(s)
		se := all[k]
		if se == nil {
			se = &series{lastLE: math.Inf(-1)}
			all[k] = se
		}
		switch {
		case strings.HasSuffix(s.name, "_bucket"):
			le, err := strconv.ParseFloat(s.labels["le"], 64)
			if err != nil {
				return fmt.Errorf("bad le %q", s.labels["le"])
			}
			if le <= se.lastLE || s.value < se.lastN {
				return fmt.Errorf("buckets not increasing at le=%v", le)
			}
			se.lastLE, se.lastN = le, s.value
			if math.IsInf(le, 1) {
				se.inf, se.hasInf = s.value, true
			}
		case strings.HasSuffix(s.name, "_count"):
			se.count, se.hasCount = s.value, true
		}
	}
	for k, se := range all {
		if !se.hasInf || !se.hasCount || se.inf != se.count {
			return fmt.Errorf("series {%s}: +Inf bucket %v (present %v) vs count %v (present %v)", k, se.inf, se.hasInf, se.count, se.hasCount)
		}
	}
	return nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
