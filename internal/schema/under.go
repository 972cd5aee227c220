package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// DocumentUnder is Document restricted to the fields whose names start
// with prefix, for a wildcard that names a subtree ("requestParameters.*"):
// only that part of the record is walked when the prefix ends at an
// object's key. The values do not alias the event.
func DocumentUnder(v View, ev *event.Event, prefix string) map[string]event.Value {
	if prefix == "" || strings.Contains(prefix, "{}") {
		return filterPrefix(Document(v, ev), prefix)
	}
	out := map[string]event.Value{}
	if (v == Raw || v == Paths) && ev.Doc != nil {
		// Walk from the deepest object the prefix names whole.
		base := ""
		if i := strings.LastIndexByte(prefix, '.'); i >= 0 {
			base = prefix[:i]
		}
		root := ev.Doc
		if base != "" {
			root = ev.Doc.Get(strings.Split(base, ".")...)
		}
		if root != nil {
			sub := map[string]event.Value{}
			flattenFrom(base, root, sub)
			for k, val := range sub {
				if strings.HasPrefix(k, prefix) {
					out[k] = val
				}
			}
		}
	}
	for _, name := range Fields(v, ev.LogType) {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		g, _ := Resolve(v, ev.LogType, name)
		if val := g(ev); !val.IsNull() {
			out[name] = val
		}
	}
	return out
}

func filterPrefix(doc map[string]event.Value, prefix string) map[string]event.Value {
	for k := range doc {
		if !strings.HasPrefix(k, prefix) {
			delete(doc, k)
		}
	}
	return doc
}
