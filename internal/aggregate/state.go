package aggregate

import (
	"github.com/tripline/tripline/internal/event"
)

// State is the mergeable state of one aggregate for one group: a pane's
// state takes rows, a window's merges the states of its panes. A state is
// used by one goroutine at a time.
type State interface {
	// Add folds in one row: its argument value (null for the rows of
	// count(*)) and its event time in Unix nanoseconds.
	Add(v event.Value, t int64)
	// Merge folds in a state of the same aggregate; o is not changed and
	// may go on being used.
	Merge(o State)
	// Sub takes back a state that was merged in before, so that a sliding
	// window can drop the pane that leaves it. It reports false, changing
	// nothing, when the aggregate cannot be taken back exactly (min, max, a
	// sum of doubles): the caller then merges the remaining panes again.
	Sub(o State) bool
	// Result returns the aggregate's value; the state may go on taking
	// rows and states afterwards.
	Result() event.Value
	// Encode writes the state for a snapshot; Decode reads what Encode
	// wrote into a fresh state of the same aggregate.
	Encode(e *Encoder)
	Decode(d *Decoder)
}
