package esql

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
)

// TestCommands parses one command at a time and compares the printed plan
// (without the leading "esql: from index=x\n| ").
func TestCommands(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		// WHERE
		{"where", `where a == 1`, `where a == 1`},
		{"where dotted", `WHERE event.outcome == "failure"`, `where event.outcome == "failure"`},
		{"where @timestamp", `where @timestamp > now() - 1 hour`, `where @timestamp > (now() - 1 hours)`},
		{"where backtick", "where `user name` == \"x\"", "where `user name` == \"x\""},
		{"where backtick part", "where `a b`.c == 1", "where `a b.c` == 1"},
		{"where bool", `where ok`, `where ok`},
		{"where match function", `where match(event.action, "GetObject")`, `where match(event.action : "GetObject")`},
		{"where match text", `where MATCH(message, "access denied")`, `where match(message : "access denied" text)`},
		{"where match cast field", `where match(github.reasons.message::STRING, "refusing to allow")`, `where match(github.reasons.message : "refusing to allow")`},
		{"where match fuzzy", `where match(process.name, "svchost.exe", { "fuzziness": 1, "max_expansions": 10 })`,
			`where match(process.name ~ "svchost.exe" fuzziness=1)`},
		{"where match options", `where match(user_agent.original.text, "aws cli", {"operator": "AND", "fuzziness": "auto", "prefix_length": 2, "fuzzy_transpositions": false, "boost": 1.5, "lenient": true})`,
			`where match(user_agent.original ~ "aws cli" text all fuzziness=AUTO prefix_length=2 no_transpositions)`},
		{"where match no edits", `where match(a, "x", {"fuzziness": 0, "prefix_length": 3})`, `where match(a : "x")`},
		{"where match number", `where match(port, 443)`, `where match(port : "443")`},
		{"where match empty map", `where match(a, "x", {})`, `where match(a : "x")`},
		{"where match operator cast", `where a::keyword : "x"`, `where match(a : "x")`},
		// EVAL
		{"eval assign", `eval x = a + 1`, `eval x = a + 1`},
		{"eval several", `eval x = 1, y = x * 2`, `eval x = 1, y = x * 2`},
		{"eval bare", `eval a + 1`, "eval `a + 1` = a + 1"},
		{"eval bare as written", `EVAL  TO_LOWER( user.name )`, "eval `TO_LOWER( user.name )` = to_lower(user.name)"},
		{"eval bare field", `eval user.name`, `eval user.name`},
		{"eval dotted target", `eval user.x = "a"`, `eval user.x = "a"`},
		{"eval quoted target", "eval `my col` = 1", "eval `my col` = 1"},
		// STATS
		{"stats count star", `stats count(*)`, "stats `count(*)` = count(*)"},
		{"stats named", `stats n = count(*) by user.id`, `stats n = count(*) by user.id`},
		{"stats count no args", `stats c = count()`, `stats c = count()`},
		{"stats several", `stats c = COUNT(x), d = count_distinct(y) by a, b`, `stats c = count(x), d = count_distinct(y) by a, b`},
		{"stats by only", `stats by a, b`, `stats  by a, b`},
		{"stats by expr", `stats c = count(*) by date_trunc(1 minute, @timestamp)`,
			"stats c = count(*) by `date_trunc(1 minute, @timestamp)` = date_trunc(1 minutes, @timestamp)"},
		{"stats by named expr", `stats c = count(*) by b = bucket(@timestamp, 1 hour)`,
			`stats c = count(*) by b = bucket(@timestamp, 1 hours)`},
		{"stats agg of expr", `stats s = sum(a * 2), v = values(to_lower(u))`, `stats s = sum(a * 2), v = values(to_lower(u))`},
		{"stats percentile", `stats p = percentile(latency, 95)`, `stats p = percentile(latency, 95)`},
		{"stats compound", `stats d = max(x) - min(x) by k`,
			"stats `$agg0` = max(x), `$agg1` = min(x) by k\n| eval d = `$agg0` - `$agg1`\n| keep d, k"},
		{"stats compound with key", `stats c = count(*), r = count(*) * k by k`,
			"stats c = count(*), `$agg0` = count(*) by k\n| eval r = `$agg0` * k\n| keep c, r, k"},
		{"stats first last", `stats f = first(lat, @timestamp), l = LAST(lat, @timestamp) by u`,
			`stats f = first($keyed(lat, @timestamp), @timestamp), l = last($keyed(lat, @timestamp), @timestamp) by u`},
		{"stats first filtered", `stats f = first(lat, t) where ok`, `stats f = first(case(ok, $keyed(lat, t), null), t)`},
		{"stats top", `stats t = top(port, 10, "DESC"), u = top(port, 3)`, `stats t = top(port, [10, "desc"]), u = top(port, [3, "asc"])`},
		{"stats scalar over top", `stats p = MV_SLICE(MV_DEDUPE(TOP(port, 10, "asc")), 0, 10) by ip`,
			"stats `$agg0` = top(port, [10, \"asc\"]) by ip\n| eval p = mv_slice(mv_dedupe(`$agg0`), 0, 10)\n| keep p, ip"},
		{"inline stats", `inline stats n = count(*) by user.id`, `inline stats n = count(*) by user.id`},
		{"inlinestats", `INLINESTATS n = max(x) by k`, `inline stats n = max(x) by k`},
		{"inline stats compound", `inline stats r = max(x) / min(x)`,
			"inline stats `$agg0` = max(x), `$agg1` = min(x)\n| eval r = `$agg0` / `$agg1`\n| drop `$agg0`, `$agg1`"},
		// KEEP and DROP
		{"keep", `keep a, b.c, @timestamp`, `keep a, b.c, @timestamp`},
		{"keep patterns", `KEEP user.*, *_id, *`, `keep user.*, *_id, *`},
		{"keep quoted", "keep `a b`", "keep `a b`"},
		{"drop", `drop a, b*`, `drop a, b*`},
		// RENAME
		{"rename as", `rename a as b, c.d AS e`, `rename a as b, c.d as e`},
		{"rename assign", `rename b = a`, `rename a as b`},
		{"rename mixed", "rename `x y` as z, new = old", "rename `x y` as z, old as new"},
		// SORT
		{"sort", `sort a`, `sort a asc`},
		{"sort keys", `SORT a DESC, b ASC NULLS FIRST, c NULLS LAST`, `sort a desc, b asc nulls first, c asc nulls last`},
		{"sort expr", `sort length(a) desc`, `sort length(a) desc`},
		// LIMIT
		{"limit", `limit 10`, `limit 10`},
		{"limit zero", `LIMIT 0`, `limit 0`},
		// MV_EXPAND
		{"mv_expand", `mv_expand tags`, `mv_expand tags`},
		{"mv_expand dotted", "MV_EXPAND `a`.b", `mv_expand a.b`},
		// DISSECT
		{"dissect", `dissect message "%{a} %{b}"`, `dissect message "%{a} %{b}"`},
		{"dissect sep", `dissect message "%{a} %{+a}" APPEND_SEPARATOR = "-"`, `dissect message "%{a} %{+a}" append_separator="-"`},
		{"dissect expr", `dissect to_lower(m) "%{a}"`, `dissect to_lower(m) "%{a}"`},
		// GROK
		{"grok", `grok message "%{WORD:verb} %{NOTSPACE:path}"`, `grok message "%{WORD:verb} %{NOTSPACE:path}"`},
		{"grok typed", `grok message "%{NUMBER:n:int} %{NUMBER:f:float} %{WORD:w}"`,
			"grok message \"%{NUMBER:n:int} %{NUMBER:f:float} %{WORD:w}\"\n| eval n = to_integer(n), f = to_double(f)"},
		// comments
		{"comments", "where a == 1 // trailing\n/* block\ncomment */", `where a == 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, "from x | "+tt.query)
			got = strings.TrimPrefix(got, "esql: from index=x\n| ")
			if got != tt.want {
				t.Errorf("Parse(%q)\ngot:\n%s\nwant:\n%s", tt.query, got, tt.want)
			}
		})
	}
}

func TestFrom(t *testing.T) {
	tests := []struct{ query, want string }{
		{`from logs-aws.cloudtrail-*`, `esql: from index=logs-aws.cloudtrail-*`},
		{`FROM a,b , c`, `esql: from index=a,b,c`},
		{`from "logs-*", """x-*"""`, `esql: from index=logs-*,x-*`},
		{`from remote:logs-*,-logs-excluded*`, `esql: from index=remote:logs-*,-logs-excluded*`},
		{`from logs-* METADATA _id, _index, _version`, `esql: from index=logs-* metadata=_id,_index,_version`},
		{"from logs-*/* c */ // c\n | limit 1", "esql: from index=logs-*\n| limit 1"},
		{`from a metadata _id | where _id == "x"`, "esql: from index=a metadata=_id\n| where _id == \"x\""},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.query); got != tt.want {
			t.Errorf("Parse(%q)\ngot:  %s\nwant: %s", tt.query, got, tt.want)
		}
	}
}

// TestPlanShape checks node types and fields the printed text does not
// show: the first node, Inline, MissingRemoves, the Extract regex.
func TestPlanShape(t *testing.T) {
	q, err := Parse(`from a | rename a as b | inline stats c = count(*) by k | grok m "%{IP:ip}"`)
	if err != nil {
		t.Fatal(detail(err))
	}
	if q.Dialect != plan.ESQL {
		t.Errorf("dialect = %v, want esql", q.Dialect)
	}
	if _, ok := q.Pipeline[0].(*plan.From); !ok {
		t.Errorf("first node is %T, want *plan.From", q.Pipeline[0])
	}
	if r := q.Pipeline[1].(*plan.Rename); r.MissingRemoves {
		t.Error("ES|QL rename must not remove the target of a missing column")
	}
	if s := q.Pipeline[2].(*plan.Stats); !s.Inline {
		t.Error("INLINE STATS must set Inline")
	}
	if _, ok := q.Pipeline[2].(*plan.Stats).Aggs[0].Args[0].(*plan.Star); !ok {
		t.Error("count(*) must have a *plan.Star argument")
	}
	x := q.Pipeline[3].(*plan.Extract)
	if x.Kind != "grok" || len(x.Names) != 1 || x.Names[0] != "ip" || x.Regex == "" {
		t.Errorf("extract = %+v", x)
	}
}
