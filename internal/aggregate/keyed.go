package aggregate

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// keyed is ES|QL's FIRST(value, sort) and LAST(value, sort): the value of
// the row with the least (FIRST) or greatest (LAST) sort key, multi-valued
// as that row had it. Rows come packed by scalar.Keyed (a value that is
// not is skipped). A row with a null value is skipped, as FIRST and LAST
// skip nulls where ALL_FIRST and ALL_LAST do not; a multi-valued key
// counts as its least value for FIRST and its greatest for LAST; a row
// without a key ranks after every row with one (nulls sort last). Rows
// that tie may give any of their values in ES|QL: here the value that
// sorts first wins, so that the result does not depend on the order in
// which panes merge.
type keyed struct {
	last         bool
	have, hasKey bool
	key, v       event.Value
}

func newKeyed(last bool) func(bool, event.Value) State {
	return func(bool, event.Value) State { return &keyed{last: last} }
}

// rank compares two candidate rows: < 0 when a wins over b.
func (k *keyed) rank(aHas bool, aKey, aV event.Value, bHas bool, bKey, bV event.Value) int {
	switch {
	case aHas != bHas:
		if aHas {
			return -1
		}
		return 1
	case aHas:
		c := event.Order(aKey, bKey)
		if k.last {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return event.Order(aV, bV)
}

func (k *keyed) offer(hasKey bool, key, v event.Value) {
	if !k.have || k.rank(hasKey, key, v, k.hasKey, k.key, k.v) < 0 {
		k.have, k.hasKey, k.key, k.v = true, hasKey, key, v
	}
}

func (k *keyed) Add(p event.Value, _ int64) {
	keys, v, ok := scalar.SplitKeyed(p)
	if !ok {
		return
	}
	var key event.Value
	for i, e := range keys {
		c := event.Order(e, key)
		if i == 0 || (k.last && c > 0) || (!k.last && c < 0) {
			key = e
		}
	}
	k.offer(len(keys) > 0, key, v)
}

func (k *keyed) Merge(o State) {
	if x := o.(*keyed); x.have {
		k.offer(x.hasKey, x.key, x.v)
	}
}

// Sub takes a pane back when its row ranks strictly behind the state's:
// the state's row then came from another pane.
func (k *keyed) Sub(o State) bool {
	x := o.(*keyed)
	if !x.have {
		return true
	}
	return k.have && k.rank(x.hasKey, x.key, x.v, k.hasKey, k.key, k.v) > 0
}

func (k *keyed) Result() event.Value { return k.v }

func (k *keyed) Encode(e *Encoder) {
	e.Bool(k.have)
	e.Bool(k.hasKey)
	e.Value(k.key)
	e.Value(k.v)
}

func (k *keyed) Decode(d *Decoder) {
	k.have, k.hasKey = d.Bool(), d.Bool()
	k.key, k.v = d.Value(), d.Value()
}
