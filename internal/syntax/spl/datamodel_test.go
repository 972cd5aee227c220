package spl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

// riskDrilldown is the second drilldown search of seeds/003, verbatim.
const riskDrilldown = "| from datamodel Risk.All_Risk | search normalized_risk_object IN (\"$user$\") starthoursago=168 | stats count min(_time) as firstTime max(_time) as lastTime values(search_name) as \"Search Name\" values(risk_message) as \"Risk Message\" values(analyticstories) as \"Analytic Stories\" values(annotations._all) as \"Annotations\" values(annotations.mitre_attack.mitre_tactic) as \"ATT&CK Tactics\" by normalized_risk_object | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)`"

const riskDrilldownPlan = "spl: from datamodel=Risk.All_Risk\n" +
	"| where search(normalized_risk_object = \"alice\") AND (_time >= (now() - 604800))\n" +
	"| stats count = count(), firstTime = min(_time), lastTime = max(_time), `Search Name` = values(search_name), " +
	"`Risk Message` = values(risk_message), `Analytic Stories` = values(analyticstories), Annotations = values(annotations._all), " +
	"`ATT&CK Tactics` = values(annotations.mitre_attack.mitre_tactic) by normalized_risk_object\n" +
	"| eval firstTime = strftime(firstTime, \"%Y-%m-%dT%H:%M:%S\")\n" +
	"| eval lastTime = strftime(lastTime, \"%Y-%m-%dT%H:%M:%S\")"

// fillTokens fills a drilldown's tokens as tripline does for an alert on
// the user alice.
func fillTokens(s string) string {
	return strings.NewReplacer("$user$", "alice", "$info_min_time$", "1764000000", "$info_max_time$", "1764003600").Replace(s)
}

func TestParseRiskDrilldown(t *testing.T) {
	if got := mustParse(t, fillTokens(riskDrilldown)).String(); got != riskDrilldownPlan {
		t.Errorf("risk drilldown plan:\n%s\nwant:\n%s", got, riskDrilldownPlan)
	}
}

// TestParseRiskDrilldownSeedFile checks that the seed document's risk
// drilldown is the one above, so that it really runs verbatim.
func TestParseRiskDrilldownSeedFile(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), "seeds", "003_*.txt"))
	if len(files) == 0 {
		t.Skip("seed 003 not found; skipping")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "search:'"+riskDrilldown+"'") {
		t.Fatalf("the seed's risk drilldown is not the test's")
	}
}

func TestParseDatamodel(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"from datamodel", "| from datamodel Risk.All_Risk", "spl: from datamodel=Risk.All_Risk"},
		{"from datamodel colon", "| from datamodel:Risk.All_Risk | stats count",
			"spl: from datamodel=Risk.All_Risk\n| stats count = count()"},
		{"from datamodel colon quoted", `| from datamodel:"Risk.All_Risk"`, "spl: from datamodel=Risk.All_Risk"},
		{"from datamodel spaced colon", "| FROM datamodel :Risk", "spl: from datamodel=Risk"},
		{"datamodel search", "| datamodel Risk All_Risk search | search All_Risk.risk_object=bob",
			"spl: from datamodel=Risk.All_Risk\n| where search(All_Risk.risk_object = \"bob\")"},
		{"datamodel flat", "| datamodel Risk flat", "spl: from datamodel=Risk"},
		{"ago modifiers", "| from datamodel Risk | search startminutesago=5 enddaysago=1",
			"spl: from datamodel=Risk\n| where (_time >= (now() - 300)) AND (_time < (now() - 86400))"},
		{"earliest latest", "| from datamodel Risk | search earliest=-7d@d latest=now",
			"spl: from datamodel=Risk\n| where (_time >= relative_time(now(), \"-7d@d\")) AND (_time < now())"},
		{"epoch modifiers", "| from datamodel Risk | search earliest=1764000000 latest=1764003600.5 x=1",
			"spl: from datamodel=Risk\n| where ((_time >= 1764000000) AND (_time < 1.7640036005e+09)) AND search(x = \"1\")"},
		{"all time and unsupported modifiers drop", "| from datamodel Risk | search earliest=0 starttime=\"01/01/2024:00:00:00\"",
			"spl: from datamodel=Risk"},
		{"raw search still drops modifiers", "`cloudtrail` starthoursago=1 | search earliest=-1h x=1",
			"spl: from sourcetype=aws:cloudtrail\n| where search(x = \"1\")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.src).String(); got != tt.want {
				t.Errorf("Parse(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseDatamodelErrors(t *testing.T) {
	tests := []struct{ name, src, pos, msg string }{
		{"from a lookup", "| from inputlookup:x", "1:8", "only a data model can be read"},
		{"from datamodel no name", "| from datamodel", "1:17", "expected a data model name"},
		{"from datamodel extra", "| from datamodel Risk x", "1:23", `unexpected "x" after the data model name`},
		{"datamodel describe", "| datamodel Risk All_Risk", "1:18", "only the search and flat modes"},
		{"datamodel empty", "| datamodel", "1:12", "expected a data model name"},
		{"datamodel too many", "| datamodel a b c search", "1:17", `unexpected "c" after the dataset name`},
		{"bad hours", "| from datamodel Risk | search starthoursago=-1", "1:46", "starthoursago needs a whole number"},
		{"bad earliest", "| from datamodel Risk | search earliest=yesterday", "1:41", "earliest needs epoch seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src, NewMacros())
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *syntax.Error", tt.src, err)
			}
			if !strings.HasPrefix(se.Error(), tt.pos+": ") || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q) error %q, want at %s containing %q", tt.src, se.Error(), tt.pos, tt.msg)
			}
			if se.Span.Start < 0 || se.Span.End < se.Span.Start || int(se.Span.End) > len(tt.src) {
				t.Errorf("span %v outside the input of length %d", se.Span, len(tt.src))
			}
		})
	}
}
