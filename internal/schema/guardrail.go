package schema

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/valyala/fastjson"
)

// guardrail is what the "amazon-bedrock-trace" guardrail assessments of one
// invocation record say, gathered from the input and output bodies.
type guardrail struct {
	ids, policies, actions, confidences, codes []string
	blocked                                    bool
}

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
// fields of several rules read, so that the bodies are walked once.
var guardrailSlot = event.MemoSlot("guardrail trace")

// findGuardrail returns the record's guardrail traces, nil when it
// carries none.
func findGuardrail(ev *event.Event) *guardrail {
	if r, ok := ev.Memo.GetRef(guardrailSlot); ok {
		g, _ := r.(*guardrail)
		return g
	}
	g := walkGuardrail(ev)
	ev.Memo.PutRef(guardrailSlot, g)
	return g
}

// walkGuardrail walks the request and response bodies for guardrail
// traces.
func walkGuardrail(ev *event.Event) *guardrail {
	if ev.Doc == nil {
		return nil
	}
	var g guardrail
	found := false
	var walk func(v *fastjson.Value, depth int)
	walk = func(v *fastjson.Value, depth int) {
		if v == nil || depth > 12 {
			return
		}
		switch v.Type() {
		case fastjson.TypeArray:
			arr, _ := v.Array()
			for _, e := range arr {
				walk(e, depth+1)
			}
		case fastjson.TypeObject:
			obj, _ := v.Object()
			obj.Visit(func(k []byte, child *fastjson.Value) {
				// InvokeModel streams carry "amazon-bedrock-trace", Converse
				// responses a "trace"; both hold a "guardrail" object.
				if string(k) == "amazon-bedrock-trace" || string(k) == "trace" {
					if gr := child.Get("guardrail"); gr != nil {
						found = true
						g.add(gr)
						return
					}
				}
				walk(child, depth+1)
			})
		}
	}
	walk(ev.Doc.Get("output", "outputBodyJson"), 0)
	walk(ev.Doc.Get("input", "inputBodyJson"), 0)
	if !found {
		return nil
	}
	return &g
}

// policyNames are the assessment keys that are guardrail policies; the
// others (invocationMetrics, ...) describe the assessment itself.
var policyNames = map[string]bool{
	"topicPolicy": true, "contentPolicy": true, "wordPolicy": true,
	"sensitiveInformationPolicy": true, "contextualGroundingPolicy": true,
	"automatedReasoningPolicy": true,
}

// add reads one guardrail trace. Its sides ("input"/"output" in streams,
// "inputAssessment"/"outputAssessments" in Converse) map a guardrail id
// to an assessment object, or to a list of them.
func (g *guardrail) add(gr *fastjson.Value) {
	obj, err := gr.Object()
	if err != nil {
		return
	}
	obj.Visit(func(_ []byte, side *fastjson.Value) {
		sides, err := side.Object()
		if err != nil {
			return
		}
		sides.Visit(func(id []byte, assessment *fastjson.Value) {
			g.ids = appendUnique(g.ids, string(id))
			var list []*fastjson.Value
			if assessment.Type() == fastjson.TypeArray {
				list, _ = assessment.Array()
			} else {
				list = []*fastjson.Value{assessment}
			}
			for _, a := range list {
				as, err := a.Object()
				if err != nil {
					continue
				}
				as.Visit(func(policy []byte, body *fastjson.Value) {
					if !policyNames[string(policy)] {
						return
					}
					g.policies = appendUnique(g.policies, string(policy))
					g.visitFindings(body)
				})
			}
		})
	})
}

// visitFindings collects action, confidence and the violation code (a
// filter type, a topic name, a matched word list type, a PII entity type)
// from the leaves of one policy assessment.
func (g *guardrail) visitFindings(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for _, e := range arr {
			g.visitFindings(e)
		}
	case fastjson.TypeObject:
		if a := v.GetStringBytes("action"); a != nil {
			g.actions = appendUnique(g.actions, string(a))
			if string(a) == "BLOCKED" || string(a) == "ANONYMIZED" {
				g.blocked = true
			}
			if c := v.GetStringBytes("confidence"); c != nil {
				g.confidences = appendUnique(g.confidences, string(c))
			}
			code := v.GetStringBytes("type")
			if n := v.GetStringBytes("name"); n != nil {
				code = n
			}
			if code == nil {
				code = v.GetStringBytes("match")
			}
			if code != nil {
				g.codes = appendUnique(g.codes, string(code))
			}
			return
		}
		obj, _ := v.Object()
		obj.Visit(func(_ []byte, child *fastjson.Value) { g.visitFindings(child) })
	}
}

func appendUnique(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}
