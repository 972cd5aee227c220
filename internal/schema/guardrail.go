package schema

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/valyala/fastjson"
)

// guardrail is what Elastic's aws_bedrock pipeline derives from the
// guardrail traces of one invocation record's response body
// (output.outputBodyJson, one object or a list of stream chunks): the
// guardrails that assessed the input, and the policies, actions,
// confidences and violation codes of the assessments of the bodies where
// a guardrail intervened. Each list is sorted, each value once.
type guardrail struct {
	ids, policies, actions, confidences, codes []string
}

// violation reports what gen_ai.compliance.violation_detected and a
// failed event.outcome say: an intervening guardrail found a violation
// with a type (a content filter, a topic, a managed word list, a PII
// entity).
func (g *guardrail) violation() bool { return g != nil && len(g.codes) > 0 }

func guardrailField(pick func(*guardrail) []string) Getter {
	return func(ev *event.Event) event.Value {
		g := findGuardrail(ev)
		if g == nil {
			return event.Value{}
		}
		return event.StringsValue(pick(g))
	}
}

// guardrailSlot remembers a record's guardrail trace, which several
// fields of several rules read, so that the body is walked once.
var guardrailSlot = event.MemoSlot("guardrail trace")

// findGuardrail returns the record's guardrail fields, nil when it has
// none.
func findGuardrail(ev *event.Event) *guardrail {
	if r, ok := ev.Memo.GetRef(guardrailSlot); ok {
		g, _ := r.(*guardrail)
		return g
	}
	g := walkGuardrail(ev)
	ev.Memo.PutRef(guardrailSlot, g)
	return g
}

// policyNames maps the assessment keys that are policies to the names
// the pipeline gives them (it renames these keys to snake case and keeps
// the keys that then end in "_policy"; others, such as
// automatedReasoningPolicy, it does not rename and so leaves out).
var policyNames = map[string]string{
	"contentPolicy":              "content_policy",
	"wordPolicy":                 "word_policy",
	"topicPolicy":                "topic_policy",
	"sensitiveInformationPolicy": "sensitive_information_policy",
	"contextualGroundingPolicy":  "contextual_grounding_policy",
}

// walkGuardrail follows the pipeline's get_guardrail_details script.
func walkGuardrail(ev *event.Event) *guardrail {
	if ev.Doc == nil {
		return nil
	}
	body := ev.Doc.Get("output", "outputBodyJson")
	if body == nil {
		return nil
	}
	var bodies []*fastjson.Value
	switch body.Type() {
	case fastjson.TypeObject:
		bodies = []*fastjson.Value{body}
	case fastjson.TypeArray:
		bodies, _ = body.Array()
	default:
		return nil
	}
	var g guardrail
	for _, b := range bodies {
		if b.Type() != fastjson.TypeObject {
			continue
		}
		inputs := [2]*fastjson.Value{b.Get("trace", "guardrail", "inputAssessment"), b.Get("amazon-bedrock-trace", "guardrail", "input")}
		for _, in := range inputs {
			if in == nil {
				continue
			}
			if o, err := in.Object(); err == nil {
				o.Visit(func(id []byte, _ *fastjson.Value) { g.ids = appendUnique(g.ids, string(id)) })
			}
		}
		if string(b.GetStringBytes("amazon-bedrock-guardrailAction")) != "INTERVENED" &&
			string(b.GetStringBytes("stopReason")) != "guardrail_intervened" {
			continue
		}
		for _, in := range inputs {
			g.assessment(in)
		}
		// The lists of output assessments; Converse writes a map there,
		// which the pipeline's script does not read as a list.
		for _, outs := range [2]*fastjson.Value{b.Get("trace", "guardrail", "outputAssessments"), b.Get("amazon-bedrock-trace", "guardrail", "outputs")} {
			if outs == nil {
				continue
			}
			if arr, err := outs.Array(); err == nil {
				for _, a := range arr {
					g.assessment(a)
				}
			}
		}
	}
	if len(g.ids) == 0 && len(g.policies) == 0 && len(g.actions) == 0 {
		return nil
	}
	for _, l := range [][]string{g.ids, g.policies, g.actions, g.confidences, g.codes} {
		sort.Strings(l)
	}
	return &g
}

