package aggregate

import (
	"github.com/tripline/tripline/internal/event"
)

// list keeps values in arrival order, up to Splunk's 100.
type list struct{ vals []event.Value }

const listMax = 100

func (l *list) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) Merge(o State) {
	for _, e := range o.(*list).vals {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) Sub(State) bool      { return false }
func (l *list) Result() event.Value { return event.MultiValue(l.vals) }

func (l *list) Encode(e *Encoder) { e.Values(l.vals) }
func (l *list) Decode(d *Decoder) { l.vals = d.Values() }
