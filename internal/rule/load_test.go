package rule

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// summary is what the load tests compare for one rule.
type summary struct {
	Format, Language, Type, Severity       string
	Interval, LookBack, WindowEnd          time.Duration
	MaxAlerts, RiskScore, Version          int
	Skipped                                bool
	Threat                                 []string // framework|tactic|technique(,sub)
	Risk                                   []RiskObject
	Suppression                            *Suppression
	TimestampOverride, RiskMessage, Status string
}

func summarize(r *Rule) summary {
	s := summary{
		Format: r.Format, Language: r.Language, Type: r.Type, Severity: r.Severity,
		Interval: r.Interval, LookBack: r.LookBack, WindowEnd: r.WindowEnd,
		MaxAlerts: r.MaxAlerts, RiskScore: r.RiskScore, Version: r.Version,
		Skipped: r.Skip != "", Risk: r.Risk, Suppression: r.Suppression,
		TimestampOverride: r.TimestampOverride, Status: r.Status,
	}
	if m, ok := r.Extra["risk_message"].(string); ok {
		s.RiskMessage = m
	}
	for _, th := range r.Threat {
		for _, te := range th.Techniques {
			id := te.ID
			for _, st := range te.Subtechniques {
				id += "," + st.ID
			}
			s.Threat = append(s.Threat, th.Framework+"|"+th.Tactic.ID+"|"+id)
		}
	}
	return s
}

func loadDir(t *testing.T, dir string) (map[string]*Rule, []Problem) {
	t.Helper()
	rules, probs := LoadFS(os.DirFS("testdata"), dir)
	byID := map[string]*Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	return byID, probs
}

