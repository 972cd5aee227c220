package rule

import (
	"fmt"
	"github.com/tripline/tripline/internal/duration"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// nativeKeys are the keys of a native rule; anything else is a mistake.
var nativeKeys = map[string]bool{
	"id": true, "name": true, "version": true, "description": true, "language": true,
	"type": true, "status": true, "query": true, "indices": true, "schedule": true,
	"max_alerts": true, "severity": true, "risk_score": true, "risk": true, "risk_message": true,
	"tags": true, "threat": true, "guide": true, "setup": true, "how_to_implement": true,
	"references": true, "authors": true, "license": true, "false_positives": true,
	"drilldowns": true, "suppression": true, "timestamp_override": true, "origin": true,
	"extra": true, "skip": true, "tests": true,
}

type nativeDoc struct {
	ID                string            `yaml:"id"`
	Name              string            `yaml:"name"`
	Version           *int              `yaml:"version"`
	Description       string            `yaml:"description"`
	Language          string            `yaml:"language"`
	Type              string            `yaml:"type"`
	Status            string            `yaml:"status"`
	Query             string            `yaml:"query"`
	Indices           []string          `yaml:"indices"`
	Schedule          *nativeSchedule   `yaml:"schedule"`
	MaxAlerts         *int              `yaml:"max_alerts"`
	Severity          string            `yaml:"severity"`
	RiskScore         int               `yaml:"risk_score"`
	Risk              []nativeRisk      `yaml:"risk"`
	RiskMessage       string            `yaml:"risk_message"`
	Tags              []string          `yaml:"tags"`
	Threat            []nativeThreat    `yaml:"threat"`
	Guide             string            `yaml:"guide"`
	Setup             string            `yaml:"setup"`
	HowToImplement    string            `yaml:"how_to_implement"`
	References        []string          `yaml:"references"`
	Authors           []string          `yaml:"authors"`
	License           string            `yaml:"license"`
	FalsePositives    []string          `yaml:"false_positives"`
	Drilldowns        []nativeDrilldown `yaml:"drilldowns"`
	Suppression       *nativeSuppress   `yaml:"suppression"`
	TimestampOverride string            `yaml:"timestamp_override"`
	Origin            yaml.Node         `yaml:"origin"`
	Extra             yaml.Node         `yaml:"extra"`
	Skip              string            `yaml:"skip"`
	Tests             []nativeTest      `yaml:"tests"`
}

type nativeSchedule struct {
	Interval  ruleDuration `yaml:"interval"`
	LookBack  ruleDuration `yaml:"lookback"`
	WindowEnd ruleDuration `yaml:"window_end"`
}

type nativeRisk struct {
	Field  string `yaml:"field"`
	Type   string `yaml:"type"`
	Score  int    `yaml:"score"`
	Threat bool   `yaml:"threat"`
}

type nativeThreat struct {
	Framework  string      `yaml:"framework"`
	Tactic     nativeRef   `yaml:"tactic"`
	Techniques []nativeRef `yaml:"techniques"`
}

// nativeRef is a tactic or technique: an id alone, or a mapping.
type nativeRef struct {
	ID            string      `yaml:"id"`
	Name          string      `yaml:"name"`
	Reference     string      `yaml:"reference"`
	Subtechniques []nativeRef `yaml:"subtechniques"`
}

func (r *nativeRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.ID = n.Value
		return nil
	}
	type plain nativeRef
	return decodeNode(n, (*plain)(r))
}

func (r nativeRef) ref() Ref { return Ref{ID: r.ID, Name: r.Name, Reference: r.Reference} }

type nativeDrilldown struct {
	Name           string `yaml:"name"`
	Search         string `yaml:"search"`
	EarliestOffset string `yaml:"earliest_offset"`
	LatestOffset   string `yaml:"latest_offset"`
}

type nativeSuppress struct {
	GroupBy       []string     `yaml:"group_by"`
	Duration      ruleDuration `yaml:"duration"`
	MissingFields string       `yaml:"missing_fields"`
}

type nativeTest struct {
	Name       string      `yaml:"name"`
	LogType    string      `yaml:"source"`
	Events     []yaml.Node `yaml:"events"`
	Files      []string    `yaml:"files"`
	Expect     []yaml.Node `yaml:"expect"`
	ExpectNone bool        `yaml:"expect_none"`
	line       int
}

func (t *nativeTest) UnmarshalYAML(n *yaml.Node) error {
	type plain nativeTest
	if err := decodeNode(n, (*plain)(t)); err != nil {
		return err
	}
	t.line = n.Line
	return nil
}

// duration is a YAML duration: "10m", "1h", "7d" or "0".
type ruleDuration struct {
	d   time.Duration
	set bool
}

func (d *ruleDuration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errAt(n.Line, n.Column, "want a duration like 10m")
	}
	v, err := duration.Parse(n.Value)
	if err != nil {
		return errAt(n.Line, n.Column, "%v", err)
	}
	d.d, d.set = v, true
	return nil
}

