package rule

import (
	"errors"
	"github.com/tripline/tripline/internal/duration"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validRule() *Rule {
	return &Rule{
		ID: "r1", Name: "A rule", Language: LangESQL, Query: "from x", Severity: "low",
		Interval: 5 * time.Minute, LookBack: 6 * time.Minute, MaxAlerts: 100, Format: FormatNative,
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Rule)
		want   string // substring of the error; "" means valid
	}{
		{"valid", func(*Rule) {}, ""},
		{"no id", func(r *Rule) { r.ID = " " }, "missing id"},
		{"no name", func(r *Rule) { r.Name = "" }, "missing name"},
		{"other language", func(r *Rule) { r.Language = "lucene" }, `language "lucene" is not one tripline runs`},
		{"other language but skipped", func(r *Rule) { r.Language, r.Query, r.Skip = "lucene", "", "not run" }, ""},
		{"skipped still needs a name", func(r *Rule) { r.Skip, r.Name = "x", "" }, "missing name"},
		{"no query", func(r *Rule) { r.Query = "\n" }, "missing query"},
		{"zero interval", func(r *Rule) { r.Interval = 0 }, "interval must be positive"},
		{"zero look-back", func(r *Rule) { r.LookBack = 0 }, "look-back must be positive"},
		{"negative window end", func(r *Rule) { r.WindowEnd = -time.Minute }, "window end must not be negative"},
		{"negative max alerts", func(r *Rule) { r.MaxAlerts = -1 }, "max alerts must not be negative"},
		{"bad severity", func(r *Rule) { r.Severity = "High" }, `severity "High"`},
		{"risk score", func(r *Rule) { r.RiskScore = 101 }, "risk score 101 is outside 0..100"},
		{"bad framework", func(r *Rule) { r.Threat = []Threat{{Framework: "D3FEND", Tactic: Ref{ID: "x"}}} }, `framework "D3FEND"`},
		{"empty threat", func(r *Rule) { r.Threat = []Threat{{Framework: FrameworkATTACK}} }, "neither a tactic nor a technique"},
		{"technique without id", func(r *Rule) {
			r.Threat = []Threat{{Framework: FrameworkATTACK, Techniques: []Technique{{Ref: Ref{Name: "x"}}}}}
		}, "technique without an id"},
		{"risk type", func(r *Rule) { r.Risk = []RiskObject{{Field: "u", Type: "ip_address", Score: 5}} }, `type "ip_address" is not user, system or other`},
		{"threat object type", func(r *Rule) { r.Risk = []RiskObject{{Field: "src", Threat: true}} }, "threat object 1: missing type"},
		{"risk field", func(r *Rule) { r.Risk = []RiskObject{{Type: "user"}} }, "risk object 1: missing field"},
		{"drilldown", func(r *Rule) { r.Drilldowns = []Drilldown{{Name: "x"}} }, "drilldown 1: needs a name and a search"},
		{"suppression group", func(r *Rule) { r.Suppression = &Suppression{} }, "group_by is empty"},
		{"suppression strategy", func(r *Rule) { r.Suppression = &Suppression{GroupBy: []string{"a"}, MissingFields: "drop"} }, `missing_fields "drop"`},
		{"test without events", func(r *Rule) { r.Tests = []Test{{Name: "t", ExpectNone: true}} }, "no events and no files"},
		{"test with both expectations", func(r *Rule) {
			r.Tests = []Test{{Name: "t", EventFiles: []string{"f"}, ExpectNone: true, Expect: []map[string]any{{}}}}
		}, "either expect or expect_none"},
		{"test with neither expectation", func(r *Rule) { r.Tests = []Test{{Name: "t", EventFiles: []string{"f"}}} }, "either expect or expect_none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRule()
			tt.change(r)
			err := r.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	r := validRule()
	r.LookBack, r.WindowEnd = time.Hour, 10*time.Minute
	tick := time.Date(2024, 12, 5, 11, 0, 0, 0, time.UTC)
	start, end := r.Window(tick)
	if !start.Equal(time.Date(2024, 12, 5, 9, 50, 0, 0, time.UTC)) || !end.Equal(time.Date(2024, 12, 5, 10, 50, 0, 0, time.UTC)) {
		t.Errorf("window [%s, %s)", start, end)
	}
}

func TestProblemString(t *testing.T) {
	err := errors.New("boom")
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Line: 3, Col: 7, Err: err}, "a.yaml:3:7: boom"},
		{Problem{File: "a.yaml", Line: 3, Err: err}, "a.yaml:3: boom"},
		{Problem{File: "a.yaml", Col: 9, Err: err}, "a.yaml: boom"},
		{Problem{File: "a.yaml"}, "a.yaml"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want || tt.p.Error() != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if !errors.Is(Problem{Err: err}, err) {
		t.Errorf("Problem does not unwrap to its error")
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"10m", 10 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"0", 0, false},
		{"360s", 6 * time.Minute, false},
		{"", 0, true},
		{"10 minutes", 0, true},
		{"5y", 0, true},
		{"-5d", 0, true},
		{"99999999999999999d", 0, true},
	}
	for _, tt := range tests {
		got, err := duration.Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("duration.Parse(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestParseElasticFrom(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"now-6m", 6 * time.Minute, false},
		{"now-60m", time.Hour, false},
		{"now-1h/h", time.Hour, false},
		{"now-2d", 48 * time.Hour, false},
		{"now", 0, true},
		{"2024-01-01", 0, true},
		{"now-abc", 0, true},
	}
	for _, tt := range tests {
		got, err := parseElasticFrom(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseElasticFrom(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestParseSplunkRelative(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"-70m@m", 70 * time.Minute, false},
		{"-10m@m", 10 * time.Minute, false},
		{"-24h", 24 * time.Hour, false},
		{"-7d@d", 7 * 24 * time.Hour, false},
		{"-h", time.Hour, false},
		{"-30min", 30 * time.Minute, false},
		{"-2hours", 2 * time.Hour, false},
		{"now", 0, false},
		{"0", 0, false},
		{"-1mon", 0, true},
		{"+5m", 0, true},
		{"yesterday", 0, true},
	}
	for _, tt := range tests {
		got, err := parseSplunkRelative(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseSplunkRelative(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestCronInterval(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"0 * * * *", time.Hour, false},
		{"*/10 * * * *", 10 * time.Minute, false},
		{"* * * * *", time.Minute, false},
		{"5 */4 * * *", 4 * time.Hour, false},
		{"30 2 * * *", 24 * time.Hour, false},
		{"0 0 * * 1", 0, true},
		{"0 * *", 0, true},
		{"*/0 * * * *", 0, true},
		{"1,31 * * * *", 0, true},
	}
	for _, tt := range tests {
		got, err := cronInterval(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("cronInterval(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestSeverityForScore(t *testing.T) {
	tests := []struct {
		score int
		want  string
	}{{0, "medium"}, {1, "low"}, {39, "low"}, {40, "medium"}, {50, "medium"}, {59, "medium"}, {60, "high"}, {79, "high"}, {80, "critical"}, {100, "critical"}}
	for _, tt := range tests {
		if got := severityForScore(tt.score, "medium"); got != tt.want {
			t.Errorf("severityForScore(%d) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestAttackThreats(t *testing.T) {
	got := attackThreats([]string{"T1580", "t1087", "T1078.004", "T1078", "T1562.008", " "})
	var flat []string
	for _, th := range got {
		for _, te := range th.Techniques {
			s := th.Tactic.ID + "/" + th.Tactic.Name + "/" + te.ID + "/" + te.Name
			for _, st := range te.Subtechniques {
				s += "/" + st.ID
			}
			flat = append(flat, s)
		}
	}
	want := []string{
		"TA0007/Discovery/T1580/Cloud Infrastructure Discovery",
		"TA0007/Discovery/T1087/Account Discovery",
		"//T1078/Valid Accounts/T1078.004",
		"TA0005/Defense Evasion/T1562/Impair Defenses/T1562.008",
	}
	if strings.Join(flat, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(flat, "\n"), strings.Join(want, "\n"))
	}
}

func TestAtlasFromTags(t *testing.T) {
	have := []Threat{{Framework: FrameworkATLAS, Techniques: []Technique{{Ref: Ref{ID: "AML.T0034"}}}}}
	got := atlasFromTags([]string{"Mitre Atlas: T0015", "MITRE ATLAS: AML.T0034", "mitre atlas:T0099", "Mitre Atlas: nonsense", "Domain: LLM", "Mitre Atlas: T0015"}, have)
	if len(got) != 1 || len(got[0].Techniques) != 2 {
		t.Fatalf("got %+v", got)
	}
	a, b := got[0].Techniques[0], got[0].Techniques[1]
	if a.ID != "AML.T0015" || a.Name != "Evade AI Model" || a.Reference != "https://atlas.mitre.org/techniques/AML.T0015" {
		t.Errorf("first technique %+v", a)
	}
	if b.ID != "AML.T0099" || b.Name != "" {
		t.Errorf("unknown ATLAS technique should keep an empty name: %+v", b)
	}
	if got[0].Tactic.ID != "" || got[0].Framework != FrameworkATLAS {
		t.Errorf("threat %+v", got[0])
	}
}

// fuzzSeeds returns the test fixtures with an extension, as fuzz seeds.
func fuzzSeeds(f *testing.F, exts ...string) {
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				f.Add(b)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

func fuzzParse(t *testing.T, name string, data []byte) {
	rules, probs := DefaultOptions().parse(name, data)
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Errorf("returned rule does not validate: %v", err)
		}
		if r.File != name || r.Line < 1 {
			t.Errorf("rule without a place: %q:%d", r.File, r.Line)
		}
	}
	for _, p := range probs {
		if p.Err == nil || p.File != name {
			t.Errorf("problem without an error or file: %+v", p)
		}
	}
}

func FuzzLoadYAML(f *testing.F) {
	fuzzSeeds(f, ".yaml", ".yml")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "fuzz.yaml", data) })
}

func FuzzLoadTOML(f *testing.F) {
	fuzzSeeds(f, ".toml")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "fuzz.toml", data) })
}

func FuzzLoadNDJSON(f *testing.F) {
	fuzzSeeds(f, ".ndjson")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "fuzz.ndjson", data) })
}
