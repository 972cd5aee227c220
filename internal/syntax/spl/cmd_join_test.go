package spl

import "testing"

// The plans of lookup, iplocation, the lookup commands, addinfo, join,
// append, subsearches in a search and eval() in aggregates, as printed.
// Search Reference: "lookup", "iplocation", "inputlookup",
// "outputlookup", "addinfo", "join", "append", "return", "About
// subsearches", "stats" (eval expressions in functions).
func TestParseEnrichAndSubsearch(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a | lookup users user AS src_user, team OUTPUTNEW level AS lvl",
			`spl: from *
| where search("a")
| lookup users user as src_user, team outputnew level as lvl`},
		{"a | lookup local=t seen requestingAccountId, requestedAccountId, OUTPUTNEW firstTime",
			`spl: from *
| where search("a")
| lookup seen requestingAccountId, requestedAccountId outputnew firstTime`},
		{"a | iplocation prefix=src_ allfields=true src",
			`spl: from *
| where search("a")
| iplocation prefix="src_" allfields=true src`},
		{"| inputlookup users | stats count by team",
			`spl: from lookup=users
| stats count = count() by team`},
		{"a | stats count by b | inputlookup base append=t | outputlookup base | addinfo",
			`spl: from *
| where search("a")
| stats count = count() by b
| inputlookup append=true base
| outputlookup base
| addinfo`},
		{"a | join type=outer max=0 user [| inputlookup seen | stats min(firstTime) as first by user]",
			`spl: from *
| where search("a")
| join type=left max=0 user [maxout=50000 spl: from lookup=seen | stats first = min(firstTime) by user]`},
		{"a | join user [inputlookup seen]",
			`spl: from *
| where search("a")
| join user [maxout=50000 spl: from lookup=seen]`},
		{"a | append [search b | where x>1]",
			`spl: from *
| where search("a")
| append [maxout=50000 spl: from * | where search("b") | where x > 1]`},
		{"index=main a [search b | table user | return 2 u=user]",
			`spl: from index=main
| where search("a")
| where subsearch [maxout=10000 spl: from * | where search("b") | keep user | limit 2 | rename user as u (missing removes) | keep u]`},
		{`a | stats count(eval(p="x")) as n values(eval(if(p="x", s, null()))) as s by u`,
			`spl: from *
| where search("a")
| stats n = count(if(p == "x", 1, null)), s = values(if(p == "x", s, null)) by u`},
		{`a | stats count(eval(x>1))`,
			`spl: from *
| where search("a")
| stats ` + "`count(eval(x>1))`" + ` = count(if(x > 1, 1, null))`},
		{"a | stats values(*) as * by b",
			`spl: from *
| where search("a")
| stats ` + "`*` = values(`*`)" + ` by b`},
	}
	for _, c := range cases {
		q := mustParse(t, c.in)
		if got := q.String(); got != c.want {
			t.Errorf("Parse(%q):\n%s\nwant:\n%s", c.in, got, c.want)
		}
	}
}
