package aggregate

import (
	"github.com/tripline/tripline/internal/event"
)

// countRows counts rows: count(*), and SPL's bare count.
type countRows struct{ n int64 }

func (c *countRows) Add(event.Value, int64) { c.n++ }
func (c *countRows) Merge(o State)          { c.n += o.(*countRows).n }
func (c *countRows) Sub(o State) bool       { c.n -= o.(*countRows).n; return true }
func (c *countRows) Result() event.Value    { return event.LongValue(c.n) }

func (c *countRows) Encode(e *Encoder) { e.Varint(c.n) }
func (c *countRows) Decode(d *Decoder) { c.n = d.Varint() }

// countValues counts non-null values: ES|QL counts every value of a
// multi-value, Splunk counts events that have the field.
type countValues struct {
	n        int64
	perValue bool
}

func (c *countValues) Add(v event.Value, _ int64) {
	if v.IsNull() {
		return
	}
	if c.perValue {
		c.n += int64(v.Len())
		return
	}
	c.n++
}
func (c *countValues) Merge(o State)       { c.n += o.(*countValues).n }
func (c *countValues) Sub(o State) bool    { c.n -= o.(*countValues).n; return true }
func (c *countValues) Result() event.Value { return event.LongValue(c.n) }

func (c *countValues) Encode(e *Encoder) { e.Varint(c.n) }
func (c *countValues) Decode(d *Decoder) { c.n = d.Varint() }
