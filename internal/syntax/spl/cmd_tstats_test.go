package spl

import (
	"errors"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

// Search Reference, "tstats": aggregates over the events of a data model
// dataset that match where, grouped by the by-fields, _time bucketed by
// span=. CIM, "drop_dm_object_name": renames Dataset.* to *.
func TestParseTstats(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"count by user", "| tstats count from datamodel=Change where All_Changes.action=created by All_Changes.user",
			"spl: from datamodel=Change\n" +
				"| where search(tag = \"change\") AND search(All_Changes.action = \"created\")\n" +
				"| stats count = count() by All_Changes.user"},
		{"options, aliases, span and drop_dm_object_name",
			"| tstats `security_content_summariesonly` count as n values(All_Changes.object_id) from datamodel=Change " +
				"where All_Changes.status=success by All_Changes.user _time span=1h | `drop_dm_object_name(\"All_Changes\")`",
			"spl: from datamodel=Change\n" +
				"| where search(tag = \"change\") AND search(All_Changes.status = \"success\")\n" +
				"| eval _time = bin(_time, 1 hours)\n" +
				"| stats n = count(), `values(All_Changes.object_id)` = values(All_Changes.object_id) by user = All_Changes.user, _time"},
		{"child dataset fields", "| tstats count from datamodel=Change by All_Changes.Instance_Changes.image_id, All_Changes.user " +
			"| `drop_dm_object_name(\"All_Changes\")` | `drop_dm_object_name(\"Instance_Changes\")` | where image_id != \"unknown\"",
			"spl: from datamodel=Change\n" +
				"| where search(tag = \"change\")\n" +
				"| stats count = count() by image_id = All_Changes.Instance_Changes.image_id, user = All_Changes.user\n" +
				"| where image_id != \"unknown\""},
		{"nodename selects a child dataset", "| tstats count from datamodel=Change where nodename=All_Changes.Instance_Changes by All_Changes.user",
			"spl: from datamodel=Change\n" +
				"| where search(tag = \"change\") AND search(tag = \"instance\")\n" +
				"| stats count = count() by All_Changes.user"},
		{"upper-case keywords, spaced =, commas", "| tstats count earliest(_time) as firstTime, latest(_time) as lastTime from datamodel=Authentication " +
			"WHERE Authentication.action = failure BY Authentication.src, Authentication.user | `drop_dm_object_name(Authentication)`",
			"spl: from datamodel=Authentication\n" +
				"| where (search(tag = \"authentication\") AND (NOT (search(action = \"success\") AND search(user = \"*$\")))) AND search(Authentication.action = \"failure\")\n" +
				"| stats count = count(), firstTime = earliest(_time), lastTime = latest(_time) by src = Authentication.src, user = Authentication.user"},
		{"where with OR and parentheses, time modifiers dropped",
			"| tstats count from datamodel=Change where (All_Changes.action=started OR All_Changes.action=created) earliest=-1d by All_Changes.src",
			"spl: from datamodel=Change\n" +
				"| where search(tag = \"change\") AND (search(All_Changes.action = \"started\") OR search(All_Changes.action = \"created\"))\n" +
				"| stats count = count() by All_Changes.src"},
		{"a by value inside where is not the by", "| tstats count from datamodel=Change where All_Changes.user=by by All_Changes.src",
			"spl: from datamodel=Change\n| where search(tag = \"change\") AND search(All_Changes.user = \"by\")\n| stats count = count() by All_Changes.src"},
		{"risk data model has no constraint", "| tstats count from datamodel=Risk.All_Risk by All_Risk.risk_object | `drop_dm_object_name(All_Risk)`",
			"spl: from datamodel=Risk.All_Risk\n| stats count = count() by risk_object = All_Risk.risk_object"},
		{"prestats leaves the aggregation to stats", "| tstats prestats=t count from datamodel=Change by All_Changes.user | stats count by All_Changes.user",
			"spl: from datamodel=Change\n| where search(tag = \"change\")\n| stats count = count() by All_Changes.user"},
		{"no data model: index-time fields", "| tstats count where index=main sourcetype=aws:cloudtrail by sourcetype",
			"spl: from index=main sourcetype=aws:cloudtrail\n| stats count = count() by sourcetype"},
		{"from datamodel reads the dataset's events", "| from datamodel:Change.Instance_Changes | stats count",
			"spl: from datamodel=Change.Instance_Changes\n| where search(tag = \"change\") AND search(tag = \"instance\")\n| stats count = count()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.src).String(); got != tt.want {
				t.Errorf("Parse(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseTstatsErrors(t *testing.T) {
	tests := []struct{ name, src, pos, msg string }{
		{"no aggregate", "| tstats from datamodel=Change", "1:10", "expected at least one aggregate"},
		{"unknown option", "| tstats foo=1 count", "1:10", "unknown option foo="},
		{"not a data model", "| tstats count from inputlookup", "1:21", "expected datamodel=NAME"},
		{"no data model name", "| tstats count from datamodel=", "1:31", "expected a data model name"},
		{"empty where", "| tstats count from datamodel=Change where by x", "1:44", "expected a search after where"},
		{"bad where", "| tstats count from datamodel=Change where (a=1 by x", "1:53", "expected ) to close the ( at 1:44"},
		{"unknown node", "| tstats count from datamodel=Change where nodename=Nope", "1:53", `has no dataset "Nope"`},
		{"empty by", "| tstats count from datamodel=Change by", "1:38", "expected field names after by"},
		{"bad span", "| tstats count from datamodel=Change by _time span=x", "1:52", "expected a span"},
		{"wildcard by", "| tstats count from datamodel=Change by All_Changes.*", "1:41", "wildcard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src, NewMacros())
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *syntax.Error", tt.src, err)
			}
			if !strings.HasPrefix(se.Error(), tt.pos+": ") || !strings.Contains(se.Msg, tt.msg) || !strings.HasPrefix(se.Msg, "cannot parse tstats command: ") {
				t.Errorf("Parse(%q) error %q, want at %s containing %q", tt.src, se.Error(), tt.pos, tt.msg)
			}
			if se.Span.Start < 0 || se.Span.End < se.Span.Start || int(se.Span.End) > len(tt.src) {
				t.Errorf("span %v outside the input of length %d", se.Span, len(tt.src))
			}
		})
	}
}