func TestLoadFormats(t *testing.T) {
	rules, probs := loadDir(t, "good")
	for _, p := range probs {
		t.Errorf("unexpected problem: %s", p)
	}
	const m = time.Minute
	tests := []struct {
		id   string
		want summary
	}{
		{"tl-native-esql-1", summary{
			Format: FormatNative, Language: "esql", Type: "esql", Severity: "medium",
			Interval: 15 * m, LookBack: 120 * m, MaxAlerts: 100, RiskScore: 40, Version: 2,
			Threat:      []string{"MITRE ATLAS|AML.TA0011|AML.T0029", "MITRE ATT&CK|TA0005|T1562,T1562.008"},
			Suppression: &Suppression{GroupBy: []string{"user.id"}, Duration: 24 * time.Hour},
			RiskMessage: "$user.id$ was throttled $n$ times",
		}},
		{"tl-native-spl-1", summary{
			Format: FormatNative, Language: "spl", Type: "ttp", Severity: "low",
			Interval: time.Hour, LookBack: time.Hour, WindowEnd: 10 * m, Version: 1,
		}},
		{"tl-native-kql-1", summary{
			Format: FormatNative, Language: "kuery", Type: "kuery", Severity: "low",
			Interval: 5 * m, LookBack: 6 * m, MaxAlerts: 100, Version: 1,
		}},
		{"0f5c1b7e-7a3c-4cf2-9d47-5a0e1f3b9a01", summary{
			Format: FormatSplunkYAML, Language: "spl", Type: "ttp", Severity: "high", Status: "production",
			Interval: time.Hour, LookBack: time.Hour, WindowEnd: 10 * m, RiskScore: 64, Version: 4,
			Threat: []string{"MITRE ATT&CK|TA0005|T1562,T1562.008", "MITRE ATT&CK|TA0007|T1580", "MITRE ATT&CK||T9999"},
			Risk: []RiskObject{
				{Field: "user_name", Type: "user", Score: 64},
				{Field: "dest", Type: "system", Score: 30},
				{Field: "src", Type: "ip_address", Threat: true},
			},
			RiskMessage: "$user_name$ deleted a guardrail from $src$",
		}},
		{"5b7e3f8a-1d2c-4e6f-8a9b-0c1d2e3f4a5b", summary{
			Format: FormatSplunkYAML, Language: "spl", Type: "anomaly", Severity: "high", Status: "experimental",
			Interval: 30 * m, LookBack: 35 * m, WindowEnd: 5 * m, RiskScore: 63, Version: 2,
			Threat: []string{"MITRE ATT&CK|TA0003|T1136"},
			Risk: []RiskObject{
				{Field: "user", Type: "user", Score: 63},
				{Field: "src", Type: "ip_address", Threat: true},
			},
		}},
		{"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", summary{
			Format: FormatSplunkYAML, Language: "spl", Type: "ttp", Severity: "high", Status: "production",
			Interval: time.Hour, LookBack: time.Hour, WindowEnd: time.Hour, RiskScore: 35, Version: 1,
			Threat: []string{"MITRE ATT&CK|TA0009|T1530"},
			Risk: []RiskObject{
				{Field: "user", Type: "user", Score: 35},
				{Field: "src", Type: "ip_address", Threat: true},
			},
			RiskMessage: "$user$ changed a bucket policy from $src$",
		}},
		{"3f0e2b1c-9d8a-4b7c-a6e5-d4c3b2a1f0e9", summary{
			Format: FormatElasticTOML, Language: "esql", Type: "esql", Severity: "medium", Status: "production",
			Interval: 10 * m, LookBack: 60 * m, MaxAlerts: 50, RiskScore: 47, Version: 1,
			Threat: []string{
				"MITRE ATLAS|AML.TA0011|AML.T0034",
				"MITRE ATT&CK|TA0001|T1078,T1078.004",
				"MITRE ATLAS||AML.T0051", "MITRE ATLAS||AML.T0054",
			},
			Suppression:       &Suppression{GroupBy: []string{"user.id"}, Duration: 2 * time.Hour, MissingFields: "doNotSuppress"},
			TimestampOverride: "event.ingested",
		}},
		{"b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", summary{
			Format: FormatElasticTOML, Language: "kuery", Type: "query", Severity: "low", Status: "production",
			Interval: 5 * m, LookBack: 6 * m, MaxAlerts: 100, RiskScore: 21, Version: 1,
		}},
		{"c0ffee00-1111-4222-8333-444455556666", summary{
			Format: FormatKibanaNDJSON, Language: "esql", Type: "esql", Severity: "high",
			Interval: 5 * m, LookBack: 15 * m, MaxAlerts: 25, RiskScore: 73, Version: 7,
			Threat:      []string{"MITRE ATT&CK|TA0007|T1580", "MITRE ATLAS||AML.T0015"},
			Suppression: &Suppression{GroupBy: []string{"user.id"}, Duration: 30 * m, MissingFields: "suppress"},
		}},
		{"2d6e8f1a-3b4c-4d5e-9f6a-7b8c9d0e1f2a", summary{
			Format: FormatSigmaYAML, Language: "sigma", Type: "sigma", Severity: "high", Status: "experimental",
			Interval: 5 * m, LookBack: 5 * m, RiskScore: 73, Version: 1,
			Threat: []string{"MITRE ATT&CK|TA0005|T1562,T1562.008"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r := rules[tt.id]
			if r == nil {
				t.Fatalf("rule %s not loaded", tt.id)
			}
			if got := summarize(r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("loaded rule does not validate: %v", err)
			}
		})
	}
	// Exported summary, exception list and macro documents are not rules;
	// everything else in good/ is one.
	if len(rules) != 15 {
		t.Errorf("loaded %d rules, want 15", len(rules))
	}
}

func TestLoadKeepsText(t *testing.T) {
	rules, _ := loadDir(t, "good")
	tests := []struct{ id, query string }{
		{"tl-native-esql-1", "from logs-aws_bedrock.invocation-*\n| where gen_ai.response.error_code == \"ThrottlingException\"\n| stats n = count(*) by user.id\n| where n > 20"},
		{"tl-native-spl-1", "`cloudtrail` eventName=ConsoleLogin additionalEventData.MFAUsed=No\n| stats count by user_name src\n"},
		{"3f0e2b1c-9d8a-4b7c-a6e5-d4c3b2a1f0e9", "from logs-aws_bedrock.invocation-*\n| where gen_ai.policy.action == \"BLOCKED\"\n| stats n = count(*) by user.id\n| where n > 5\n"},
		{"c0ffee00-1111-4222-8333-444455556666", "from logs-aws_bedrock.invocation-*\n| where gen_ai.response.error_code == \"AccessDeniedException\"\n| stats n = count(*) by user.id"},
		{"0f5c1b7e-7a3c-4cf2-9d47-5a0e1f3b9a01", "`cloudtrail` eventSource=bedrock.amazonaws.com eventName=DeleteGuardrail | stats count min(_time) as firstTime by src user_name | `bedrock_guardrail_deleted_filter`"},
	}
	for _, tt := range tests {
		if r := rules[tt.id]; r == nil || r.Query != tt.query {
			t.Errorf("%s: query\n%q\nwant\n%q", tt.id, r.Query, tt.query)
		}
	}
	sig := rules["2d6e8f1a-3b4c-4d5e-9f6a-7b8c9d0e1f2a"]
	raw, err := os.ReadFile("testdata/good/sigma_rule.yml")
	if err != nil {
		t.Fatal(err)
	}
	if sig.Query != strings.TrimRight(string(raw), "\n")+"\n" {
		t.Errorf("sigma query is not the document text:\n%s", sig.Query)
	}
	spl := rules["0f5c1b7e-7a3c-4cf2-9d47-5a0e1f3b9a01"]
	wantDD := []Drilldown{
		{Name: `View the detection results for - "$user_name$"`, Search: `%original_detection_search% | search user_name = "$user_name$"`, EarliestOffset: "$info_min_time$", LatestOffset: "$info_max_time$"},
		{Name: "Older events", Search: "| from datamodel Risk.All_Risk", EarliestOffset: "7d", LatestOffset: "0"},
	}
	if !reflect.DeepEqual(spl.Drilldowns, wantDD) {
		t.Errorf("drilldowns %+v", spl.Drilldowns)
	}
	if got := spl.Tags; !reflect.DeepEqual(got, []string{"Data Source: AWS CloudTrail DeleteGuardrail", "Analytic Story: AWS Bedrock Security", "Asset Type: AWS Account", "Security Domain: threat"}) {
		t.Errorf("splunk tags %q", got)
	}
	if spl.Extra["tests"] == nil {
		t.Errorf("splunk attack_data tests not kept in Extra")
	}
	el := rules["3f0e2b1c-9d8a-4b7c-a6e5-d4c3b2a1f0e9"]
	if el.Guide != "## Triage\n\nCheck the caller.\n" || el.License != "Elastic License v2" || !reflect.DeepEqual(el.Authors, []string{"Example Author"}) {
		t.Errorf("elastic metadata: guide %q license %q authors %q", el.Guide, el.License, el.Authors)
	}
	if md, _ := el.Extra["metadata"].(map[string]any); md["creation_date"] != "2025/01/02" {
		t.Errorf("elastic metadata not kept: %v", el.Extra)
	}
}

func TestLoadProblems(t *testing.T) {
	rules, probs := loadDir(t, "broken")
	tests := []struct {
		file   string
		line   int
		col    int
		substr string
	}{
		{"broken/elastic_badfrom.toml", 8, 3, `rule.from: cannot parse from "yesterday"`},
		{"broken/elastic_syntax.toml", 6, 7, "cannot parse TOML: expected a comma"},
		{"broken/export_badline.ndjson", 2, 80, "invalid character 'l'"},
		{"broken/export_badline.ndjson", 4, 1, "not a JSON object"},
		{"broken/native_badsev.yaml", 5, 11, `severity "urgent"`},
		{"broken/native_duration.yaml", 7, 13, `cannot parse duration "10 minutes"`},
		{"broken/native_invalid.yaml", 1, 0, "missing name; risk score 140 is outside 0..100"},
		{"broken/native_type.yaml", 6, 13, "cannot unmarshal !!str `many` into int"},
		{"broken/native_unknown_key.yaml", 8, 1, `unknown key "riskscore"`},
		{"broken/splunk_badscore.yml", 13, 12, "rba.risk_objects[0].score: want a whole number"},
		{"broken/unknown_format.yaml", 1, 1, "cannot tell the rule format"},
		// yaml.v3 gives parser errors a line but no column (and counts the
		// line of the unclosed "[" from zero).
		{"broken/yaml_syntax.yaml", 3, 0, "cannot parse YAML: did not find expected ',' or ']'"},
	}
	if len(probs) != len(tests) {
		for _, p := range probs {
			t.Log(p)
		}
		t.Fatalf("got %d problems, want %d", len(probs), len(tests))
	}
	for i, tt := range tests {
		p := probs[i]
		if p.File != tt.file || p.Line != tt.line || p.Col != tt.col || !strings.Contains(p.Err.Error(), tt.substr) {
			t.Errorf("problem %d: got %s (line %d col %d)\nwant %s:%d:%d containing %q", i, p, p.Line, p.Col, tt.file, tt.line, tt.col, tt.substr)
		}
	}
	for _, id := range []string{"tl-broken-dir-good", "aa000000-0000-4000-8000-000000000001", "aa000000-0000-4000-8000-000000000003"} {
		if rules[id] == nil {
			t.Errorf("good rule %s next to broken ones did not load", id)
		}
	}
	if len(rules) != 3 {
		t.Errorf("loaded %d rules from broken/, want 3", len(rules))
	}
}

func TestDuplicateIDs(t *testing.T) {
	rules, probs := loadDir(t, "dup")
	want := []string{
		`dup/a.yaml:7: duplicate rule id "dup-1": already defined at dup/a.yaml:1`,
		`dup/b.toml:1: duplicate rule id "dup-1": already defined at dup/a.yaml:1`,
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n%q\nwant\n%q", got, want)
	}
	if r := rules["dup-1"]; r == nil || r.Name != "First" {
		t.Errorf("the first definition of dup-1 should win, got %+v", r)
	}
	if rules["dup-2"] == nil || len(rules) != 2 {
		t.Errorf("loaded %d rules, want dup-1 and dup-2", len(rules))
	}
}

func TestSkipReasons(t *testing.T) {
	rules, _ := loadDir(t, "good")
	tests := []struct{ id, reason string }{
		{"tl-native-lucene-1", `language "lucene" is not one tripline runs`},
		{"b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e", "Elastic query rules in Lucene syntax are not supported"},
		{"c0ffee00-1111-4222-8333-444455556669", "machine learning rules"},
	}
	for _, tt := range tests {
		r := rules[tt.id]
		if r == nil {
			t.Errorf("%s: skipped rule not listed", tt.id)
			continue
		}
		if r.Runnable() || !strings.Contains(r.Skip, tt.reason) {
			t.Errorf("%s: skip %q, want it to contain %q", tt.id, r.Skip, tt.reason)
		}
	}
	// EQL rules load to run; a sequence is found, and skipped, when its
	// query parses (internal/engine).
	if r := rules["c0ffee00-1111-4222-8333-444455556667"]; r == nil || !r.Runnable() || r.Language != LangEQL {
		t.Errorf("the EQL rule should load to run in eql, got %+v", r)
	}
	for id, r := range rules {
		if r.Runnable() && r.Language != LangESQL && r.Language != LangSPL && r.Language != LangSigma && r.Language != LangKQL && r.Language != LangEQL {
			t.Errorf("%s runs in language %q", id, r.Language)
		}
	}
}

func TestNativeTests(t *testing.T) {
	rules, _ := loadDir(t, "good")
	r := rules["tl-native-esql-1"]
	if len(r.Tests) != 2 {
		t.Fatalf("got %d tests, want 2", len(r.Tests))
	}
	t1, t2 := r.Tests[0], r.Tests[1]
	if t1.Name != "a burst is seen" || t1.LogType != "bedrock-invocation" || t1.Line != 35 || t1.ExpectNone {
		t.Errorf("test 1 header: %+v", t1)
	}
	if len(t1.Events) != 2 || !reflect.DeepEqual(t1.EventFiles, []string{"events/throttle.json"}) {
		t.Fatalf("test 1 events %v files %v", t1.Events, t1.EventFiles)
	}
	if ts := t1.Events[0]["timestamp"]; ts != "2024-05-02T10:01:00Z" {
		t.Errorf("timestamp became %T %v, want the text as written", ts, ts)
	}
	if n := t1.Events[0]["n"]; n != 1.5 {
		t.Errorf("number became %T %v", n, n)
	}
	if ts := t1.Events[1]["timestamp"]; ts != "2024-05-02 10:02:00" {
		t.Errorf("event given as a JSON string: timestamp %v", ts)
	}
	wantExpect := []map[string]any{{"group": map[string]any{"user.id": "arn:aws:iam::111122223333:role/app"}, "n": int64(21)}}
	if !reflect.DeepEqual(t1.Expect, wantExpect) {
		t.Errorf("expect %#v", t1.Expect)
	}
	js, err := t1.EventJSON()
	if err != nil || string(js[1]) != `{"errorCode":"ThrottlingException","identity":{"arn":"arn:aws:iam::111122223333:role/app"},"timestamp":"2024-05-02 10:02:00"}` {
		t.Errorf("EventJSON: %s, %v", js, err)
	}
	if !t2.ExpectNone || len(t2.Expect) != 0 {
		t.Errorf("test 2: %+v", t2)
	}
	if r.Extra["owner"] != "detection-team" || r.Extra["origin"] == nil {
		t.Errorf("extra and origin not kept: %v", r.Extra)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rule := "id: %s\nname: n\nlanguage: esql\nquery: from x\nseverity: low\n"
	write("pack/a.yaml", strings.Replace(rule, "%s", "a", 1))
	write("pack/sub/b.yml", strings.Replace(rule, "%s", "b", 1))
	write("pack/.hidden/c.yaml", strings.Replace(rule, "%s", "c", 1))
	write("pack/notes.json", `{"rule_id":"d"}`)
	single := write("single.yaml", strings.Replace(rule, "%s", "e", 1))
	other := write("rule.txt", "x")

	rules, probs := Load([]string{filepath.Join(dir, "pack"), single, other, filepath.Join(dir, "missing")})
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "e"}) {
		t.Errorf("loaded %v, want [a b e]", ids)
	}
	if len(probs) != 2 || !strings.Contains(probs[0].String(), "cannot read rules") || !strings.Contains(probs[1].String(), `unknown file type ".txt"`) {
		t.Errorf("problems: %v", probs)
	}
	if rules[0].File != filepath.Join(dir, "pack", "a.yaml") {
		t.Errorf("File %q", rules[0].File)
	}
}

