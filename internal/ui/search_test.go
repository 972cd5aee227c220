package ui_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/server"
)

func searchURL(query, language string, extra ...string) string {
	v := url.Values{"query": {query}, "language": {language}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/search?" + v.Encode()
}

// The search page runs a query over the archive and shows its rows as
// text, hostile ones too.
func TestSearchPage(t *testing.T) {
	e := newEnv(t, "")
	p := get(t, e.handler, "/search")
	checkSafe(t, "empty search", p)
	if p.code != 200 || !strings.Contains(p.body, `id="search"`) || strings.Contains(p.body, `id="search-result"`) {
		t.Fatalf("empty search page: %d", p.code)
	}
	q := "from logs-aws.cloudtrail-* | where event.action == \"InvokeModel\" | keep user_agent.original, user.name, source.ip"
	p = get(t, e.handler, searchURL(q, "esql", "from", "2026-11-21", "to", "2026-11-22"))
	checkSafe(t, "search", p)
	for _, want := range []string{`id="search-rows"`, "&lt;script&gt;window.__pwned=&#34;script&#34;&lt;/script&gt;", `\x1b[2J`, "192.0.2.66", " row(s) from "} {
		if !strings.Contains(p.body, want) {
			t.Errorf("search page lacks %q", want)
		}
	}
	// The query stays in its box, escaped.
	if !strings.Contains(p.body, "event.action == &#34;InvokeModel&#34;") {
		t.Errorf("the query is not in the form")
	}
	// Other languages, and a row limit.
	for _, c := range []struct{ name, url, want string }{
		{"spl", searchURL("sourcetype=aws:cloudtrail eventName=InvokeModel | table src, user_agent", "spl", "from", "2026-11-21", "to", "2026-11-22"), "192.0.2.66"},
		{"kql", searchURL(`event.action : "InvokeModel" and source.ip : "192.0.2.66"`, "kuery", "index", "logs-aws.cloudtrail-*", "from", "2026-11-21", "to", "2026-11-22"), "1 row(s)"},
		{"limit", searchURL("from logs-aws.cloudtrail-* | keep event.action", "esql", "from", "2026-11-21", "to", "2026-11-22", "limit", "3"), "(the first 3: the query gave more)"},
		{"outside the archive", searchURL("from logs-aws.cloudtrail-* | keep event.action", "esql", "from", "2020-01-01", "to", "2020-01-02"), `id="search-note"`},
	} {
		p := get(t, e.handler, c.url)
		checkSafe(t, c.name, p)
		if !strings.Contains(p.body, c.want) {
			i := strings.Index(p.body, "<h1>Search</h1>")
			t.Errorf("%s: the page lacks %q\n%s", c.name, c.want, p.body[max(i, 0):min(len(p.body), max(i, 0)+3000)])
		}
	}
}

// A query that does not compile, in every language, is shown at its
// line:col with the line and a caret under the fault, escaped; the API
// answers 400 with a span that lies inside the query.
func TestSearchErrorsAtTheirPlace(t *testing.T) {
	e := newEnv(t, "")
	for _, c := range []struct{ lang, query string }{
		{"esql", "from logs-aws.cloudtrail-*\n| wher user.name == \"<script>window.__pwned=1</script>\""},
		{"esql", "from logs-aws.cloudtrail-* | stats n = count(*) by"},
		{"spl", "index=main | stats count by"},
		{"kuery", `user.name : "<img src=x onerror=alert(1)>" and (`},
		{"eql", "process where ("},
		{"sigma", "title: x\ndetection:\n  sel: {a: b}\n  condition: sel and\n"},
	} {
		p := get(t, e.handler, searchURL(c.query, c.lang, "from", "2026-11-21"))
		checkSafe(t, c.lang+" error", p)
		if !strings.Contains(p.body, `id="search-error"`) {
			t.Errorf("%s %q: no error shown", c.lang, c.query)
			continue
		}
		body := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/v1/search", strings.NewReader(mustJSON(map[string]any{"query": c.query, "language": c.lang})))
		req.Host = "127.0.0.1:7700"
		req.Header.Set("Content-Type", "application/json")
		e.handler.ServeHTTP(body, req)
		var res struct {
			Error string             `json:"error"`
			Query *server.QueryError `json:"query"`
		}
		if err := json.Unmarshal(body.Body.Bytes(), &res); err != nil || body.Code != 400 || res.Query == nil {
			t.Errorf("%s %q: API %d %s", c.lang, c.query, body.Code, body.Body)
			continue
		}
		q := res.Query
		if q.Start < 0 || q.End < q.Start || q.End > len(c.query) {
			t.Errorf("%s %q: span %d..%d outside the query (%d bytes)", c.lang, c.query, q.Start, q.End, len(c.query))
		}
		if q.Line > 0 {
			if !strings.Contains(q.Detail, "^") {
				t.Errorf("%s %q: no caret in %q", c.lang, c.query, q.Detail)
			}
			// The page shows the same caret line, escaped.
			caret := q.Detail[strings.LastIndex(q.Detail, "\n")+1:]
			if !strings.Contains(p.body, caret) {
				t.Errorf("%s %q: the page lacks the caret line %q", c.lang, c.query, caret)
			}
		}
	}
	if p := get(t, e.handler, searchURL("x", "cobol")); !strings.Contains(p.body, "language") || !strings.Contains(p.body, `id="search-error"`) {
		t.Errorf("an unknown language is not explained")
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// The alert page lists the exceptions of its rule and says which would
// have suppressed it; an exception added through the API with hostile
// text shows as text.
func TestAlertPageExceptions(t *testing.T) {
	e := newEnv(t, "")
	p := get(t, e.handler, "/alerts/"+hostileAlertID)
	checkSafe(t, "hostile alert", p)
	for _, want := range []string{`id="suppressed-ex-file-hostile"`, "Would have been suppressed by", "a file&#39;s reason &lt;script&gt;",
		`id="exception-form"`, "edit its file"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("hostile alert page lacks %q", want)
		}
	}
	target := e.demo.alerts[0]
	if len(target.Group) == 0 {
		for _, a := range e.demo.alerts {
			if len(a.Group) > 0 {
				target = a
				break
			}
		}
	}
	g := target.Group[0]
	p = get(t, e.handler, "/alerts/"+target.ID)
	if strings.Contains(p.body, "Would have been suppressed") || !strings.Contains(p.body, `id="exceptions"`) {
		t.Errorf("a demo alert is suppressed before any exception: %s", target.ID)
	}
	value, _ := g.Value.Str()
	reason := "known <script>window.__pwned='reason'</script> " + hostileANSI
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/v1/exceptions", strings.NewReader(mustJSON(map[string]any{
		"rule": target.Rule.ID, "field": g.Name, "values": []string{value}, "reason": reason, "author": hostileImg, "expires": "30d"})))
	req.Host = "127.0.0.1:7700"
	req.Header.Set("Content-Type", "application/json")
	e.handler.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Fatalf("add exception: %d %s", rec.Code, rec.Body)
	}
	var added server.ExceptionView
	json.Unmarshal(rec.Body.Bytes(), &added)
	if e.changes != 1 {
		t.Errorf("ExceptionsChanged called %d times", e.changes)
	}
	p = get(t, e.handler, "/alerts/"+target.ID)
	checkSafe(t, "alert with an exception", p)
	for _, want := range []string{`id="suppressed-` + added.ID + `"`, `class="exception-remove" data-id="` + added.ID + `"`,
		"known &lt;script&gt;window.__pwned=&#39;reason&#39;&lt;/script&gt; \\x1b[2J"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the alert page lacks %q", want)
		}
	}
	// An alert of another rule is not suppressed by it.
	for _, a := range e.demo.alerts {
		if a.Rule.ID != target.Rule.ID {
			if p := get(t, e.handler, "/alerts/"+a.ID); strings.Contains(p.body, added.ID) {
				t.Errorf("alert %s of rule %s shows the exception of rule %s", a.ID, a.Rule.ID, target.Rule.ID)
			}
			break
		}
	}
}

