package spl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// seedSearch is the search of seeds/003 (Splunk's "AWS Bedrock High Number
// List Foundation Model Failures"), verbatim.
const seedSearch = "`cloudtrail` eventSource=bedrock.amazonaws.com eventName=ListFoundationModels errorCode=AccessDenied | rename user_name as user | stats count min(_time) as firstTime max(_time) as lastTime values(errorCode) as errorCodes values(errorMessage) as errorMessages by src user user_agent vendor_account vendor_product dest signature vendor_region | where count > 9 | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `aws_bedrock_high_number_list_foundation_model_failures_filter`"

const seedPlan = `spl: from sourcetype=aws:cloudtrail
| where (search(eventSource = "bedrock.amazonaws.com") AND search(eventName = "ListFoundationModels")) AND search(errorCode = "AccessDenied")
| rename user_name as user (missing removes)
| stats count = count(), firstTime = min(_time), lastTime = max(_time), errorCodes = values(errorCode), errorMessages = values(errorMessage) by src, user, user_agent, vendor_account, vendor_product, dest, signature, vendor_region
| where count > 9
| eval firstTime = strftime(firstTime, "%Y-%m-%dT%H:%M:%S")
| eval lastTime = strftime(lastTime, "%Y-%m-%dT%H:%M:%S")`

func mustParse(t *testing.T, src string) *plan.Query {
	t.Helper()
	q, err := Parse(src, NewMacros())
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			t.Fatalf("Parse(%q): %s", src, se.Detail())
		}
		t.Fatalf("Parse(%q): %v", src, err)
	}
	if q.Dialect != plan.SPL {
		t.Fatalf("Parse(%q): dialect %v, want spl", src, q.Dialect)
	}
	if _, ok := q.Pipeline[0].(*plan.From); !ok {
		t.Fatalf("Parse(%q): first node is %T, want *plan.From", src, q.Pipeline[0])
	}
	return q
}

func TestParseSeed(t *testing.T) {
	if got := mustParse(t, seedSearch).String(); got != seedPlan {
		t.Errorf("seed plan:\n%s\nwant:\n%s", got, seedPlan)
	}
}

// TestParseSeedFile checks that the seed document's search is the one the
// tests above use, so that the seed really runs verbatim.
func TestParseSeedFile(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "seeds", "003_*.txt"))
	if len(files) == 0 {
		t.Skipf("seed 003 not found under %s/seeds; skipping", dir)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "\nsearch:")
	end := strings.Index(text, "\nhow_to_implement:")
	if start < 0 || end < start {
		t.Fatalf("%s: no search: line", files[0])
	}
	search := strings.TrimSpace(text[start+len("\nsearch:") : end])
	if search != seedSearch {
		t.Fatalf("seed search changed:\n%s", search)
	}
	if got := mustParse(t, search).String(); got != seedPlan {
		t.Errorf("seed plan:\n%s", got)
	}
}

// sharedDir is ../shared beside the module root.
func sharedDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory; skipping")
		}
		dir = parent
	}
}

func TestParseDrilldown(t *testing.T) {
	drill := strings.NewReplacer("%original_detection_search%", seedSearch, "$user$", "arn:aws:iam::123:user/bob").
		Replace(`%original_detection_search% | search user = "$user$"`)
	want := seedPlan + "\n| where search(user = \"arn:aws:iam::123:user/bob\")"
	if got := mustParse(t, drill).String(); got != want {
		t.Errorf("drilldown plan:\n%s\nwant:\n%s", got, want)
	}
}