// Search Reference, "spath": without path=, spath extracts every field of
// the JSON in input=, named by its path. tripline extracts the ones the
// rest of the search reads, keeping a field the JSON lacks.
func TestParseSpathAll(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"fields read later", "a | spath input=findings | search severity=HIGH | stats count by name, attributes{}.key",
			"spl: from *\n| where search(\"a\")\n" +
				"| eval severity = coalesce(spath(findings, \"severity\"), severity), name = coalesce(spath(findings, \"name\"), name), " +
				"attributes{}.key = coalesce(spath(findings, \"attributes{}.key\"), attributes{}.key)\n" +
				"| where search(severity = \"HIGH\")\n| stats count = count() by name, attributes{}.key"},
		{"fields after the aggregation are its own", "a | spath input=j | stats count by x | where count > 1 AND y=1",
			"spl: from *\n| where search(\"a\")\n| eval x = coalesce(spath(j, \"x\"), x)\n| stats count = count() by x\n| where (count > 1) AND (y == 1)"},
		{"an earlier spath sees what a later one reads", "a | spath input=d | spath input=policy | regex Statement{}.Action=\"\\*\"",
			"spl: from *\n| where search(\"a\")\n" +
				"| eval policy = coalesce(spath(d, \"policy\"), policy), Statement{}.Action = coalesce(spath(d, \"Statement{}.Action\"), Statement{}.Action)\n" +
				"| eval Statement{}.Action = coalesce(spath(policy, \"Statement{}.Action\"), Statement{}.Action)\n" +
				"| where match(Statement{}.Action, \"\\\\*\")"},
		{"nothing read", "a | spath input=j", "spl: from *\n| where search(\"a\")"},
		{"input _raw is the event's own fields", "a | spath | spath input=_raw | table x", "spl: from *\n| where search(\"a\")\n| keep x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.src).String(); got != tt.want {
				t.Errorf("Parse(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}

// Wildcard renames after an aggregation rename the columns it made; before
// one they stay wildcard renames of the event's fields. A rename right
// after the aggregation names its columns.
func TestExpandWildRenames(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"before stats stays", "a | rename requestParameters.* as *",
			"spl: from *\n| where search(\"a\")\n| rename `requestParameters.*` as `*` (missing removes)"},
		{"after stats, evals and renames", "a | stats count by x.a, x.b | eval x.c=1 | rename x.b as y | rename x.* as *",
			"spl: from *\n| where search(\"a\")\n| stats count = count() by x.a, x.b\n| eval x.c = 1\n| rename x.b as y (missing removes)\n" +
				"| rename x.a as a, x.c as c (missing removes)"},
		{"after table", "a | stats count by x.a, x.b | table x.a count | rename x.* as *",
			"spl: from *\n| where search(\"a\")\n| stats count = count() by x.a, x.b\n| keep x.a, count\n| rename x.a as a (missing removes)"},
		{"matching nothing goes", "a | stats count by b | rename x.* as *",
			"spl: from *\n| where search(\"a\")\n| stats count = count() by b"},
		{"suffix patterns", "a | stats count by a_time, b_time | rename *_time as *_t",
			"spl: from *\n| where search(\"a\")\n| stats count = count() by a_t = a_time, b_t = b_time"},
		{"quoted part joined", "a | stats count by x.a | rename \"x\".* as *",
			"spl: from *\n| where search(\"a\")\n| stats count = count() by a = x.a"},
		{"folding stops at a collision", "a | stats count, max(x) as n by k | rename k as n, count as c",
			"spl: from *\n| where search(\"a\")\n| stats count = count(), n = max(x) by k\n| rename k as n, count as c (missing removes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.src).String(); got != tt.want {
				t.Errorf("Parse(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}
