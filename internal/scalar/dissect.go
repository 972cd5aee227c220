package scalar

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// Dissector is a compiled dissect pattern (ES|QL DISSECT, Elastic's
// dissect processor): keys %{name} separated by literal delimiters, with
// the modifiers %{+name} (append), %{+name/n} (append in order n),
// %{?name} and %{} (skip), and a trailing -> (skip repeated delimiters
// to the right). Reference keys (%{*k} %{&k}) are not supported. A
// Dissector is safe for concurrent use.
type Dissector struct {
	leading   string
	pairs     []dissectPair
	names     []string
	appendSep string
	hasAppend bool
}

type dissectPair struct {
	delim  string // the delimiter after the key; "" for a last key
	slot   int    // index in names; -1 for a skipped key
	pad    bool   // "->": skip repeated delimiters
	append bool
	order  int // append order: explicit /n, or implicit (negative, increasing)
}

// CompileDissect compiles a dissect pattern; appendSep joins the parts of
// appended keys.
func CompileDissect(pattern, appendSep string) (*Dissector, error) {
	d, err := compileDissect(pattern, appendSep)
	if err != nil {
		return nil, fmt.Errorf("invalid dissect pattern %q: %w", pattern, err)
	}
	return d, nil
}

type dissectKey struct {
	name                 string
	skip, pad, appendKey bool
	order                int
	ordered              bool
}

func compileDissect(pattern, appendSep string) (*Dissector, error) {
	start := strings.Index(pattern, "%{")
	if start < 0 {
		return nil, errors.New("no %{key} found")
	}
	d := &Dissector{leading: pattern[:start], appendSep: appendSep}
	var keys []dissectKey
	var delims []string
	rest := pattern[start:]
	for rest != "" {
		// rest starts with "%{"
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, errors.New("unterminated %{")
		}
		k, err := parseDissectKey(rest[2:end])
		if err != nil {
			return nil, err
		}
		rest = rest[end+1:]
		next := strings.Index(rest, "%{")
		delim := rest
		if next >= 0 {
			delim, rest = rest[:next], rest[next:]
			if delim == "" {
				return nil, fmt.Errorf("key %q must be followed by a delimiter before the next key", k.name)
			}
		} else {
			rest = ""
		}
		keys = append(keys, k)
		delims = append(delims, delim)
	}
	appendNames := map[string]bool{}
	for _, k := range keys {
		if k.appendKey {
			appendNames[k.name] = true
		}
	}
	slots := map[string]int{}
	implicit := -1000
	for i, k := range keys {
		p := dissectPair{delim: delims[i], slot: -1, pad: k.pad}
		if !k.skip {
			slot, ok := slots[k.name]
			if !ok {
				slot = len(d.names)
				slots[k.name] = slot
				d.names = append(d.names, k.name)
			}
			p.slot = slot
			if appendNames[k.name] {
				p.append, d.hasAppend = true, true
				if k.ordered {
					p.order = k.order
				} else {
					p.order = implicit
					implicit++
				}
			}
		}
		d.pairs = append(d.pairs, p)
	}
	if len(d.names) == 0 {
		return nil, errors.New("no named keys")
	}
	return d, nil
}

func parseDissectKey(s string) (dissectKey, error) {
	var k dissectKey
	if strings.HasSuffix(s, "->") {
		k.pad = true
		s = s[:len(s)-2]
	}
	if s != "" {
		switch s[0] {
		case '+':
			k.appendKey = true
			s = s[1:]
			if i := strings.LastIndexByte(s, '/'); i >= 0 {
				n, err := strconv.Atoi(s[i+1:])
				if err != nil || n < 0 || n > 32767 {
					return k, fmt.Errorf("invalid append order in key %q", s)
				}
				k.order, k.ordered = n, true
				s = s[:i]
			}
		case '?':
			k.skip = true
			s = s[1:]
		case '*', '&':
			return k, fmt.Errorf("reference keys (%%{%s}) are not supported", s)
		}
	}
	if !k.skip && !k.appendKey && strings.Count(s, "?") == 1 && !strings.ContainsAny(s, "+*&/") && !strings.Contains(s, "->") {
		// Elasticsearch finds a key's modifier anywhere in it, not only
		// in front: %{{?name} is a named skip, as Elastic's rules write a
		// skip after a literal brace.
		k.skip = true
		s = strings.Replace(s, "?", "", 1)
	}
	if strings.ContainsAny(s, "+*&?/") || strings.Contains(s, "->") {
		return k, fmt.Errorf("invalid key %q: only one leading modifier is allowed", s)
	}
	if s == "" {
		if k.appendKey {
			return k, errors.New("an append key needs a name")
		}
		k.skip = true
	}
	k.name = s
	return k, nil
}

// Names returns the names of the columns the pattern produces, in order of
// first appearance; skipped keys are not included.
func (d *Dissector) Names() []string { return append([]string(nil), d.names...) }

type dissectPart struct {
	order int
	s     string
}

// Parse dissects s into dst, which must have len(Names()) elements. It
// reports whether s matched; when it did not, dst is all nulls. Like
// Elastic's parser, the search for each delimiter is leftmost, repeated
// delimiters give empty values unless the key has "->", the last key takes
// the rest of s, and text after a trailing delimiter is ignored.
func (d *Dissector) Parse(s string, dst []event.Value) bool {
	if len(dst) != len(d.names) {
		panic("BUG: Dissector.Parse needs one destination per name")
	}
	for i := range dst {
		dst[i] = event.NullValue
	}
	if len(s) <= len(d.leading) || !strings.HasPrefix(s, d.leading) {
		return false
	}
	var parts [][]dissectPart
	if d.hasAppend {
		parts = make([][]dissectPart, len(d.names))
	}
	record := func(cur int, v string) {
		p := d.pairs[cur]
		switch {
		case p.slot < 0:
		case p.append:
			parts[p.slot] = append(parts[p.slot], dissectPart{p.order, v})
		default:
			dst[p.slot] = event.StringValue(v)
		}
	}
	matched, cur := 0, 0
	delim := d.pairs[0].delim
	i := len(d.leading)
	valueStart := i
	for i < len(s) {
		if delim == "" || !strings.HasPrefix(s[i:], delim) {
			i++
			continue
		}
		record(cur, s[valueStart:i])
		matched++
		i += len(delim)
		// Repeated delimiters: empty values for the next keys, unless
		// the key skips its right padding. The delimiter searched for
		// stays the one just found, as in Elastic's parser.
		for i < len(s) && strings.HasPrefix(s[i:], delim) {
			i += len(delim)
			if d.pairs[cur].pad {
				continue
			}
			if cur+1 == len(d.pairs) {
				break
			}
			cur++
			record(cur, "")
			matched++
		}
		if cur+1 == len(d.pairs) {
			break
		}
		cur++
		delim = d.pairs[cur].delim
		valueStart = i
	}
	if matched < len(d.pairs) && delim == "" {
		record(cur, s[valueStart:])
		matched++
	}
	if matched != len(d.pairs) {
		for i := range dst {
			dst[i] = event.NullValue
		}
		return false
	}
	for slot, ps := range parts {
		if len(ps) == 0 {
			continue
		}
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].order < ps[b].order })
		var b strings.Builder
		for j, p := range ps {
			if j > 0 {
				b.WriteString(d.appendSep)
			}
			b.WriteString(p.s)
		}
		dst[slot] = event.StringValue(b.String())
	}
	return true
}