func TestParse(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "spl: from *"},
		{"match all", "*", "spl: from *"},
		{"leading search keyword", "search index=main foo", "spl: from index=main\n| where search(\"foo\")"},
		{"leading pipe search", "| search a=1", "spl: from *\n| where search(a = \"1\")"},
		{"lift index and sourcetype", "index=main sourcetype=aws:cloudtrail eventName=X",
			"spl: from index=main sourcetype=aws:cloudtrail\n| where search(eventName = \"X\")"},
		{"lift OR of sourcetypes", "(sourcetype=a OR sourcetype=b) x=1",
			"spl: from sourcetype=a,b\n| where search(x = \"1\")"},
		{"source and time modifiers dropped", "source=s3://b eventtype=e earliest=-24h latest=now x=1",
			"spl: from *\n| where search(x = \"1\")"},
		{"sourcetype under NOT stays", "NOT sourcetype=a",
			"spl: from *\n| where NOT search(sourcetype = \"a\")"},
		{"comparisons", `a=1 b!=2 c<3 d<=4 e>5 f>=6 g="x y" h=*foo*`,
			"spl: from *\n| where ((((((search(a = \"1\") AND search(b != \"2\")) AND search(c < \"3\")) AND search(d <= \"4\")) AND search(e > \"5\")) AND search(f >= \"6\")) AND search(g = \"x y\")) AND search(h = \"*foo*\")"},
		{"spaces around =", `user = "bob"`, "spl: from *\n| where search(user = \"bob\")"},
		// Search Reference, "search": outside a quoted string, \" is a quote
		// character; the pipe after it still ends the search.
		{"escaped quotes in a bare value", `a=*\"privileged\":true* | stats count`,
			"spl: from *\n| where search(a = \"*\\\"privileged\\\":true*\")\n| stats count = count()"},
		{"escaped backslash in a bare value", `a=x\\y`, "spl: from *\n| where search(a = \"x\\\\y\")"},
		// Search Reference, "search": a quoted string before = names a field.
		{"quoted field name", `"user.name"="sys:anon" "a b"`, "spl: from *\n| where search(user.name = \"sys:anon\") AND search(\"a b\")"},
		{"OR binds tighter than AND", "a b OR c", "spl: from *\n| where search(\"a\") AND (search(\"b\") OR search(\"c\"))"},
		{"explicit AND and parentheses", "(a AND b) OR c", "spl: from *\n| where (search(\"a\") AND search(\"b\")) OR search(\"c\")"},
		{"NOT binds one term", "NOT a b", "spl: from *\n| where (NOT search(\"a\")) AND search(\"b\")"},
		{"IN list", `user IN (alice, "bob smith", c*)`,
			"spl: from *\n| where (search(user = \"alice\") OR search(user = \"bob smith\")) OR search(user = \"c*\")"},
		{"bare terms and phrases", `error "access denied"`, "spl: from *\n| where search(\"error\") AND search(\"access denied\")"},
		{"field names are kept as written", "userIdentity.arn=x resources{}.ARN=y",
			"spl: from *\n| where search(userIdentity.arn = \"x\") AND search(resources{}.ARN = \"y\")"},

		{"search command", "x | search a=1 OR b=2 c", "spl: from *\n| where search(\"x\")\n| where (search(a = \"1\") OR search(b = \"2\")) AND search(\"c\")"},
		{"search command drops time modifiers", "x | search a=1 starthoursago=168 *", "spl: from *\n| where search(\"x\")\n| where search(a = \"1\")"},
		{"search command of only modifiers is nothing", "x | search earliest=-1h", "spl: from *\n| where search(\"x\")"},
		{"pipes inside strings do not split", `x | eval y="a|b" | where z!="|"`, "spl: from *\n| where search(\"x\")\n| eval y = \"a|b\"\n| where z != \"|\""},
		{"search command keeps sourcetype", "x | search sourcetype=a", "spl: from *\n| where search(\"x\")\n| where search(sourcetype = \"a\")"},

		{"where", "* | where count > 9 AND (a = \"x\" OR b == 2) AND c != d",
			"spl: from *\n| where ((count > 9) AND ((a == \"x\") OR (b == 2))) AND (c != d)"},
		{"where AND binds tighter than OR", "* | where a=1 OR b=2 AND NOT c=3",
			"spl: from *\n| where (a == 1) OR ((b == 2) AND (NOT (c == 3)))"},
		{"where IN and LIKE", `* | where x IN ("a","b") AND y LIKE "a%" AND in(z, 1, 2)`,
			"spl: from *\n| where ((x IN (\"a\", \"b\")) AND like(y, \"a%\")) AND (z IN (1, 2))"},
		{"where && !", "* | where a>1 && !b OR c", "spl: from *\n| where ((a > 1) AND (NOT b)) OR c"},
		{"where functions", `* | where isnotnull(a) AND match(b, "^x\d+") AND cidrmatch("10.0.0.0/8", src)`,
			"spl: from *\n| where (isnotnull(a) AND match(b, \"^x\\\\d+\")) AND cidrmatch(\"10.0.0.0/8\", src)"},

		{"eval arithmetic and concatenation", `* | eval x=a+b*2-c/4%3, y=a . "-" . b, z=-(a), w=-2.5, v=1e3`,
			"spl: from *\n| eval x = (a + (b * 2)) - ((c / 4) % 3), y = (a . \"-\") . b, z = -a, w = -2.5, v = 1000.0"},
		{"eval field name forms", `* | eval 'new name'='old name', n=userIdentity.arn, r=resources{}.ARN, "q"=1`,
			"spl: from *\n| eval `new name` = `old name`, n = userIdentity.arn, r = resources{}.ARN, q = 1"},
		{"eval literals", "* | eval t=true, f=false(), n=null(), s=\"a\\\"b\"",
			"spl: from *\n| eval t = true, f = false, n = null, s = \"a\\\"b\""},
		{"eval functions", `* | eval a=if(x>1, "big", "small"), b=case(x=1, "one", true(), "other"), c=coalesce(x, y, "none"), d=lower(UPPER(x)), e=mvindex(split(x, ","), 0, 1), f=strftime(now(), "%Y"), g=round(x, 2), h=substr(x, 1, 3), i=tostring(x), j=replace(x, "a", "b"), k=len(x), l=mvjoin(x, ";"), m=mvcount(x), n=tonumber("1"), o=abs(-1), p=strptime(x, "%s"), q=isnull(x), r=upper(x), s=like(x, "a%")`,
			"spl: from *\n| eval a = if(x > 1, \"big\", \"small\"), b = case(x == 1, \"one\", true, \"other\"), c = coalesce(x, y, \"none\"), d = lower(upper(x)), e = mvindex(split(x, \",\"), 0, 1), f = strftime(now(), \"%Y\"), g = round(x, 2), h = substr(x, 1, 3), i = tostring(x), j = replace(x, \"a\", \"b\"), k = len(x), l = mvjoin(x, \";\"), m = mvcount(x), n = tonumber(\"1\"), o = abs(-1), p = strptime(x, \"%s\"), q = isnull(x), r = upper(x), s = like(x, \"a%\")"},

		{"stats default names", "* | stats count c count(x) dc(x) distinct_count(y) values(errorCode) list(a) min(a) max(a) sum(a) avg(a) mean(a) median(a) earliest(a) latest(a) first(a) last(a) range(a) stdev(a)",
			"spl: from *\n| stats count = count(), c = count(), `count(x)` = count(x), `dc(x)` = dc(x), `distinct_count(y)` = dc(y), `values(errorCode)` = values(errorCode), `list(a)` = list(a), `min(a)` = min(a), `max(a)` = max(a), `sum(a)` = sum(a), `avg(a)` = avg(a), `mean(a)` = avg(a), `median(a)` = median(a), `earliest(a)` = earliest(a), `latest(a)` = latest(a), `first(a)` = first(a), `last(a)` = last(a), `range(a)` = range(a), `stdev(a)` = stdev(a)"},
		{"stats as and by", `* | stats count AS n, values(x) as "X values" BY a, b c`,
			"spl: from *\n| stats n = count(), `X values` = values(x) by a, b, c"},
		{"eventstats", "* | eventstats count as n by a", "spl: from *\n| inline stats n = count() by a"},

		{"rename", `* | rename a as b, "c d" AS e f as g`, "spl: from *\n| rename a as b, `c d` as e, f as g (missing removes)"},
		{"table", "* | table a, b* c", "spl: from *\n| keep a, b*, c"},
		{"fields keep", "* | fields a b", "spl: from *\n| keep a, b"},
		{"fields plus", "* | fields + a", "spl: from *\n| keep a"},
		{"fields minus", "* | fields - _raw, b", "spl: from *\n| drop _raw, b"},
		{"fields minus attached", "* | fields -_raw", "spl: from *\n| drop _raw"},

		{"sort default limit", "* | sort - count", "spl: from *\n| sort count desc\n| limit 10000"},
		{"sort signs", "* | sort +a -b c", "spl: from *\n| sort a asc, b desc, c asc\n| limit 10000"},
		{"sort zero", "* | sort 0 x", "spl: from *\n| sort x asc"},
		{"sort count", "* | sort 5 -x", "spl: from *\n| sort x desc\n| limit 5"},
		{"sort limit option", "* | sort limit=20 num(x), str(y)", "spl: from *\n| sort x asc, y asc\n| limit 20"},
		{"sort desc suffix", "* | sort a -b desc", "spl: from *\n| sort a desc, b asc\n| limit 10000"},

		{"head default", "* | head", "spl: from *\n| limit 10"},
		{"head n", "* | head 3", "spl: from *\n| limit 3"},
		{"head limit", "* | head limit=4", "spl: from *\n| limit 4"},
		{"tail", "* | tail 2", "spl: from *\n| tail 2"},
		{"tail default", "* | tail", "spl: from *\n| tail 10"},

		{"dedup", "* | dedup a b", "spl: from *\n| dedup a, b"},
		{"dedup count consecutive", "* | dedup 3 a consecutive=true keepempty=false", "spl: from *\n| dedup 3 a consecutive=true"},

		{"fillnull default", "* | fillnull", "spl: from *\n| fillnull value=0"},
		{"fillnull value fields", `* | fillnull value="N/A" a b`, "spl: from *\n| fillnull value=\"N/A\" a, b"},
		{"fillnull numeric", "* | fillnull value=-1", "spl: from *\n| fillnull value=-1"},

		{"bin", "* | bin _time span=1h", "spl: from *\n| eval _time = bin(_time, 1 hours)"},
		{"bucket span first", "* | bucket span=5m _time", "spl: from *\n| eval _time = bin(_time, 5 minutes)"},
		{"bin as", "* | bin t as u span=1mon", "spl: from *\n| eval u = bin(t, 1 months)"},
		{"bin numeric", "* | bin x span=10", "spl: from *\n| eval x = bin(x, 10)"},
		{"bin days", "* | bin _time span=1d", "spl: from *\n| eval _time = bin(_time, 1 days)"},

		{"convert default format", "* | convert ctime(a)", "spl: from *\n| eval a = strftime(a, \"%m/%d/%Y %H:%M:%S\")"},
		{"convert timeformat as", `* | convert timeformat="%Y" ctime(a) as b mktime(c)`,
			"spl: from *\n| eval b = strftime(a, \"%Y\"), c = strptime(c, \"%Y\")"},

		{"spath bare", "* | spath", "spl: from *"},
		{"spath options", "* | spath input=x path=a.b output=c", "spl: from *\n| eval c = spath(x, \"a.b\")"},
		{"spath positional", "* | spath a.b{}.c", "spl: from *\n| eval a.b{}.c = spath(_raw, \"a.b{}.c\")"},

		{"rex", `* | rex field=msg "user=(?<user>\w+) (\d+) (?P<port>\d+)"`, "spl: from *\n| rex msg \"user=(?<user>\\\\w+) (\\\\d+) (?P<port>\\\\d+)\""},
		{"rex default field", `* | rex "(?<a>x)"`, "spl: from *\n| rex _raw \"(?<a>x)\""},
		{"regex", `* | regex a="^x" | regex b!="y" | regex "z"`,
			"spl: from *\n| where match(a, \"^x\")\n| where NOT match(b, \"y\")\n| where match(_raw, \"z\")"},
		{"mvexpand", "* | mvexpand v", "spl: from *\n| mv_expand v"},
		{"command names ignore case", "* | STATS count BY a", "spl: from *\n| stats count = count() by a"},
		{"multiline", "index=main\n| stats count\n  by a", "spl: from index=main\n| stats count = count() by a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.src).String(); got != tt.want {
				t.Errorf("Parse(%q):\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseRex(t *testing.T) {
	tests := []struct {
		pat, regex string
		names      []string
	}{
		{`(?<user>\w+)`, `(\w+)`, []string{"user"}},
		{`a(?P<x>b)(c)(?:d)(?'y'e)`, `a(b)(c)(?:d)(e)`, []string{"x", "", "y"}},
		{`[(?<no>]\((?<k>[^)]+)\)`, `[(?<no>]\(([^)]+)\)`, []string{"k"}},
		{`(?i)(?<v>[[:alpha:]]+)`, `(?i)([[:alpha:]]+)`, []string{"v"}},
	}
	for _, tt := range tests {
		q := mustParse(t, `* | rex "`+tt.pat+`"`)
		x := q.Pipeline[1].(*plan.Extract)
		if x.Regex != tt.regex || strings.Join(x.Names, ",") != strings.Join(tt.names, ",") || x.Pattern != tt.pat || x.Kind != "rex" {
			t.Errorf("rex %q: regex %q names %q, want %q %q", tt.pat, x.Regex, x.Names, tt.regex, tt.names)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		pos       string // line:col
		msg       string // substring of the message
		detail    string // the Detail() caret line, when checked
	}{
		{"generating command", "| makeresults count=1", "1:3", `starts with the command "makeresults"`, "    ^~~~~~~~~~~"},
		{"makeresults", "| makeresults", "1:3", `"makeresults"`, ""},
		{"unknown command", "a | nope x", "1:5", `unsupported command "nope"`, "      ^~~~"},
		{"empty command", "a | | b", "1:3", "expected a command after |", ""},
		{"trailing pipe", "a |", "1:3", "expected a command after |", ""},
		{"unterminated string", `a="x`, "1:3", "unterminated string", ""},
		{"unbalanced paren", "(a b", "1:5", "expected ) to close the ( at 1:1", ""},
		{"stray paren", "a)", "1:2", `unexpected ")"`, ""},
		{"double equals in search", "a==1", "1:2", "use =", ""},
		{"missing value", "a=", "1:3", "expected a value after a=", ""},
		{"dangling OR", "a OR", "1:5", "expected a search term", ""},
		{"subsearch under OR", "a OR [search b]", "1:6", "subsearch under OR", ""},
		{"unterminated subsearch", "a [search b", "1:3", "unterminated subsearch", ""},
		{"error inside a subsearch", "a [search b | stats nosuch(x)]", "1:21", "unknown aggregate function", ""},
		{"join without fields", "a | join [search b]", "1:20", "join needs its fields named", ""},
		{"lookup without fields", "a | lookup users", "1:17", "expected a lookup field", ""},
		{"iplocation option", "a | iplocation foo=1 src", "1:20", "unknown iplocation option", ""},
		{"inputlookup mid-search", "a | inputlookup users", "1:17", "needs append=true", ""},
		{"anomalydetection", "a | anomalydetection count", "1:5", "cannot be reproduced", ""},
		{"wildcard twice", "a | stats values(*a*)", "1:18", "one * only", ""},
		{"eval aggregate", "a | stats count(eval(x=))", "1:24", "", ""},
		{"where empty", "a | where", "1:10", "cannot parse where command: expected an expression", ""},
		{"where trailing", "a | where b c", "1:13", `unexpected "c"`, ""},
		{"where bad char", "a | where b # c", "1:13", "unexpected character '#'", ""},
		{"unknown function", "a | eval x=foo(1)", "1:12", "unknown function foo()", "             ^~~"},
		{"aggregate in eval", "a | eval x=count(y)", "1:12", "only valid in stats", ""},
		{"arity", "a | eval x=if(a, b)", "1:12", "if() takes 3 arguments, got 2", "             ^~~~~~~~"},
		{"case pairs", "a | eval x=case(a, b, c)", "1:12", "pairs", ""},
		{"eval missing =", "a | eval x", "1:11", "expected = after", ""},
		{"eval xor", "a | eval x=a XOR b", "1:14", "XOR is not supported", ""},
		{"stats empty", "a | stats", "1:10", "expected at least one aggregate", ""},
		{"stats unknown agg", "a | stats perc95(x)", "1:11", "unknown aggregate function perc95", ""},
		{"stats needs field", "a | stats sum", "1:11", "sum needs a field", ""},
		{"stats by empty", "a | stats count by", "1:17", "expected field names after by", ""},
		{"rename missing as", "a | rename a b", "1:14", "expected as after", ""},
		{"rename wildcard with two stars", "a | rename a** as b*", "1:12", "one * in each name", ""},
		{"sort empty", "a | sort", "1:9", "expected a field to sort by", ""},
		{"head not a number", "a | head x", "1:10", "expected a row count", ""},
		{"dedup sortby", "a | dedup x sortby y", "1:13", "sortby is not supported", ""},
		{"bin no span", "a | bin _time", "1:14", "expected span=", ""},
		{"bin bad unit", "a | bin _time span=3x", "1:20", `unknown span unit "x"`, ""},
		{"convert unknown", "a | convert dur2sec(x)", "1:13", "dur2sec() is not supported", ""},
		{"rex sed", `a | rex mode=sed "s/a/b/"`, "1:9", "mode=sed is not supported", ""},
		{"rex lookbehind", `a | rex "(?<=x)(?<y>z)"`, "1:9", "lookaround", ""},
		{"rex no group", `a | rex "abc"`, "1:9", "no named group", ""},
		{"rex bad regex", `a | rex "(?<y>z"`, "1:9", "cannot compile rex pattern", ""},
		{"second line", "a\n| where (b", "2:11", "expected )", "            ^"},
		{"unknown macro", "a | `nope(x)` | b", "1:5", "unknown macro `nope(1)`", "      ^~~~~~~~~"},
		{"error inside a macro points at the call", "a | `cloudtrail`", "1:5", `unsupported command "sourcetype"`, "      ^~~~~~~~~~~~"},
		{"error after a macro is placed exactly", "`cloudtrail` | where (", "1:23", "expected an operand", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src, NewMacros())
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *syntax.Error", tt.src, err)
			}
			if se.Src != tt.src {
				t.Errorf("error source %q, want the original %q", se.Src, tt.src)
			}
			if !strings.HasPrefix(se.Error(), tt.pos+": ") || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q) error %q, want at %s containing %q", tt.src, se.Error(), tt.pos, tt.msg)
			}
			if tt.detail != "" {
				lines := strings.Split(se.Detail(), "\n")
				if got := lines[len(lines)-1]; got != tt.detail {
					t.Errorf("Parse(%q) caret line %q, want %q\n%s", tt.src, got, tt.detail, se.Detail())
				}
			}
			if se.Span.Start < 0 || se.Span.End < se.Span.Start || int(se.Span.End) > len(tt.src) {
				t.Errorf("span %v outside the input of length %d", se.Span, len(tt.src))
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		seedSearch, "", "*", "| makeresults", "a | where x IN (1, 2) AND y LIKE \"%a\"",
		"a | eval x=if(a>1, \"b\", 'c d'), y=-1.5e3", "a | stats count by b | sort - count | head 5",
		"a | rex field=x \"(?<n>[^\\\"]+)\" | bin _time span=1h", "`cloudtrail` | `x_filter`",
		"`security_content_ctime(a)` | `nope`", "a=\"b", "(a OR (b", "a | spath input=x path=y",
		"a | convert timeformat=\"%Y\" ctime(b) as c | fillnull value=1 d | dedup 2 e",
		riskDrilldown, "| datamodel Risk All_Risk search | search earliest=-7d@d latest=now", "| from datamodel:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src, NewMacros())
		if err != nil {
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *syntax.Error", src, err, err)
			}
			if se.Src != src || se.Span.Start < 0 || se.Span.End < se.Span.Start || int(se.Span.End) > len(src) {
				t.Fatalf("Parse(%q): span %v outside input of length %d (%s)", src, se.Span, len(src), se.Msg)
			}
			_ = se.Detail()
			return
		}
		if len(q.Pipeline) == 0 {
			t.Fatalf("Parse(%q): empty pipeline", src)
		}
		if _, ok := q.Pipeline[0].(*plan.From); !ok {
			t.Fatalf("Parse(%q): first node %T", src, q.Pipeline[0])
		}
		_ = q.String()
	})
}
