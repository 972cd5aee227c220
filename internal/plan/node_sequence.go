package plan

import (
	"strconv"
	"strings"
	"time"
)

// Sequence is an ordered match of events: one event per step, in event
// time order, the steps' join keys (By, then each step's own By,
// positionally) equal, all within MaxSpan of the first (zero: no span
// but the rule's window). An event matching Until discards the partial
// matches of its key. It is the whole query after its From: each
// completed match is one result, with its events as evidence.
//
// A Missing step (EQL's ![...]) is an event that must not occur: with the
// same join key, strictly between the events of its neighbouring steps;
// before the first present step, within MaxSpan of the last; after the
// last present step, within MaxSpan of the first. Only present steps
// give events to a match, and a match with a trailing missing step is
// decided only once MaxSpan has passed.
type Sequence struct {
	By      []Expr
	MaxSpan time.Duration
	Steps   []SeqStep
	Until   *SeqStep
}

// SeqStep is one step of a sequence: its condition (nil: every event),
// its own join keys, how many times it repeats in a row, and whether it
// is an event that must not occur.
type SeqStep struct {
	Cond    Expr
	By      []Expr
	Runs    int
	Missing bool
}

func (*Sequence) node() {}

// String implements Node.
func (s *Sequence) String() string {
	var b strings.Builder
	b.WriteString("sequence")
	if len(s.By) > 0 {
		b.WriteString(" by ")
		b.WriteString(joinExprs(s.By))
	}
	if s.MaxSpan > 0 {
		b.WriteString(" maxspan=")
		b.WriteString(s.MaxSpan.String())
	}
	for _, st := range s.Steps {
		b.WriteString(" ")
		b.WriteString(st.String())
	}
	if s.Until != nil {
		b.WriteString(" until ")
		b.WriteString(s.Until.String())
	}
	return b.String()
}

// String prints a step as [cond] by keys runs=N, a missing one as
// ![cond] ...
func (st *SeqStep) String() string {
	c := "true"
	if st.Cond != nil {
		c = st.Cond.String()
	}
	s := "[" + c + "]"
	if st.Missing {
		s = "!" + s
	}
	if len(st.By) > 0 {
		s += " by " + joinExprs(st.By)
	}
	if st.Runs > 1 {
		s += " runs=" + strconv.Itoa(st.Runs)
	}
	return s
}
