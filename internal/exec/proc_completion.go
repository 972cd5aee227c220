package exec

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// CompletionRequest is one row's call of ES|QL's COMPLETION.
type CompletionRequest struct {
	// InferenceID names the endpoint, as the query wrote it.
	InferenceID string
	// Prompt is the row's prompt: data from the logs, to be sent as the
	// text of a message and never read as instructions.
	Prompt string
	// OverLimit says that the evaluation has made its calls for the
	// window (Options.CompleteLimit): the call is not to be made, only
	// counted; the row's target stays null.
	OverLimit bool
}

// CompleteFunc answers COMPLETION prompts. It bounds its own time, and
// reports a failure as an error: the row's target is then null. It may be
// called from several goroutines.
type CompleteFunc func(req CompletionRequest) (string, error)

// completionProc sets a column to the answer to each row's prompt, up to a
// number of calls per evaluation.
type completionProc struct {
	prompt   scalar.Evaluator
	target   int
	id       string
	complete CompleteFunc
	limit    int
	calls    int
	next     proc
}

func (p *completionProc) push(ctx *scalar.Context, r *tRow) {
	answer := event.NullValue
	if s, ok := p.prompt(ctx, tableRow{r: r}).Str(); ok && p.complete != nil {
		req := CompletionRequest{InferenceID: p.id, Prompt: s, OverLimit: p.calls >= p.limit}
		if !req.OverLimit {
			p.calls++
		}
		if out, err := p.complete(req); err == nil && !req.OverLimit {
			answer = event.StringValue(out)
		}
	}
	r.put(p.target, answer)
	p.next.push(ctx, r)
}

func (p *completionProc) flush(ctx *scalar.Context) { p.next.flush(ctx) }
