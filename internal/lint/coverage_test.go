package lint

import (
	"reflect"
	"testing"

	"github.com/tripline/tripline/internal/rule"
)

func TestCoverage(t *testing.T) {
	impact := rule.Ref{ID: "AML.TA0011", Name: "Impact"}
	cost := rule.Technique{Ref: rule.Ref{ID: "AML.T0034", Name: "Cost Harvesting"}}
	a := &rule.Rule{ID: "a", Threat: []rule.Threat{
		{Framework: rule.FrameworkATLAS, Tactic: impact, Techniques: []rule.Technique{cost}},
		{Framework: rule.FrameworkATLAS, Techniques: []rule.Technique{{Ref: rule.Ref{ID: "AML.T0034"}}}}, // from a tag: already covered
		{Framework: rule.FrameworkATTACK, Tactic: rule.Ref{ID: "TA0001", Name: "Initial Access"}, Techniques: []rule.Technique{
			{Ref: rule.Ref{ID: "T1078", Name: "Valid Accounts"}, Subtechniques: []rule.Ref{{ID: "T1078.004"}}}}},
	}}
	b := &rule.Rule{ID: "b", Threat: []rule.Threat{
		{Framework: rule.FrameworkATLAS, Tactic: impact, Techniques: []rule.Technique{cost}},
		{Framework: rule.FrameworkATLAS, Techniques: []rule.Technique{{Ref: rule.Ref{ID: "AML.T0015"}}}},
	}}
	got := Coverage([]*rule.Rule{b, a})
	type row struct {
		fw, tactic, tech string
		rules            []string
	}
	var rows []row
	for _, c := range got {
		var ids []string
		for _, r := range c.Rules {
			ids = append(ids, r.ID)
		}
		rows = append(rows, row{c.Framework, c.Tactic.ID, c.Technique.ID, ids})
	}
	want := []row{
		{rule.FrameworkATLAS, "", "AML.T0015", []string{"b"}},
		{rule.FrameworkATLAS, "AML.TA0011", "AML.T0034", []string{"b", "a"}},
		{rule.FrameworkATTACK, "TA0001", "T1078", []string{"a"}},
		{rule.FrameworkATTACK, "TA0001", "T1078.004", []string{"a"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("Coverage =\n%v\nwant\n%v", rows, want)
	}
	if got[1].Technique.Name != "Cost Harvesting" {
		t.Errorf("technique name %q", got[1].Technique.Name)
	}
}

func TestDataSources(t *testing.T) {
	cases := []struct {
		lang, query string
		want        []string
	}{
		{"esql", "from logs-aws_bedrock.invocation-* | limit 1", []string{"Amazon Bedrock model invocation logs"}},
		{"esql", "from logs-aws.cloudtrail-* | limit 1", []string{"AWS CloudTrail"}},
		{"esql", "from logs-* | limit 1", []string{"AWS CloudTrail", "Amazon Bedrock model invocation logs"}},
		{"spl", "sourcetype=aws:cloudtrail | head 1", []string{"AWS CloudTrail"}},
	}
	for _, c := range cases {
		if got := DataSources(compile(t, c.lang, c.query)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("DataSources(%q) = %v, want %v", c.query, got, c.want)
		}
	}
	if DataSources(nil) != nil {
		t.Error("DataSources(nil) is not nil")
	}
}
