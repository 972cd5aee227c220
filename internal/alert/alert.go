package alert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/rule"
)

// Alert is one finding of one rule. Its ID depends only on content (rule,
// group values or source event, and the episode's first window), never on
// the run, so a replay or a restart yields the same ids.
type Alert struct {
	ID        string    `json:"id"`
	Rule      RuleRef   `json:"rule"`
	Timestamp time.Time `json:"timestamp"` // event time: the end of the window that raised it
	// RaisedAt is the wall-clock time the alert was first raised: for
	// logs replayed a month late, a month after Timestamp.
	RaisedAt   time.Time   `json:"raised_at"`
	Window     Window      `json:"window"`
	Group      Fields      `json:"group"`
	Row        Fields      `json:"row"`
	FirstSeen  time.Time   `json:"first_seen"`
	LastSeen   time.Time   `json:"last_seen"`
	EventCount int64       `json:"event_count"`
	Evidence   []Evidence  `json:"evidence"`
	Reason     string      `json:"reason"`
	Guide      string      `json:"guide,omitempty"`
	Drilldowns []Drilldown `json:"drilldowns,omitempty"`
	Matches    int         `json:"matches"`
	Status     string      `json:"status,omitempty"`
	// Update is set on a notification of an alert sent before, whose
	// severity or event count changed since; never stored.
	Update bool `json:"update,omitempty"`
}

// RuleRef is the part of the rule an alert carries.
type RuleRef struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Version  int    `json:"version"`
	Language string `json:"language"`
	// Type is the rule's kind as its format names it (query, threshold,
	// new_terms, eql, esql, ...).
	Type      string   `json:"type,omitempty"`
	Severity  string   `json:"severity"`
	RiskScore int      `json:"risk_score"`
	Tags      []string `json:"tags"`
	Threat    []Threat `json:"threat"`
}

// Threat is a MITRE mapping in the shape Elastic rules use.
type Threat struct {
	Framework string      `json:"framework"`
	Tactic    Ref         `json:"tactic"`
	Technique []Technique `json:"technique,omitempty"`
}

// Ref names a tactic, technique or sub-technique.
type Ref struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// Technique is a technique with its sub-techniques.
type Technique struct {
	Ref
	Subtechnique []Ref `json:"subtechnique,omitempty"`
}

// Window is the event-time range a tick evaluated.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Evidence points at a source event.
type Evidence struct {
	File    string    `json:"file"`
	Line    int       `json:"line,omitempty"`
	Offset  int64     `json:"offset"`
	EventID string    `json:"event_id,omitempty"`
	Time    time.Time `json:"time"`
	// Raw is the source record as it was read, kept with the alert by
	// serve so that it can be shown after the input is gone.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Drilldown is a follow-up search with its tokens filled in.
type Drilldown struct {
	Name     string `json:"name"`
	Search   string `json:"search"`
	Earliest string `json:"earliest,omitempty"`
	Latest   string `json:"latest,omitempty"`
}

// Field is one named value.
type Field struct {
	Name  string
	Value event.Value
}

// Fields is an ordered set of named values; it marshals as a JSON object
// in its own order.
type Fields []Field

// Get returns a field's value, null when absent.
func (fs Fields) Get(name string) event.Value {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return event.Value{}
}

// MarshalJSON implements json.Marshaler.
func (fs Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(event.AppendJSONString(nil, f.Name))
		b.WriteByte(':')
		b.Write(f.Value.AppendJSON(nil))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON implements json.Unmarshaler, keeping the object's order.
func (fs *Fields) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return err
	}
	*fs = (*fs)[:0]
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*fs = append(*fs, Field{Name: tok.(string), Value: event.FromAny(v)})
	}
	_, err := dec.Token()
	return err
}

// NewRuleRef copies what an alert shows of a rule.
func NewRuleRef(r *rule.Rule) RuleRef {
	return RuleRef{ID: r.ID, Name: r.Name, Version: r.Version, Language: r.Language, Type: r.Type,
		Severity: r.Severity, RiskScore: r.RiskScore, Tags: nonNil(r.Tags), Threat: nonNilThreat(r.Threat)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilThreat(ts []rule.Threat) []Threat {
	out := make([]Threat, 0, len(ts))
	for _, t := range ts {
		th := Threat{Framework: t.Framework, Tactic: Ref(t.Tactic)}
		for _, tech := range t.Techniques {
			x := Technique{Ref: Ref(tech.Ref)}
			for _, s := range tech.Subtechniques {
				x.Subtechnique = append(x.Subtechnique, Ref(s))
			}
			th.Technique = append(th.Technique, x)
		}
		out = append(out, th)
	}
	return out
}

// GroupID is the id of an aggregating rule's alert: the rule, the group's
// values and the start of the episode's first window.
func GroupID(ruleID string, group Fields, episodeStart time.Time) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	h.Write([]byte{0})
	var buf []byte
	for _, f := range group {
		buf = append(buf[:0], f.Name...)
		buf = append(buf, '=')
		buf = f.Value.Key(buf)
		h.Write(buf)
	}
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(episodeStart.UnixNano(), 10)))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// EventID is the id of a per-event rule's alert: the rule and the source
// event's own id (or its origin when it has none).
func EventID(ruleID, sourceEventID string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	h.Write([]byte{0})
	h.Write([]byte(sourceEventID))
	return hex.EncodeToString(h.Sum(nil))[:32]
}