// assessment reads one assessment: a map from guardrail id to its
// policies, each policy a map from a kind of finding (filters, topics,
// customWords, piiEntities...) to a list of findings.
func (g *guardrail) assessment(a *fastjson.Value) {
	if a == nil {
		return
	}
	byID, err := a.Object()
	if err != nil {
		return
	}
	byID.Visit(func(_ []byte, policies *fastjson.Value) {
		po, err := policies.Object()
		if err != nil {
			return
		}
		po.Visit(func(key []byte, policy *fastjson.Value) {
			name, ok := policyNames[string(key)]
			if !ok {
				return
			}
			kinds, err := policy.Object()
			if err != nil {
				return
			}
			kinds.Visit(func(_ []byte, findings *fastjson.Value) {
				list, err := findings.Array()
				if err != nil {
					return
				}
				for _, f := range list {
					g.policies = appendUnique(g.policies, name)
					if s := f.GetStringBytes("action"); s != nil {
						g.actions = appendUnique(g.actions, string(s))
					}
					if s := f.GetStringBytes("confidence"); s != nil {
						g.confidences = appendUnique(g.confidences, string(s))
					}
					if s := f.GetStringBytes("type"); s != nil {
						g.codes = appendUnique(g.codes, string(s))
					}
				}
			})
		})
	})
}

func appendUnique(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// invocationOutcome is event.outcome: failure when the invocation failed
// (errorCode) or an intervening guardrail found a violation.
func invocationOutcome(ev *event.Event) event.Value {
	if _, ok := strAt(ev, "errorCode"); ok || findGuardrail(ev).violation() {
		return outcomeFailure
	}
	return outcomeSuccess
}

// modelType is gen_ai.request.model.type: the model id up to its first
// ".", the provider ("anthropic" of "anthropic.claude-3-haiku-..."), for
// a record that carries its request body.
func modelType(ev *event.Event) event.Value {
	typ, ok := modelProvider(ev)
	if !ok {
		return event.Value{}
	}
	return event.StringValue(typ)
}

func modelProvider(ev *event.Event) (string, bool) {
	if ev.Doc == nil || ev.Doc.Get("input", "inputBodyJson") == nil {
		return "", false
	}
	s, ok := strAt(ev, "modelId")
	if !ok {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], true
		}
	}
	return "", false
}

// modelVersion is gen_ai.request.model.version: the request body's
// "<provider>_version" (anthropic_version).
func modelVersion(ev *event.Event) event.Value {
	typ, ok := modelProvider(ev)
	if !ok {
		return event.Value{}
	}
	v := ev.Doc.Get("input", "inputBodyJson", typ+"_version")
	if s, ok := scalarText(v); ok && s != "" {
		return event.StringValue(s)
	}
	return event.Value{}
}

// bodyNumber reads a request body parameter converted as the pipeline's
// convert processors do: to a double (top_p...) or a long (max_tokens).
func bodyNumber(name string, long bool) Getter {
	return func(ev *event.Event) event.Value {
		if ev.Doc == nil {
			return event.Value{}
		}
		v := ev.Doc.Get("input", "inputBodyJson", name)
		if v == nil || v.Type() != fastjson.TypeNumber {
			return event.Value{}
		}
		f, err := v.Float64()
		if err != nil {
			return event.Value{}
		}
		if long {
			return event.LongValue(int64(f))
		}
		return event.DoubleValue(f)
	}
}

// responseID is gen_ai.response.id: the response body's id, or in a
// stream the id of the first chunk's message.
func responseID(ev *event.Event) event.Value {
	if ev.Doc == nil {
		return event.Value{}
	}
	body := ev.Doc.Get("output", "outputBodyJson")
	if body == nil {
		return event.Value{}
	}
	if body.Type() == fastjson.TypeArray {
		arr, _ := body.Array()
		for _, c := range arr {
			if s, ok := scalarText(c.Get("message", "id")); ok {
				return event.StringValue(s)
			}
		}
		return event.Value{}
	}
	if s, ok := scalarText(body.Get("id")); ok && s != "" {
		return event.StringValue(s)
	}
	return event.Value{}
}
