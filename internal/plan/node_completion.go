package plan

import "strconv"

// Completion sends, for each row, the text of Prompt to the inference
// endpoint named InferenceID and sets the column Target to the answer
// (ES|QL's COMPLETION command). The prompt is data: it is sent as the
// text of a message, never read as instructions by tripline. A row whose
// call fails, or that is past the endpoint's limits, gets a null Target.
type Completion struct {
	Target      string
	Prompt      Expr
	InferenceID string
}

func (*Completion) node() {}

// String implements Node.
func (c *Completion) String() string {
	return "completion " + QuoteName(c.Target) + " = " + c.Prompt.String() +
		" with {\"inference_id\": " + strconv.Quote(c.InferenceID) + "}"
}
