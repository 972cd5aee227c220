package rules_test

import (
	"github.com/tripline/tripline/internal/testutil"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/rules"
)

const (
	elasticID = "17261da3-a6d0-463c-aac8-ea1718afcd20"
	splunkID  = "e84b3c74-f742-11ee-9f6e-acde48001122"
)

func loadPack(t *testing.T) map[string]*rule.Rule {
	t.Helper()
	rs, probs := rule.LoadFS(rules.FS, ".")
	for _, p := range probs {
		t.Errorf("problem in the built-in pack: %s", p)
	}
	byID := map[string]*rule.Rule{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	return byID
}

func TestPackLoads(t *testing.T) {
	pack := loadPack(t)
	for _, id := range []string{elasticID, splunkID} {
		if pack[id] == nil {
			t.Fatalf("the pack lacks seed rule %s", id)
		}
	}
	for id, r := range pack {
		if !r.Runnable() || r.Format != rule.FormatNative || r.Guide == "" || len(r.Tests) < 2 {
			t.Errorf("%s: runnable %v format %s guide %d bytes, %d tests", id, r.Runnable(), r.Format, len(r.Guide), len(r.Tests))
		}
	}
}

// TestSeedMetadata pins what the seeds state about their rules.
func TestSeedMetadata(t *testing.T) {
	pack := loadPack(t)
	e, s := pack[elasticID], pack[splunkID]
	if e == nil || s == nil {
		t.Fatal("a seed rule is missing from the pack")
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"elastic name", e.Name, "AWS Bedrock Detected Multiple Attempts to use Denied Models by a Single User"},
		{"elastic version", e.Version, 3},
		{"elastic language", e.Language, "esql"},
		{"elastic interval", e.Interval.String(), "10m0s"},
		{"elastic look-back", e.LookBack.String(), "1h0m0s"},
		{"elastic window end", e.WindowEnd.String(), "0s"},
		{"elastic max alerts", e.MaxAlerts, 100},
		{"elastic severity", e.Severity, "high"},
		{"elastic risk score", e.RiskScore, 73},
		{"elastic tags", strings.Join(e.Tags, "|"), "Domain: LLM|Data Source: AWS Bedrock|Data Source: AWS S3|Resources: Investigation Guide|Use Case: Policy Violation|Mitre Atlas: T0015|Mitre Atlas: T0034"},
		{"elastic authors", strings.Join(e.Authors, "|"), "Elastic"},
		{"elastic license", e.License, "Elastic License v2"},
		{"elastic threat", threatIDs(e), "MITRE ATLAS:AML.TA0007:AML.T0015 MITRE ATLAS:AML.TA0011:AML.T0034"},
		{"splunk name", s.Name, "AWS Bedrock High Number List Foundation Model Failures"},
		{"splunk version", s.Version, 1},
		{"splunk language", s.Language, "spl"},
		{"splunk schedule", s.Interval.String() + " " + s.LookBack.String() + " " + s.WindowEnd.String(), "1h0m0s 1h0m0s 10m0s"},
		{"splunk max alerts", s.MaxAlerts, 0},
		{"splunk severity", s.Severity, "medium"},
		{"splunk risk", len(s.Risk) == 2 && s.Risk[0] == rule.RiskObject{Field: "user", Type: "user", Score: 50} && s.Risk[1].Threat, true},
		{"splunk authors", strings.Join(s.Authors, "|"), "Bhavin Patel, Splunk"},
		{"splunk threat", threatIDs(s), "MITRE ATT&CK:TA0007:T1580"},
		{"splunk type", s.Type + " " + s.Status, "ttp production"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func threatIDs(r *rule.Rule) string {
	var out []string
	for _, th := range r.Threat {
		for _, te := range th.Techniques {
			out = append(out, th.Framework+":"+th.Tactic.ID+":"+te.ID)
		}
	}
	return strings.Join(out, " ")
}

// seeds reads the seed documents from ../shared/seeds beside the repository.
func seeds(t *testing.T) (elastic, splunk string) {
	t.Helper()
	seedDir := testutil.Shared(t, "seeds")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(seedDir, name))
		if err != nil {
			t.Skipf("seed documents not available (%v); skipping the verbatim comparison", err)
		}
		return string(b)
	}
	return read("000_b70344722846fed5.txt"), read("003_391aff5dda2801a0.txt")
}

// TestSeedQueriesVerbatim checks that the pack runs the seed queries
// character for character, and carries the Splunk drilldowns as written.
func TestSeedQueriesVerbatim(t *testing.T) {
	elasticSeed, splunkSeed := seeds(t)
	pack := loadPack(t)

	const marker = "Rule query\n\nedit\n"
	i := strings.LastIndex(elasticSeed, marker)
	if i < 0 {
		t.Fatal("cannot find the query in the Elastic seed")
	}
	if want := elasticSeed[i+len(marker):]; pack[elasticID].Query != want {
		t.Errorf("ES|QL query differs from the seed:\n%q\nwant\n%q", pack[elasticID].Query, want)
	}

	m := regexp.MustCompile(`(?m)^search:(.*)$`).FindStringSubmatch(splunkSeed)
	if m == nil {
		t.Fatal("cannot find the search in the Splunk seed")
	}
	if pack[splunkID].Query != m[1] {
		t.Errorf("SPL search differs from the seed:\n%q\nwant\n%q", pack[splunkID].Query, m[1])
	}

	dd := regexp.MustCompile(`name:'([^']*)' search:'([^']*)' earliest_offset:'([^']*)' latest_offset:'([^']*)'`).FindAllStringSubmatch(splunkSeed, -1)
	got := pack[splunkID].Drilldowns
	if len(dd) != 2 || len(got) != len(dd) {
		t.Fatalf("drilldowns: seed has %d, pack has %d", len(dd), len(got))
	}
	for k, d := range dd {
		want := rule.Drilldown{Name: d[1], Search: d[2], EarliestOffset: d[3], LatestOffset: d[4]}
		if got[k] != want {
			t.Errorf("drilldown %d:\n%+v\nwant\n%+v", k, got[k], want)
		}
	}
	for _, c := range []struct{ got, seed string }{
		{pack[elasticID].Description, elasticSeed},
		{pack[splunkID].Description, splunkSeed},
		{pack[splunkID].HowToImplement, splunkSeed},
	} {
		if c.got == "" || !strings.Contains(c.seed, c.got) {
			t.Errorf("metadata not as in the seed: %q", c.got)
		}
	}
}

// TestGuidesAreOurOwn guards against copying the seed's investigation guide:
// no sentence of it may appear in the pack's guide or setup text (a bare
// address, such as the AWS documentation both cite, is not prose).
func TestGuidesAreOurOwn(t *testing.T) {
	elasticSeed, _ := seeds(t)
	pack := loadPack(t)
	start := strings.Index(elasticSeed, "Investigation guide")
	end := strings.LastIndex(elasticSeed, "Rule query")
	if start < 0 || end < start {
		t.Fatal("cannot find the guide in the Elastic seed")
	}
	ours := pack[elasticID].Guide + pack[elasticID].Setup
	for _, line := range strings.Split(elasticSeed[start:end], "\n") {
		for _, sentence := range strings.Split(line, ". ") {
			sentence = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sentence), "•"))
			if len(sentence) >= 40 && strings.Contains(sentence, " ") && strings.Contains(ours, sentence) {
				t.Errorf("guide copies the seed: %q", sentence)
			}
		}
	}
}