// The entity page draws Bedrock usage per model per hour from the
// archive, lists regions and addresses, and says so when the archive has
// nothing of the entity's time.
func TestEntityUsage(t *testing.T) {
	e := newEnv(t, "")
	drawn := 0
	for _, r := range e.demo.risk {
		if r.Threat || r.EntityType != "user" {
			continue
		}
		p := get(t, e.handler, entityPath(r.Entity))
		checkSafe(t, "entity "+r.Entity, p)
		if !strings.Contains(p.body, `id="usage"`) || !strings.Contains(p.body, `id="regions"`) {
			t.Errorf("entity %s: no usage section or regions", r.Entity)
		}
		if strings.Contains(p.body, `id="usage-calls"`) {
			drawn++
			for _, want := range []string{`id="usage-tokens"`, `<rect class="bar m0"`, "calls per hour", `class="legend"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("entity %s: the usage chart lacks %q", r.Entity, want)
				}
			}
		}
		if drawn > 0 {
			break
		}
	}
	if drawn == 0 {
		t.Error("no demo user's page draws Bedrock usage")
	}
	// The hostile alert is a day after the archive's.
	p := get(t, e.handler, entityPath(hostileEntity))
	checkSafe(t, "hostile entity", p)
	if !strings.Contains(p.body, `id="usage-note"`) || !strings.Contains(p.body, "holds nothing of") {
		t.Errorf("the hostile entity's page does not say the archive has nothing")
	}
}

// The rules page shows each rule's tests and their results, failures as
// text.
func TestRulesPageTests(t *testing.T) {
	e := newEnv(t, "")
	p := get(t, e.handler, "/rules")
	checkSafe(t, "rules", p)
	for _, want := range []string{"1/3 passed", "FAIL", "quiet day", "&lt;script&gt;window.__pwned=&#34;script&#34;&lt;/script&gt;\n\\x1b[2J", "skip"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("rules page lacks %q", want)
		}
	}
}
