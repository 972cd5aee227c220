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
type Sequence struct {
	By      []Expr
	MaxSpan time.Duration
	Steps   []SeqStep
	Until   *SeqStep
}

// SeqStep is one step of a sequence: its condition (nil: every event),
// its own join keys, and how many times it repeats in a row.
type SeqStep struct {
	Cond Expr
	By   []Expr
	Runs int
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

// String prints a step as [cond] by keys runs=N.
func (st *SeqStep) String() string {
	c := "true"
	if st.Cond != nil {
		c = st.Cond.String()
	}
	s := "[" + c + "]"
	if len(st.By) > 0 {
		s += " by " + joinExprs(st.By)
	}
	if st.Runs > 1 {
		s += " runs=" + strconv.Itoa(st.Runs)
	}
	return s
}