func TestOptions(t *testing.T) {
	doc := []byte("name: N\nid: x\ntype: Hunting\nstatus: production\nsearch: index=main | stats count\n")
	tests := []struct {
		name string
		opt  Options
		sev  string
		win  Schedule
	}{
		{"defaults", Options{}, "medium", Schedule{time.Hour, time.Hour, 10 * time.Minute}},
		{"overridden", Options{SplunkSeverity: "high", Splunk: Schedule{15 * time.Minute, 30 * time.Minute, 0}}, "high", Schedule{15 * time.Minute, 30 * time.Minute, 0}},
		{"invalid severity falls back", Options{SplunkSeverity: "urgent"}, "medium", Schedule{time.Hour, time.Hour, 10 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, probs := tt.opt.withDefaults().parse("x.yml", doc)
			if len(probs) != 0 || len(rules) != 1 {
				t.Fatalf("rules %v problems %v", rules, probs)
			}
			r := rules[0]
			if r.Severity != tt.sev || (Schedule{r.Interval, r.LookBack, r.WindowEnd}) != tt.win {
				t.Errorf("severity %s schedule %v/%v/%v", r.Severity, r.Interval, r.LookBack, r.WindowEnd)
			}
		})
	}
}

func TestSplunkSkips(t *testing.T) {
	// A correlation search runs: over the risk events of tripline's
	// alerts (see internal/engine).
	if rules, probs := DefaultOptions().parse("x.yml", []byte("name: N\nid: x\ntype: Correlation\nsearch: '| tstats count from datamodel=Risk'\n")); len(probs) != 0 || len(rules) != 1 || rules[0].Skip != "" {
		t.Errorf("a correlation search: rules %v problems %v", rules, probs)
	}
	tests := []struct{ doc, reason string }{
		{"name: N\nid: x\ntype: TTP\nstatus: deprecated\nsearch: index=main\n", "the detection is deprecated"},
	}
	for _, tt := range tests {
		rules, probs := DefaultOptions().parse("x.yml", []byte(tt.doc))
		if len(probs) != 0 || len(rules) != 1 || !strings.Contains(rules[0].Skip, tt.reason) {
			t.Errorf("%q: rules %v problems %v", tt.doc, rules, probs)
		}
	}
}

