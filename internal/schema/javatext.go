package schema

import (
	"encoding/json"
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// javaText renders a JSON object as Elastic's aws.cloudtrail pipeline
// stores aws.cloudtrail.request_parameters and its siblings: the Painless
// map's toString() after the pipeline dropped null and empty values,
// {key=value, other={nested=1}, list=[a, b]}, keys in the record's order.
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
		var inner strings.Builder
		n := 0
		for d.More() {
			var item strings.Builder
			if t == '{' {
				k, err := d.Token()
				if err != nil {
					return false, err
				}
				key, _ := k.(string)
				item.WriteString(key)
				item.WriteByte('=')
			}
			ok, err := writeJava(d, &item)
			if err != nil {
				return false, err
			}
			if !ok {
				continue
			}
			if n > 0 {
				inner.WriteString(", ")
			}
			inner.WriteString(item.String())
			n++
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return false, err
		}
		if n == 0 {
			return false, nil
		}
		b.WriteString(open)
		b.WriteString(inner.String())
		b.WriteString(close)
	}
	return true, nil
}
