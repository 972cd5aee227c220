package rule

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Formats a rule can be loaded from; Rule.Format holds one of them.
const (
	FormatNative       = "native"        // tripline's own YAML (see rules/README.md)
	FormatElasticTOML  = "elastic-toml"  // elastic/detection-rules TOML
	FormatKibanaNDJSON = "kibana-ndjson" // Kibana's rule export, one rule per line
	FormatSplunkYAML   = "splunk-yaml"   // splunk/security_content detection YAML
	FormatSigmaYAML    = "sigma-yaml"    // a Sigma rule; Query holds the whole document
)

// Query languages tripline runs. Rules in any other language load with Skip set.
const (
	LangESQL  = "esql"
	LangSPL   = "spl"
	LangSigma = "sigma"
	// LangKQL is Kibana's query language, as Elastic query rules name it.
	LangKQL = "kuery"
	// LangEQL is Elastic's Event Query Language.
	LangEQL = "eql"
)

// Threat frameworks.
const (
	FrameworkATTACK = "MITRE ATT&CK"
	FrameworkATLAS  = "MITRE ATLAS"
)

// Severities, lowest first.
var Severities = []string{"low", "medium", "high", "critical"}

// Rule is one detection as tripline runs it, whatever format it was written in.
// The query is kept exactly as written; everything else is normalised.
type Rule struct {
	ID, Name, Description string
	Version               int
	// Language is "esql", "spl", "sigma", "kuery" or "eql"; rules in other
	// languages ("lucene", ...) carry a Skip reason.
	Language string
	Query    string
	// Indices are Elastic index patterns; may be empty (ES|QL names its own).
	Indices []string
	// Interval is how often the rule runs.
	Interval time.Duration
	// LookBack is the length of the window each run searches.
	LookBack time.Duration
	// WindowEnd is how long before the tick the window ends: a run at tick t
	// searches [t-WindowEnd-LookBack, t-WindowEnd).
	WindowEnd time.Duration
	// MaxAlerts caps the alerts of one run; 0 means no cap.
	MaxAlerts int
	// Severity is one of Severities.
	Severity  string
	RiskScore int
	Tags      []string
	// Threat lists MITRE ATT&CK and ATLAS tactics and techniques.
	Threat []Threat
	// Guide is the investigation guide, Markdown.
	Guide          string
	Setup          string
	References     []string
	Authors        []string
	License        string
	FalsePositives []string
	HowToImplement string
	Drilldowns     []Drilldown
	// TimestampOverride names the field that places an event in time for the
	// window (Elastic's timestamp_override); events without it use their own time.
	TimestampOverride string
	Suppression       *Suppression
	// Threshold is set for an Elastic threshold rule: the query's matches
	// are counted per group and a group at or over the threshold alerts.
	Threshold *Threshold
	// NewTerms is set for an Elastic new_terms rule: a value (or
	// combination) of its fields seen in the window and not before it in
	// the history alerts.
	NewTerms *NewTerms
	// Risk holds Splunk-style risk and threat objects. Elastic rules leave it
	// empty and the engine derives the entity.
	Risk []RiskObject
	// Type is the rule's kind as its format names it, lower case: esql, query,
	// eql, threshold, ttp, anomaly, hunting, ...
	Type string
	// Status is production, experimental, deprecated, ... as the format says.
	Status string
	// Format is one of the Format* constants.
	Format string
	// File and Line say where the rule was defined.
	File string
	Line int
	// Skip, when not empty, says why the rule is listed but not run.
	Skip  string
	Tests []Test
	// Extra keeps the rest of the rule's metadata worth showing, by the
	// format's own key names.
	Extra map[string]any
	// Sigma is set for Sigma documents: what they say of other rules, and
	// what the rule set resolved for them.
	Sigma *Sigma
}

// Sigma is what a Sigma document says about other rules (Sigma
// correlation rules and filters specifications), and what package ruleset
// resolves for it before it is compiled.
type Sigma struct {
	// Name is the document's name:, by which correlations and filters
	// may name it instead of its id.
	Name string
	// Logsource holds the document's product, category and service, in
	// lower case, as far as it gives them.
	Logsource map[string]string
	// Refs are the rules a correlation or a filter names, by id or name,
	// as written.
	Refs []string
	// Filter marks a filter document; AnyRule is its "rules: any": every
	// rule of its log source.
	Filter, AnyRule bool
	// Generate is a correlation's generate: the rules it names also
	// alert on their own (by default they do not).
	Generate bool

	// Resolve finds the rule a correlation names; nil finds none. Set by
	// the rule set.
	Resolve func(ref string) (*Rule, error)
	// Filters are the filter documents that apply to the rule, in load
	// order. Set by the rule set.
	Filters []*Rule
	// Placeholders are the values of |expand placeholders, by name. Set
	// by the rule set.
	Placeholders map[string][]string
}

