package lint

import (
	"strings"
	"testing"
)

func TestThresholds(t *testing.T) {
	cases := []struct {
		name, lang, query string
		want              string // substring of the one warning; "" for none
	}{
		{"reachable", "esql", "from logs-* | stats n = count(*) by user.id | where n > 3", ""},
		{"rows below one in a group", "esql", "from logs-* | stats n = count(*) by user.id | where n < 1", `"n < 1" can never be true (n counts at least 1 row in every group)`},
		{"rows equal zero in a group", "esql", "from logs-* | stats n = count(*) by user.id | where n == 0", "can never be true"},
		{"rows below one without by is reachable", "esql", "from logs-* | stats n = count(*) | where n < 1", ""},
		{"literal on the left", "esql", "from logs-* | stats n = count(*) by user.id | where 1 > n", "can never be true"},
		{"negative count of a field", "esql", "from logs-* | stats n = count(user.id) | where n < 0", "never negative"},
		{"count of a field may be zero", "esql", "from logs-* | stats n = count(user.id) by cloud.region | where n < 1", ""},
		{"distinct count at most minus one", "esql", "from logs-* | stats m = count_distinct(user.id) by cloud.region | where m <= -1", "distinct count"},
		{"contradiction in one where", "esql", "from logs-* | stats n = count(*) by user.id | where n > 5 and n < 3", `"n < 3" can never be true`},
		{"contradiction across wheres", "esql", "from logs-* | where gen_ai.usage.prompt_tokens > 100 | where gen_ai.usage.prompt_tokens < 50", "earlier condition"},
		{"an or decides nothing", "esql", "from logs-* | stats n = count(*) by user.id | where n < 1 or n > 3", ""},
		{"eval forgets", "esql", "from logs-* | stats n = count(*) by user.id | eval n = n - 5 | where n < 0", ""},
		{"rename keeps", "esql", "from logs-* | stats n = count(*) by user.id | rename n as total | where total < 1", `"total < 1"`},
		{"whole numbers", "esql", "from logs-* | stats n = count(*) by user.id | where n > 2 and n < 3", "can never be true"},
		{"fractions are not whole", "esql", "from logs-* | stats n = count(*) by user.id | where n == 2.5", "can never be true"},
		{"doubles between", "esql", "from logs-* | where risk.score > 2 and risk.score < 3", ""},
		{"limit 0", "esql", "from logs-* | limit 0", "limit 0"},
		{"spl count", "spl", "sourcetype=aws:cloudtrail | stats count by user_name | where count < 1", `"count < 1"`},
		{"spl search on a count", "spl", "sourcetype=aws:cloudtrail | stats dc(eventName) as n by user_name | search n<0", "distinct count"},
		{"spl event field may be multi-valued", "spl", "sourcetype=aws:cloudtrail | where x > 5 AND x < 3", ""},
		{"new stats forgets", "esql", "from logs-* | stats n = count(*) by user.id | where n > 5 | stats m = count(*) by n | where n < 3", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := Thresholds(parse(t, c.lang, c.query))
			if c.want == "" {
				if len(ws) != 0 {
					t.Fatalf("want no warning, got %v", ws)
				}
				return
			}
			if len(ws) != 1 || !strings.Contains(ws[0].Msg, c.want) || ws[0].Check != CheckThreshold {
				t.Fatalf("got %v, want one threshold warning saying %q", ws, c.want)
			}
		})
	}
}
