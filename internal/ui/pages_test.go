package ui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tripline/tripline/internal/ui"
)

type response struct {
	code   int
	header http.Header
	body   string
}

func get(t *testing.T, h http.Handler, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Host = "127.0.0.1:7700"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

// checkSafe fails the test if a page could run script it did not load
// from this server: a script element without a /static/ source, an
// inline event handler or style attribute, a javascript: or data: URL,
// or one of the hostile strings as markup; or if it lacks the policy
// that would stop such script anyway.
func checkSafe(t *testing.T, what string, p response) {
	t.Helper()
	if csp := p.header.Get("Content-Security-Policy"); csp != ui.ContentSecurityPolicy {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	for _, directive := range []string{"script-src 'self'", "style-src 'self'", "default-src 'none'"} {
		if !strings.Contains(ui.ContentSecurityPolicy, directive) {
			t.Errorf("the policy lacks %s", directive)
		}
	}
	if strings.Contains(ui.ContentSecurityPolicy, "unsafe") {
		t.Errorf("the policy allows something unsafe: %s", ui.ContentSecurityPolicy)
	}
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	for _, bad := range []string{"<script>window", "<img src=x", "<svg onload", "\x1b", "\u202e", `onmouseover="`} {
		if strings.Contains(p.body, bad) {
			i := strings.Index(p.body, bad)
			t.Errorf("%s: the page holds %q as it is: ...%s...", what, bad, p.body[max(0, i-200):min(len(p.body), i+100)])
		}
	}
	z := html.NewTokenizer(strings.NewReader(p.body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Errorf("%s: %v", what, z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		src := ""
		for _, a := range tok.Attr {
			key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(key, "on"), key == "style":
				t.Errorf("%s: <%s> has a %s attribute: %q", what, tok.Data, a.Key, a.Val)
			case (key == "href" || key == "src" || key == "action" || key == "formaction") &&
				(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:")):
				t.Errorf("%s: <%s %s=%q>", what, tok.Data, a.Key, a.Val)
			case key == "src":
				src = a.Val
			}
		}
		if tok.Data == "script" && !strings.HasPrefix(src, "/static/") {
			t.Errorf("%s: a script that is not this server's file: %v", what, tok)
		}
		if tok.Data == "style" {
			t.Errorf("%s: an inline style element", what)
		}
	}
}

// Every page shows the hostile alert (in the queue, its own page, its
// entity's page, the rules page) and none lets its text become markup.
func TestPagesEscapeHostileText(t *testing.T) {
	e := newEnv(t, "")
	hostileEntityURL := "/entity?name=" + url.QueryEscape(hostileEntity)
	for _, target := range []string{
		"/", "/?q=" + url.QueryEscape("<script>"), "/?severity=critical", "/?group=rule", "/?group=entity",
		"/?entity=" + url.QueryEscape(hostileEntity), "/?rule=" + url.QueryEscape(hostileRuleID),
		"/?since=" + url.QueryEscape(hostileScript), // a bad filter is shown, escaped
		"/?group=" + url.QueryEscape(hostileImg),
		"/alerts/" + hostileAlertID, "/alerts/" + url.PathEscape(hostileScript),
		hostileEntityURL, "/entity?name=" + url.QueryEscape(hostileImg), "/rules",
		"/login?next=" + url.QueryEscape(hostileJS),
	} {
		p := get(t, e.handler, target)
		checkSafe(t, target, p)
		if p.code >= 500 {
			t.Errorf("%s: %d", target, p.code)
		}
		// A megabyte of prompt is clipped, not sent whole.
		if len(p.body) > 700<<10 {
			t.Errorf("%s: %d bytes", target, len(p.body))
		}
	}
	p := get(t, e.handler, "/alerts/"+hostileAlertID)
	if p.code != 200 {
		t.Fatalf("hostile alert: %d", p.code)
	}
	for _, want := range []string{
		"&lt;script&gt;window.__pwned=&#34;script&#34;&lt;/script&gt;", // the reason, escaped
		`\x1b[2J`, `\u202e`, // control characters, visible
		"more bytes)", // a clipped megabyte
		`href="https://attack.mitre.org/techniques/T1078/"`, // MITRE: not the rule's evil reference
		`href="https://attack.mitre.org/techniques/T1078/004/"`,
		`href="https://attack.mitre.org/tactics/TA0001/"`,
		`<a href="https://docs.example/guide" rel="nofollow noreferrer">the docs</a>`, // the guide's good link survives
		"<h2>Triage</h2>",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("hostile alert page lacks %q", want)
		}
	}
	for _, bad := range []string{"evil.example", "window.__pwned='link'", "data:text/html", "raw HTML omitted"} {
		if strings.Contains(p.body, bad) && bad != "raw HTML omitted" {
			t.Errorf("hostile alert page holds %q", bad)
		}
	}
	if p := get(t, e.handler, "/login?next="+url.QueryEscape("//evil.example/x")); !strings.Contains(p.body, `data-next="/"`) {
		t.Errorf("login sends on to another host: %s", p.body)
	}
	if p := get(t, e.handler, "/login?next="+url.QueryEscape("/?status=open")); !strings.Contains(p.body, `data-next="/?status=open"`) {
		t.Errorf("login forgets where to go: %s", p.body)
	}
}

// The queue: newest first, filters held in the URL and the form, groups
// with counts, paging that keeps the filters.
func TestQueue(t *testing.T) {
	e := newEnv(t, "")
	all := get(t, e.handler, "/")
	if all.code != 200 {
		t.Fatalf("queue: %d %s", all.code, all.body)
	}
	total := len(e.demo.alerts) + 1
	if want := "of " + itoa(total) + ", newest first"; !strings.Contains(all.body, want) {
		t.Errorf("queue does not count %d alerts", total)
	}
	if strings.Count(all.body, `class="pick"`) != min(total, 50) {
		t.Errorf("queue shows %d alerts, want %d", strings.Count(all.body, `class="pick"`), min(total, 50))
	}
	// The hostile alert is the newest (two hours before the clock).
	if i, j := strings.Index(all.body, hostileAlertID), strings.Index(all.body, e.demo.alerts[0].ID); i < 0 || (j >= 0 && j < i) {
		t.Errorf("the newest alert is not first")
	}
	crit := get(t, e.handler, "/?severity=critical&status=open")
	if !strings.Contains(crit.body, `<option value="critical" selected>`) || !strings.Contains(crit.body, `<option value="open" selected>`) {
		t.Errorf("the form does not show the URL's filters")
	}
	for _, sev := range []string{`sev-low"`, `sev-medium"`, `sev-high"`} {
		if strings.Contains(crit.body, `<span class="sev `+sev) {
			t.Errorf("severity=critical shows %s alerts", sev)
		}
	}
	byRule := get(t, e.handler, "/?group=rule&severity=low")
	if !strings.Contains(byRule.body, `id="groups"`) || !strings.Contains(byRule.body, "?rule=") || !strings.Contains(byRule.body, "severity=low") {
		t.Errorf("groups by rule do not link to the filtered queue")
	}
	byEntity := get(t, e.handler, "/?group=entity")
	if !strings.Contains(byEntity.body, "entity page") {
		t.Errorf("groups by entity do not link to entity pages")
	}
	text := get(t, e.handler, "/?q="+url.QueryEscape("1 more bytes"))
	if !strings.Contains(text.body, "No alerts match.") {
		t.Errorf("free text matched what is not there")
	}
	text = get(t, e.handler, "/?q=HOSTILE&technique=t1078")
	if !strings.Contains(text.body, "of 1, newest first") || !strings.Contains(text.body, hostileAlertID) {
		t.Errorf("free text and technique do not find the hostile alert")
	}
	bad := get(t, e.handler, "/?since=yesterday")
	if !strings.Contains(bad.body, `id="filter-error"`) || !strings.Contains(bad.body, "since") {
		t.Errorf("a bad filter is not explained")
	}
	if total > 50 {
		if !strings.Contains(all.body, `id="older" `) && !strings.Contains(all.body, `id="older"`) {
			t.Errorf("no link to older alerts")
		}
		older := get(t, e.handler, "/?severity=low&offset=50")
		if !strings.Contains(older.body, "Alerts 51–") || !strings.Contains(older.body, "offset=0") {
			t.Errorf("second page: %s", older.body[:min(2000, len(older.body))])
		}
	}
}

// The rules page lists every rule with its health, counts and query.
func TestRulesPage(t *testing.T) {
	e := newEnv(t, "")
	p := get(t, e.handler, "/rules")
	if p.code != 200 {
		t.Fatalf("rules: %d", p.code)
	}
	for _, r := range e.demo.rules {
		if !strings.Contains(p.body, `id="rule-`+r.ID+`"`) {
			t.Errorf("rules page lacks %s", r.ID)
		}
	}
	if !strings.Contains(p.body, "healthy") || !strings.Contains(p.body, "failing") || !strings.Contains(p.body, "every 5m over 1h") {
		t.Errorf("rules page does not show health and schedule")
	}
	if !strings.Contains(p.body, "took 12.5ms") {
		t.Errorf("rules page does not show how long a rule's last run took")
	}
}

// An entity's page: its risk as a chart with the threshold, its alerts
// in time order.
func TestEntityPage(t *testing.T) {
	e := newEnv(t, "")
	p := get(t, e.handler, "/entity?name="+url.QueryEscape(hostileEntity))
	if p.code != 200 {
		t.Fatalf("entity: %d %s", p.code, p.body)
	}
	for _, want := range []string{`<svg class="chart" id="risk-chart"`, `class="threshold"`, "threshold 100", `id="peak">150<`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("entity page lacks %q", want)
		}
	}
	if p := get(t, e.handler, "/entity?name=nobody"); p.code != 404 {
		t.Errorf("unknown entity: %d", p.code)
	}
	if p := get(t, e.handler, "/entity"); p.code != 400 {
		t.Errorf("no entity: %d", p.code)
	}
	if p := get(t, e.handler, "/alerts/nope"); p.code != 404 {
		t.Errorf("unknown alert: %d", p.code)
	}
}

// With a token, a page without a session goes to the login page; the
// script and style it needs are served without one, under the policy.
func TestLoginRequiredBeyondLoopback(t *testing.T) {
	e := newEnv(t, "s3cret")
	p := get(t, e.handler, "/rules")
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/login?next=%2Frules" {
		t.Fatalf("page without session: %d %v", p.code, p.header)
	}
	login := get(t, e.handler, "/login?next=%2Frules")
	checkSafe(t, "login", login)
	if login.code != 200 || !strings.Contains(login.body, `id="login"`) {
		t.Fatalf("login page: %d", login.code)
	}
	for _, f := range []string{"/static/app.js", "/static/app.css"} {
		p := get(t, e.handler, f)
		if p.code != 200 || p.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d %v", f, p.code, p.header)
		}
	}
	js := get(t, e.handler, "/static/app.js").body
	if strings.Contains(js, "innerHTML") || strings.Contains(js, "insertAdjacentHTML") || strings.Contains(js, "eval(") ||
		strings.Contains(js, "document.write") {
		t.Error("app.js writes HTML")
	}
	if p := get(t, e.handler, "/api/v1/alerts"); p.code != 401 {
		t.Errorf("API without token: %d", p.code)
	}
	if p := get(t, e.handler, "/rules", "Authorization", "Bearer s3cret"); p.code != 200 {
		t.Errorf("page with the bearer token: %d", p.code)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// An alert's evidence marks the lines of the fields its rule read, and
// only those.
func TestEvidenceMarksWhatTheRuleRead(t *testing.T) {
	e := newEnv(t, "")
	for _, a := range e.demo.alerts {
		if len(a.Evidence) == 0 || len(a.Evidence[0].Raw) == 0 {
			continue
		}
		p := get(t, e.handler, "/alerts/"+a.ID)
		if p.code != 200 {
			t.Fatalf("alert page: %d", p.code)
		}
		marked := strings.Count(p.body, `<mark class="used"`)
		if marked == 0 {
			t.Fatalf("the evidence of %s (%s) marks no field the rule read", a.ID, a.Rule.Name)
		}
		if lines := strings.Count(p.body, "\n"); marked*2 > lines {
			t.Errorf("%d marks on a page of %d lines: more than the rule's fields", marked, lines)
		}
		return
	}
	t.Fatal("no demo alert has an evidence record")
}