// Threat is one tactic of a framework and the techniques of the rule under it.
type Threat struct {
	// Framework is FrameworkATTACK or FrameworkATLAS.
	Framework  string
	Tactic     Ref
	Techniques []Technique
}

// Ref names a tactic, technique or sub-technique.
type Ref struct{ ID, Name, Reference string }

// Technique is a technique and the sub-techniques the rule names under it.
type Technique struct {
	Ref
	Subtechniques []Ref
}

// Drilldown is a follow-up search offered with an alert. Search and the
// offsets are query text with $field$ tokens, kept as written.
type Drilldown struct{ Name, Search, EarliestOffset, LatestOffset string }

// Suppression groups alerts of the same values into one for a while.
type Suppression struct {
	GroupBy []string
	// Duration is how long alerts are suppressed; 0 means for one run.
	Duration time.Duration
	// MissingFields is "suppress" or "doNotSuppress" (Elastic's names); empty
	// means "suppress".
	MissingFields string
}

// Threshold is an Elastic threshold rule's grouping and limits
// (Kibana's threshold.field, threshold.value, threshold.cardinality).
type Threshold struct {
	// Fields are the group-by fields, 0 to 5; none counts every match as
	// one group.
	Fields []string
	// Value is the least number of matching events of a group that alerts.
	Value int
	// Cardinality, when set, also asks for at least Value distinct values
	// of each Field in the group.
	Cardinality []Cardinality
}

// Cardinality is a distinct-count condition of a threshold rule.
type Cardinality struct {
	Field string
	Value int
}

// NewTerms is an Elastic new_terms rule's fields and history window.
type NewTerms struct {
	// Fields are the new_terms_fields, 1 to 3; with several, a new
	// combination of their values alerts.
	Fields []string
	// History is how far before a run its history starts
	// (history_window_start "now-10d" is 10 days); the history ends where
	// the rule's window starts.
	History time.Duration
}

// RiskObject is a Splunk RBA risk object (Threat false: Type user, system or
// other, with a Score) or threat object (Threat true: Type like ip_address).
type RiskObject struct {
	Field, Type string
	Score       int
	Threat      bool
}

// Test is an example a rule carries: events in, alerts expected out.
type Test struct {
	Name string
	// LogType optionally names the log type of the events (for example
	// "cloudtrail" or "bedrock-invocation"; the key "source" in YAML) when
	// it cannot be sniffed.
	LogType string
	// Events are inline raw records, as JSON objects.
	Events []map[string]any
	// EventFiles are log files, relative to the rule's file.
	EventFiles []string
	// Expect lists the alerts the rule must raise over the events, in any
	// order; each entry is compared on the keys it gives ("group" holds the
	// group-by values, other keys are result columns).
	Expect []map[string]any
	// ExpectNone says the rule must raise no alert.
	ExpectNone bool
	// Line is where the test is defined in the rule's file.
	Line int
}

