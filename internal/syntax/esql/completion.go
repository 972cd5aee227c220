package esql

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// completionTarget is the column COMPLETION writes when none is named.
const completionTarget = "completion"

// completion parses COMPLETION [target =] prompt WITH {"inference_id": "id"}
// (ES|QL reference, "COMPLETION"), and the earlier form COMPLETION prompt
// WITH id [AS target].
func (p *parser) completion() (plan.Node, *syntax.Error) {
	target, named, err := p.assignTarget()
	if err != nil {
		return nil, err
	}
	prompt, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !named {
		target = completionTarget
	}
	if !p.isKeyword("with") {
		return nil, p.unexpected("WITH and the inference endpoint")
	}
	p.advance()
	c := &plan.Completion{Target: target, Prompt: prompt}
	switch p.tok.kind {
	case tLBrace:
		opts, err := p.optionMap(0)
		if err != nil {
			return nil, err
		}
		for _, o := range opts.entries {
			if o.name != "inference_id" {
				return nil, p.errorSpan(o.nameSpan, "unknown COMPLETION option %s (known: inference_id)", clip(o.name))
			}
			id, ok := o.value.Str()
			if !ok || strings.TrimSpace(id) == "" || o.value.Kind() != event.String {
				return nil, p.errorSpan(o.valueSpan, "inference_id must be a non-empty string")
			}
			c.InferenceID = id
		}
		if c.InferenceID == "" {
			return nil, p.errorSpan(opts.span, "COMPLETION needs an \"inference_id\"")
		}
	case tIdent, tQuoted:
		c.InferenceID = p.tok.text
		p.advance()
		if p.isKeyword("as") {
			if named {
				return nil, p.errorf(p.tok, "the target column is named twice")
			}
			p.advance()
			name, _, err := p.qualifiedName()
			if err != nil {
				return nil, err
			}
			c.Target = name
		}
	default:
		return nil, p.unexpected("{\"inference_id\": ...} after WITH")
	}
	return c, nil
}