func TestNativeErrors(t *testing.T) {
	head := "id: x\nname: n\nseverity: low\n"
	tests := []struct {
		name, doc, want string
	}{
		{"no language", head + "query: from a\n", "x.yaml:1:1: missing language"},
		{"empty language", head + "query: from a\nlanguage: ''\n", "x.yaml:5:11: missing language"},
		{"event not an object", head + "language: esql\nquery: from a\ntests:\n  - name: t\n    events: [1]\n    expect_none: true\n", "x.yaml:8:14: test \"t\": each of events must be a JSON object"},
		{"event with bad JSON", head + "language: esql\nquery: from a\ntests:\n  - name: t\n    events: ['{\"a\": }']\n    expect_none: true\n", "x.yaml:8:14: cannot read JSON"},
		{"extra not a mapping", head + "language: esql\nquery: from a\nextra: [1]\n", "x.yaml:6:8: extra must be a mapping"},
		{"alias bomb", head + "language: esql\nquery: from a\nextra:\n  a: &a [x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\n  f: [*e, *e, *e, *e, *e, *e, *e, *e]\n", "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, probs := DefaultOptions().parse("x.yaml", []byte(tt.doc))
			if len(rules) != 0 || len(probs) != 1 || !strings.Contains(probs[0].String(), tt.want) {
				t.Errorf("rules %d, problems %v; want one containing %q", len(rules), probs, tt.want)
			}
		})
	}
}