// nativeRule reads one native rule document (a mapping node).
func (o Options) nativeRule(n *yaml.Node) (*Rule, error) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !nativeKeys[k.Value] {
			return nil, errAt(k.Line, k.Column, "unknown key %q in native rule", k.Value)
		}
	}
	var d nativeDoc
	if err := decodeNode(n, &d); err != nil {
		return nil, err
	}
	keys := mapKeys(n)
	r := &Rule{
		ID: d.ID, Name: d.Name, Description: d.Description, Version: 1,
		Language: strings.ToLower(d.Language), Query: d.Query, Indices: d.Indices,
		Severity: strings.ToLower(d.Severity), RiskScore: d.RiskScore, Tags: d.Tags,
		Guide: d.Guide, Setup: d.Setup, HowToImplement: d.HowToImplement,
		References: d.References, Authors: d.Authors, License: d.License,
		FalsePositives: d.FalsePositives, TimestampOverride: d.TimestampOverride,
		Type: strings.ToLower(d.Type), Status: d.Status, Format: FormatNative, Skip: d.Skip,
	}
	if d.Version != nil {
		r.Version = *d.Version
	}
	if r.Type == "" {
		r.Type = r.Language
	}
	def := o.withDefaults()
	sched := def.Sigma
	switch r.Language {
	case LangESQL, LangKQL, LangEQL:
		sched, r.MaxAlerts = def.Elastic, def.ElasticMaxAlerts
	case LangSPL:
		sched = def.Splunk
	case LangSigma:
	default:
		if r.Skip == "" {
			if r.Language == "" {
				line, col := n.Line, n.Column
				if v := keys["language"]; v != nil {
					line, col = v.Line, v.Column
				}
				return nil, errAt(line, col, "missing language (esql, spl or sigma)")
			}
			r.Skip = fmt.Sprintf("language %q is not one tripline runs", d.Language)
		}
	}
	if s := d.Schedule; s != nil {
		if s.Interval.set {
			sched.Interval = s.Interval.d
		}
		if s.LookBack.set {
			sched.LookBack = s.LookBack.d
		}
		if s.WindowEnd.set {
			sched.WindowEnd = s.WindowEnd.d
		}
	}
	r.Interval, r.LookBack, r.WindowEnd = sched.Interval, sched.LookBack, sched.WindowEnd
	if d.MaxAlerts != nil {
		r.MaxAlerts = *d.MaxAlerts
	}
	if v := keys["severity"]; v != nil && !validSeverity(r.Severity) {
		return nil, errAt(v.Line, v.Column, "severity %q is not one of %s", d.Severity, strings.Join(Severities, ", "))
	}
	for _, x := range d.Risk {
		r.Risk = append(r.Risk, RiskObject{Field: x.Field, Type: x.Type, Score: x.Score, Threat: x.Threat})
	}
	for _, t := range d.Threat {
		th := Threat{Framework: t.Framework, Tactic: t.Tactic.ref()}
		for _, te := range t.Techniques {
			tq := Technique{Ref: te.ref()}
			for _, s := range te.Subtechniques {
				tq.Subtechniques = append(tq.Subtechniques, s.ref())
			}
			th.Techniques = append(th.Techniques, tq)
		}
		completeThreat(&th)
		r.Threat = append(r.Threat, th)
	}
	for _, x := range d.Drilldowns {
		r.Drilldowns = append(r.Drilldowns, Drilldown(x))
	}
	if s := d.Suppression; s != nil {
		r.Suppression = &Suppression{GroupBy: s.GroupBy, Duration: s.Duration.d, MissingFields: s.MissingFields}
	}
	extra := map[string]any{}
	if d.Extra.Kind != 0 {
		v, err := plainValue(&d.Extra)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errAt(d.Extra.Line, d.Extra.Column, "extra must be a mapping")
		}
		extra = m
	}
	if d.Origin.Kind != 0 {
		v, err := plainValue(&d.Origin)
		if err != nil {
			return nil, err
		}
		extra["origin"] = v
	}
	if d.RiskMessage != "" {
		extra["risk_message"] = d.RiskMessage
	}
	if len(extra) > 0 {
		r.Extra = extra
	}
	for _, t := range d.Tests {
		tt, err := nativeTestOf(t)
		if err != nil {
			return nil, err
		}
		r.Tests = append(r.Tests, tt)
	}
	return r, nil
}

// DecodeTest reads one rule test in the native format (name, source,
// events, files, expect, expect_none) from a YAML mapping, as the native
// loader reads a rule's tests: numbers as int64 or float64, timestamps as
// written, and a string holding a JSON object or array as that value.
// Unknown keys are errors.
func DecodeTest(n *yaml.Node) (Test, error) {
	var t nativeTest
	if err := n.Decode(&t); err != nil {
		return Test{}, err
	}
	return nativeTestOf(t)
}

func nativeTestOf(t nativeTest) (Test, error) {
	out := Test{Name: t.Name, LogType: t.LogType, EventFiles: t.Files, ExpectNone: t.ExpectNone, Line: t.line}
	objects := func(nodes []yaml.Node, what string) ([]map[string]any, error) {
		var list []map[string]any
		for i := range nodes {
			v, err := plainValue(&nodes[i])
			if err != nil {
				return nil, err
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, errAt(nodes[i].Line, nodes[i].Column, "test %q: each of %s must be a JSON object", t.Name, what)
			}
			list = append(list, m)
		}
		return list, nil
	}
	var err error
	if out.Events, err = objects(t.Events, "events"); err != nil {
		return out, err
	}
	if out.Expect, err = objects(t.Expect, "expect"); err != nil {
		return out, err
	}
	return out, nil
}
