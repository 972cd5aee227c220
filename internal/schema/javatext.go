package schema

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/tripline/tripline/internal/event"
)

// javaText renders a JSON object as Elastic's aws.cloudtrail pipeline
// stores aws.cloudtrail.request_parameters and its siblings: the Painless
// map's toString() after the pipeline dropped null and empty values,
// {key=value, other={nested=1}, list=[a, b]}, keys in the order a Java
// HashMap iterates them.
// Rules match this text (stringContains(..., "policyArn=arn:aws:...")).
func javaText(name string) Getter {
	keys := event.SplitPath(name)
	slot := event.MemoSlot("javatext " + name)
	return func(ev *event.Event) event.Value {
		if v, ok := ev.Memo.Get(slot); ok {
			return v
		}
		var v event.Value
		if s := ev.RawJSON(keys); s != "" && s != "null" {
			if t, ok := renderJava(s); ok {
				v = event.StringValue(t)
			}
		}
		ev.Memo.Put(slot, v)
		return v
	}
}

// renderJava renders JSON text as Java's toString of the decoded value;
// false when nothing is left once empty values are dropped.
func renderJava(s string) (string, bool) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var b strings.Builder
	ok, err := writeJava(d, &b)
	if err != nil || !ok {
		return "", false
	}
	return b.String(), true
}

// writeJava writes the next JSON value; it reports false (and writes
// nothing) for a value the pipeline drops: null, "", and objects and
// arrays left empty.
func writeJava(d *json.Decoder, b *strings.Builder) (bool, error) {
	tok, err := d.Token()
	if err != nil {
		return false, err
	}
	switch t := tok.(type) {
	case nil:
		return false, nil
	case string:
		if t == "" {
			return false, nil
		}
		b.WriteString(t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Delim:
		open, close := "{", "}"
		if t == '[' {
			open, close = "[", "]"
		}
		type item struct {
			key, text string
		}
		var items []item
		keys := 0
		for d.More() {
			var it strings.Builder
			key := ""
			if t == '{' {
				k, err := d.Token()
				if err != nil {
					return false, err
				}
				key, _ = k.(string)
				keys++
				it.WriteString(key)
				it.WriteByte('=')
			}
			ok, err := writeJava(d, &it)
			if err != nil {
				return false, err
			}
			if ok {
				items = append(items, item{key, it.String()})
			}
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return false, err
		}
		if len(items) == 0 {
			return false, nil
		}
		if t == '{' {
			// The pipeline's maps are Java HashMaps: they iterate in the
			// order of their hash buckets, and in insertion order within
			// one. The table has room for all the keys parsed, the
			// dropped ones included.
			mask := javaHashCapacity(keys) - 1
			sort.SliceStable(items, func(i, j int) bool {
				return javaBucket(items[i].key, mask) < javaBucket(items[j].key, mask)
			})
		}
		b.WriteString(open)
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(it.text)
		}
		b.WriteString(close)
	}
	return true, nil
}

// javaHashCapacity is the table size of a java.util.HashMap of default
// capacity after n insertions: 16, doubled whenever n passes 3/4 of it.
func javaHashCapacity(n int) uint32 {
	c := uint32(16)
	for uint32(n)*4 > c*3 {
		c *= 2
	}
	return c
}

// javaBucket is the bucket of key in a java.util.HashMap whose table size
// is mask+1: String.hashCode over UTF-16 code units, spread by
// h ^ (h >>> 16).
func javaBucket(key string, mask uint32) uint32 {
	var h uint32
	for _, r := range key {
		if r < 0x10000 {
			h = 31*h + uint32(r)
			continue
		}
		r1, r2 := utf16.EncodeRune(r)
		h = 31*h + uint32(r1)
		h = 31*h + uint32(r2)
	}
	return (h ^ h>>16) & mask
}