// EventJSON returns the test's inline events as JSON documents.
func (t *Test) EventJSON() ([][]byte, error) {
	out := make([][]byte, 0, len(t.Events))
	for i, ev := range t.Events {
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("cannot encode event %d of test %q: %w", i+1, t.Name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// Runnable reports whether tripline runs the rule.
func (r *Rule) Runnable() bool { return r.Skip == "" }

// Window returns the window a run at tick t searches: [start, end).
func (r *Rule) Window(t time.Time) (start, end time.Time) {
	end = t.Add(-r.WindowEnd)
	return end.Add(-r.LookBack), end
}

// Validate checks that the rule is complete and its values are in range. A
// skipped rule needs only an id and a name.
func (r *Rule) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(r.ID) == "" {
		bad("missing id")
	}
	if strings.TrimSpace(r.Name) == "" {
		bad("missing name")
	}
	if r.Skip != "" {
		return errors.Join(errs...)
	}
	switch r.Language {
	case LangESQL, LangSPL, LangSigma, LangKQL, LangEQL:
	case "":
		bad("missing language")
	default:
		bad("language %q is not one tripline runs (esql, spl, sigma, kuery, eql)", r.Language)
	}
	if strings.TrimSpace(r.Query) == "" {
		bad("missing query")
	}
	if r.Interval <= 0 {
		bad("interval must be positive, got %s", r.Interval)
	}
	if r.LookBack <= 0 {
		bad("look-back must be positive, got %s", r.LookBack)
	}
	if r.WindowEnd < 0 {
		bad("window end must not be negative, got %s", r.WindowEnd)
	}
	if r.MaxAlerts < 0 {
		bad("max alerts must not be negative, got %d", r.MaxAlerts)
	}
	if !validSeverity(r.Severity) {
		bad("severity %q is not one of %s", r.Severity, strings.Join(Severities, ", "))
	}
	if r.RiskScore < 0 || r.RiskScore > 100 {
		bad("risk score %d is outside 0..100", r.RiskScore)
	}
	for i, th := range r.Threat {
		if th.Framework != FrameworkATTACK && th.Framework != FrameworkATLAS {
			bad("threat %d: framework %q is not %q or %q", i+1, th.Framework, FrameworkATTACK, FrameworkATLAS)
		}
		if th.Tactic.ID == "" && len(th.Techniques) == 0 {
			bad("threat %d: neither a tactic nor a technique", i+1)
		}
		for _, te := range th.Techniques {
			if te.ID == "" {
				bad("threat %d: technique without an id", i+1)
			}
		}
	}
	for i, ro := range r.Risk {
		if ro.Field == "" {
			bad("risk object %d: missing field", i+1)
		}
		if !ro.Threat {
			switch ro.Type {
			case "user", "system", "other":
			default:
				bad("risk object %d: type %q is not user, system or other", i+1, ro.Type)
			}
		} else if ro.Type == "" {
			bad("threat object %d: missing type", i+1)
		}
		if ro.Score < 0 || ro.Score > 100 {
			bad("risk object %d: score %d is outside 0..100", i+1, ro.Score)
		}
	}
	for i, d := range r.Drilldowns {
		if d.Name == "" || d.Search == "" {
			bad("drilldown %d: needs a name and a search", i+1)
		}
	}
	if th := r.Threshold; th != nil {
		if len(th.Fields) > 5 {
			bad("threshold: %d group-by fields, at most 5", len(th.Fields))
		}
		if th.Value < 1 {
			bad("threshold: value must be at least 1, got %d", th.Value)
		}
		for i, c := range th.Cardinality {
			if c.Field == "" || c.Value < 1 {
				bad("threshold: cardinality %d needs a field and a value of at least 1", i+1)
			}
		}
	}
	if nt := r.NewTerms; nt != nil {
		if len(nt.Fields) < 1 || len(nt.Fields) > 3 {
			bad("new_terms: %d fields, want 1 to 3", len(nt.Fields))
		}
		if nt.History <= r.LookBack+r.WindowEnd {
			bad("new_terms: history_window_start (%s before the run) must be earlier than the window's start (%s before it)", nt.History, r.LookBack+r.WindowEnd)
		}
	}
	if s := r.Suppression; s != nil {
		if len(s.GroupBy) == 0 {
			bad("suppression: group_by is empty")
		}
		if s.Duration < 0 {
			bad("suppression: negative duration %s", s.Duration)
		}
		switch s.MissingFields {
		case "", "suppress", "doNotSuppress":
		default:
			bad("suppression: missing_fields %q is not suppress or doNotSuppress", s.MissingFields)
		}
	}
	for i, t := range r.Tests {
		if t.Name == "" {
			bad("test %d: missing name", i+1)
		}
		if len(t.Events) == 0 && len(t.EventFiles) == 0 {
			bad("test %d: no events and no files", i+1)
		}
		if t.ExpectNone == (len(t.Expect) > 0) {
			bad("test %d: give either expect or expect_none", i+1)
		}
	}
	return errors.Join(errs...)
}

func validSeverity(s string) bool {
	for _, v := range Severities {
		if s == v {
			return true
		}
	}
	return false
}

// Problem is a rule file or rule that could not be loaded.
type Problem struct {
	File      string
	Line, Col int // 0 when unknown
	Err       error
}

// String renders "file:line:col: msg", leaving out line and column when unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	if p.Err != nil {
		b.WriteString(": ")
		b.WriteString(p.Err.Error())
	}
	return b.String()
}

// Error implements error, the same as String.
func (p Problem) Error() string { return p.String() }

// Unwrap returns the underlying error.
func (p Problem) Unwrap() error { return p.Err }
