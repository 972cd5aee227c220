package esql

import (
	"testing"

	"github.com/tripline/tripline/internal/plan"
)

// FuzzParse checks that Parse never panics, that every error is a
// *syntax.Error with a span inside the input, and that a successful parse
// starts with FROM and prints the same plan twice.
func FuzzParse(f *testing.F) {
	for _, r := range rules {
		f.Add(r.query)
	}
	for _, s := range []string{
		``, `from`, `from x | where a ==`, `from x | where a == "abc`, `from x | eval """a`,
		`from a, "b*" metadata _id | keep *.x, y* | drop z`,
		`from x | stats c = count(*), d = max(a) - min(a) by k, date_trunc(1 hour, @timestamp)`,
		`from x | grok m "%{IP:ip} (?<a>x)(y) %{NUMBER:n:int}" | dissect m "%{a} %{+a}" append_separator = "-"`,
		`from x | where a::long in (1, -2.5, [1,2]) and b not rlike ("a", "b") or c is not null`,
		"from x /* c */ // d\n| sort a desc nulls first | limit 3 | mv_expand `a``b`.c | rename a as b, c = d",
		`from x | where ((((((a))))))`, `from x | eval a = -------1`, `from x | eval 1d, 2 mo, 3 q`,
		`from x | where match(a::string, "x y", {"fuzziness": "AUTO:2,5", "operator": "and", "prefix_length": 1})`,
		`from x | where a rlike """*sh.{1,2}-c*|[\-x]&.|<1-20>"""`,
		`from x | stats f = first(a, @timestamp), l = last(a, t) where ok, t = mv_slice(top(p, 3, "desc"), 0, 1) by k`,
		// The checks after parsing (verify.go).
		"FROM logs-aws.cloudtrail-*\n| STATS c = COUNT(*) BY user.name\n| KEEP user.*, nope*",
		`FROM logs-aws.cloudtrail-* | RENAME user.name AS u | DROP u | WHERE user.name == 1 OR source.ip LIKE "x"`,
		`FROM logs-aws_bedrock.invocation-* | EVAL t = gen_ai.usage.prompt_tokens + "a" | DISSECT t "%{a}"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			se := checkSpan(t, src, err)
			_ = se.Detail()
			if q != nil {
				t.Fatalf("Parse returned both a plan and an error")
			}
			return
		}
		if q.Dialect != plan.ESQL || len(q.Pipeline) == 0 {
			t.Fatalf("bad plan %+v", q)
		}
		if _, ok := q.Pipeline[0].(*plan.From); !ok {
			t.Fatalf("first node is %T", q.Pipeline[0])
		}
		q2, err := Parse(src)
		if err != nil || q2.String() != q.String() {
			t.Fatalf("second parse differs: %v\n%s\nvs\n%s", err, q, q2)
		}
		_ = Check(q)
	})
}
