package ui_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/service"
	"github.com/tripline/tripline/internal/store"
)

// chromium finds Debian's Chromium (or a Chrome) on PATH.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium for one test, with what it saw that a
// page must never do: open a dialog, throw, or break the
// Content-Security-Policy (which only happens when something tried to run
// or load what the policy forbids).
type browser struct {
	ctx       context.Context
	mu        sync.Mutex
	incidents []string
	shots     string // where screenshots go
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): skipping the browser test")
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]), chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1400, 1000),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{shots: filepath.Join("testdata", "artifacts", t.Name())}
	_ = os.RemoveAll(b.shots) // the screenshots of an earlier run
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		// This runs in the loop of the tab: return fast, run no command.
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			b.incident("a dialog opened: " + ev.Message)
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if x := ev.ExceptionDetails.Exception; x != nil {
				msg += " " + x.Description
			}
			b.incident("a script threw: " + msg)
		case *cdplog.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				b.incident("CSP violation: " + ev.Entry.Text)
			}
		}
	}))
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b.ctx = ctx
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// The first call starts the browser; the timeout goes on the calls
	// after it, not on the browser's context.
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("cannot start chromium: %v", err)
	}
	return b
}

func (b *browser) incident(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.incidents = append(b.incidents, s)
}

// stepTimeout bounds one step of a browser test.
const stepTimeout = 30 * time.Second

// run runs steps, failing the test with what was being done.
func (b *browser) run(t *testing.T, doing string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot(t, "failed")
		t.Fatalf("%s: %v", doing, err)
	}
}

// value runs an action that gives a value.
func value[T any](t *testing.T, b *browser, doing string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.shot(t, "failed")
		t.Fatalf("%s: %v", doing, err)
	}
	return v
}

// shot saves a screenshot of the whole page as a test artifact.
func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("cannot take screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		t.Logf("cannot save screenshot: %v", err)
	}
}

// clean fails the test if a planted script ran or anything the policy
// forbids was tried on the current page.
func (b *browser) clean(t *testing.T, where string) {
	t.Helper()
	if pwned := value(t, b, "read window.__pwned", chromedp.Evaluate[string](`String(window.__pwned)`)); pwned != "undefined" {
		t.Errorf("%s: a planted script ran: window.__pwned = %q", where, pwned)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.incidents {
		t.Errorf("%s: %s", where, s)
	}
	b.incidents = nil
}

// await runs a, a poll, as a step, dropping its value.
func await[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// load runs trigger, a step that makes the page load another (a click on
// a link, a form's script that reloads), and waits for that load.
func load(trigger chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return await(chromedp.WaitEvent(page.LoadEventFired, nil, trigger))
}

// css is a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// pick chooses the demo alert the story follows: one with a guide and a
// drilldown that runs here and returns rows.
func pick(t *testing.T, e *env) (*alert.Alert, int) {
	t.Helper()
	run := service.DrilldownFunc(e.st, nil, nil)
	for _, a := range e.demo.alerts {
		if a.Guide == "" {
			continue
		}
		for n := range a.Drilldowns {
			if res, err := run(context.Background(), a.ID, n+1); err == nil && len(res.Rows) > 0 {
				return a, n + 1
			}
		}
	}
	t.Fatal("no demo alert has a guide and a drilldown that returns rows")
	return nil, 0
}

// guideHeading is the first heading of a guide's Markdown, as text.
func guideHeading(md string) string {
	for _, line := range strings.Split(md, "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
			return strings.TrimSpace(strings.TrimLeft(h, "#"))
		}
	}
	return ""
}

// The analyst's path through the demo in a real browser: filter the
// queue, open an alert, read its guide, run a drilldown, acknowledge it,
// open its entity, close two alerts at once; and the hostile alert's
// pages, where no planted script may run.
func TestBrowserTriage(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, "")
	base := e.serve(t)
	target, drill := pick(t, e)

	// The queue, then filtered through its form: the URL holds the filter.
	b.run(t, "open the queue", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("#alerts")))
	b.shot(t, "1-queue")
	b.clean(t, "queue")
	b.run(t, "filter the queue",
		chromedp.SetValue(css(`#filters select[name=severity]`), "high"),
		load(chromedp.Click(css(`#filters button[type=submit]`))),
		await(chromedp.Poll[bool](`location.search.includes('severity=high') && document.querySelector('#count') !== null`)))
	loc := value(t, b, "read the URL", chromedp.Location())
	if !strings.Contains(loc, "severity=high") {
		t.Errorf("the URL does not hold the filter: %s", loc)
	}
	sevs := value(t, b, "read the severities",
		chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#alerts .sev')).map(e => e.textContent)`))
	if len(sevs) == 0 {
		t.Error("severity=high shows no alert")
	}
	for _, s := range sevs {
		if s != "high" && s != "critical" {
			t.Errorf("severity=high shows a %s alert", s)
		}
	}
	b.shot(t, "2-queue-high")

	// The alert, from the queue filtered by its rule.
	link := `a.open[href="/alerts/` + target.ID + `"]`
	b.run(t, "open the alert",
		chromedp.Navigate(base+"/?rule="+urlQuery(target.Rule.ID)),
		chromedp.WaitVisible(css(link)),
		load(chromedp.Click(css(link))),
		chromedp.WaitVisible(css("#reason")))
	guide := value(t, b, "read the guide", chromedp.Text(css("#guide")))
	if h := guideHeading(target.Guide); !strings.Contains(guide, h) || strings.TrimSpace(guide) == "" {
		t.Errorf("the guide reads %q, want its heading %q", guide, h)
	}
	sel := `#drill-` + itoa(drill)
	b.run(t, "run a drilldown",
		chromedp.Click(css(`button.drill[data-n="`+itoa(drill)+`"]`)),
		chromedp.WaitVisible(css(sel+` table`)))
	if rows := value(t, b, "count the drilldown's rows", chromedp.Evaluate[int](`document.querySelectorAll('`+sel+` tbody tr').length`)); rows == 0 {
		t.Error("the drilldown shows no rows")
	}
	b.shot(t, "3-alert")
	b.clean(t, "alert page")

	// Acknowledge it, with who and why.
	b.run(t, "acknowledge the alert",
		chromedp.SendKeys(css(`#status-form input[name=by]`), "ana"),
		chromedp.SendKeys(css(`#status-form input[name=note]`), "checked with the owner"),
		load(chromedp.Click(css(`#status-form button[value=acknowledged]`))),
		await(chromedp.Poll[bool](`document.querySelector('#history tbody') !== null`, chromedp.WithPollingTimeout(20*time.Second))))
	status := value(t, b, "read the status", chromedp.Text(css("#status")))
	history := value(t, b, "read the history", chromedp.Text(css("#history")))
	if status != "acknowledged" || !strings.Contains(history, "ana") || !strings.Contains(history, "checked with the owner") {
		t.Errorf("after acknowledging: status %q, history %q", status, history)
	}
	if a, hist, err := e.st.Get(context.Background(), target.ID); err != nil || a.Status != "acknowledged" || len(hist) != 1 || hist[0].By != "ana" {
		t.Errorf("the store has %+v, %v", hist, err)
	}
	b.shot(t, "3-alert-acknowledged")

	// Its entity: the risk chart and the timeline in time order.
	b.run(t, "open the entity",
		load(chromedp.Click(css(`ul.entities a.entity`))),
		chromedp.WaitVisible(css("#timeline")),
		chromedp.WaitVisible(css("#risk-chart")))
	times := value(t, b, "read the timeline",
		chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#timeline li > span.nowrap')).map(e => e.textContent)`))
	if len(times) == 0 || !slices.IsSorted(times) {
		t.Errorf("the timeline is not in time order: %q", times)
	}
	b.shot(t, "4-entity")
	b.clean(t, "entity page")

	// Close two alerts at once from the queue.
	b.run(t, "open the low alerts", chromedp.Navigate(base+"/?severity=low&status=open"), chromedp.WaitVisible(css("#alerts")))
	value(t, b, "select two alerts",
		chromedp.Evaluate[int](`(() => { const p = document.querySelectorAll('input.pick'); p[0].checked = true; p[1].checked = true; return p.length })()`))
	value(t, b, "clear who acts", chromedp.Evaluate[string](`document.querySelector('#bulk input[name=by]').value = ''`))
	b.run(t, "close two alerts",
		chromedp.SendKeys(css(`#bulk input[name=by]`), "ben"),
		chromedp.SendKeys(css(`#bulk input[name=note]`), "known scanner"),
		load(chromedp.Click(css(`#bulk button[value=closed]`))))
	deadline := time.Now().Add(stepTimeout)
	for {
		closed, err := e.st.List(context.Background(), storeFilterClosed())
		if err == nil && len(closed) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the bulk close the store has %d closed alerts (%v), want 2", len(closed), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.run(t, "see the queue again", chromedp.WaitVisible(css("#count")))
	b.clean(t, "bulk close")

	// The rules page.
	b.run(t, "open the rules", chromedp.Navigate(base+"/rules"), chromedp.WaitVisible(css("#rules")))
	b.shot(t, "5-rules")
	b.clean(t, "rules page")

	// The hostile alert everywhere it shows, its drilldown's error too.
	for _, p := range []struct{ name, path, wait string }{
		{"hostile-queue", "/?q=" + urlQuery("<script>"), "#alerts"},
		{"hostile-alert", "/alerts/" + hostileAlertID, "#reason"},
		{"hostile-entity", entityPath(hostileEntity), "#timeline"},
		{"hostile-groups", "/?group=entity", "#groups"},
		{"hostile-rules", "/rules", "#rules"},
	} {
		b.run(t, "open "+p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(p.wait)))
		if p.name == "hostile-alert" {
			b.run(t, "run the hostile drilldown",
				chromedp.Click(css(`button.drill[data-n="1"]`)),
				chromedp.WaitVisible(css(`#drill-1 .error`)))
			reason := value(t, b, "read the reason", chromedp.Text(css("#reason")))
			if !strings.Contains(reason, hostileScript) {
				t.Errorf("the hostile reason is not shown as text: %q", reason[:min(200, len(reason))])
			}
			// Open every evidence record: what is shown is text.
			value(t, b, "open the evidence", chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true), 0`))
		}
		b.shot(t, p.name)
		b.clean(t, p.name)
	}
}

// Beyond loopback the browser logs in with the token; the session cookie
// is out of scripts' reach.
func TestBrowserLogin(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, "s3cret")
	base := e.serve(t)
	b.run(t, "be sent to log in", chromedp.Navigate(base+"/rules"), chromedp.WaitVisible(css("#login")))
	if loc := value(t, b, "read the URL", chromedp.Location()); !strings.HasSuffix(loc, "/login?next=%2Frules") {
		t.Errorf("sent to %s", loc)
	}
	b.run(t, "log in with a wrong token",
		chromedp.SendKeys(css(`#login input[name=token]`), "nope"),
		chromedp.Click(css(`#login button[type=submit]`)),
		await(chromedp.Poll[bool](`document.querySelector('#login .msg').textContent.includes('wrong')`, chromedp.WithPollingTimeout(10*time.Second))))
	b.shot(t, "login-refused")
	value(t, b, "clear the token", chromedp.Evaluate[string](`document.querySelector('#login input[name=token]').value = ''`))
	b.run(t, "log in",
		chromedp.SendKeys(css(`#login input[name=token]`), "s3cret"),
		load(chromedp.Click(css(`#login button[type=submit]`))),
		chromedp.WaitVisible(css("#rules")))
	if loc := value(t, b, "read the URL", chromedp.Location()); !strings.HasSuffix(loc, "/rules") {
		t.Errorf("after login: %s", loc)
	}
	if cookies := value(t, b, "read the cookies", chromedp.Evaluate[string](`document.cookie`)); strings.Contains(cookies, "tripline_") {
		t.Errorf("scripts can read the cookies: %q", cookies)
	}
	b.clean(t, "login")
	b.run(t, "log out", load(chromedp.Click(css("#logout"))), chromedp.WaitVisible(css("#login")))
	b.run(t, "be sent to log in again", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("#login")))
	b.clean(t, "logout")
}

// groupTarget is a demo alert of an aggregating rule, grouped by a text
// value that no other alert of its rule shares.
func groupTarget(t *testing.T, e *env) (*alert.Alert, alert.Field) {
	t.Helper()
	for _, a := range e.demo.alerts {
		if len(a.Group) == 0 {
			continue
		}
		g := a.Group[0]
		if _, ok := g.Value.Str(); ok {
			return a, g
		}
	}
	t.Fatal("no demo alert is grouped by a text value")
	return nil, alert.Field{}
}

// huntAgain hunts the demo's logs with a fresh copy of the built-in rules
// and the exceptions the store now keeps, as serve applies them.
func huntAgain(t *testing.T, e *env) []*alert.Alert {
	t.Helper()
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := service.NewExceptions(set.Compiled, nil, e.st, nil).Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := engine.Hunt(context.Background(), set.Compiled, []string{e.demo.logs}, engine.HuntOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Alerts
}

// The search page and exceptions in a real browser: a search shows its
// rows, a bad one its caret; an exception added from an alert shows on
// it, and the same events hunted again raise no such alert while the
// rule's others still come; the entity page draws its usage.
func TestBrowserSearchAndExceptions(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t, "")
	base := e.serve(t)

	b.run(t, "open the search", chromedp.Navigate(base+"/search"), chromedp.WaitVisible(css("#search")))
	b.run(t, "run a search",
		chromedp.SetValue(css(`#search textarea[name=query]`), "from logs-aws.cloudtrail-* | where event.action == \"InvokeModel\" | keep @timestamp, user_agent.original, user.name, source.ip"),
		chromedp.SetValue(css(`#search input[name=from]`), "2026-11-21"),
		chromedp.SetValue(css(`#search input[name=to]`), "2026-11-22"),
		load(chromedp.Click(css(`#search button[type=submit]`))),
		chromedp.WaitVisible(css("#search-rows")))
	if rows := value(t, b, "count the rows", chromedp.Evaluate[int](`document.querySelectorAll('#search-rows tbody tr').length`)); rows == 0 {
		t.Error("the search shows no rows")
	}
	cells := value(t, b, "read the cells", chromedp.Evaluate[string](`document.querySelector('#search-rows tbody').textContent`))
	if !strings.Contains(cells, hostileScript) {
		t.Errorf("the hostile record is not shown as text")
	}
	b.shot(t, "6-search")
	b.clean(t, "search")

	b.run(t, "run a bad search",
		chromedp.SetValue(css(`#search textarea[name=query]`), "from logs-aws.cloudtrail-*\n| wher user.name == \"<img src=x onerror=\\\"window.__pwned='q'\\\">\""),
		load(chromedp.Click(css(`#search button[type=submit]`))),
		chromedp.WaitVisible(css("#search-error")))
	caret := value(t, b, "read the error", chromedp.Text(css("#search-error")))
	if !strings.HasPrefix(caret, "2:3: ") || !strings.Contains(caret, "| wher user.name") || !strings.Contains(caret, "  ^") {
		t.Errorf("the error is not at its place: %q", caret)
	}
	if q := value(t, b, "read the query", chromedp.Evaluate[string](`document.querySelector('#search textarea').value`)); !strings.Contains(q, "wher user.name") {
		t.Errorf("the query is not kept: %q", q)
	}
	b.shot(t, "7-search-error")
	b.clean(t, "search error")

	// An exception from an alert, prefilled with its group value.
	target, g := groupTarget(t, e)
	value0, _ := g.Value.Str()
	before, total := 0, 0
	for _, a := range huntAgain(t, e) {
		total++
		if a.Rule.ID == target.Rule.ID && a.Group.Get(g.Name).String() == value0 {
			before++
		}
	}
	if before == 0 {
		t.Fatalf("hunting again raises no alert of %s for %s", target.Rule.ID, value0)
	}
	b.run(t, "open the alert", chromedp.Navigate(base+"/alerts/"+target.ID), chromedp.WaitVisible(css("#exception-form")))
	field := value(t, b, "read the prefilled field", chromedp.Evaluate[string](`document.querySelector('#exception-form input[name=field]').value`))
	val := value(t, b, "read the prefilled value", chromedp.Evaluate[string](`document.querySelector('#exception-form input[name=value]').value`))
	if field != g.Name || val != value0 {
		t.Errorf("the form is prefilled with %q = %q, want %q = %q", field, val, g.Name, value0)
	}
	b.run(t, "add the exception",
		chromedp.SendKeys(css(`#exception-form input[name=reason]`), "a load test <b>by the team</b>"),
		chromedp.SendKeys(css(`#exception-form input[name=by]`), "ana"),
		chromedp.SendKeys(css(`#exception-form input[name=expires]`), "30d"),
		load(chromedp.Click(css(`#exception-form button[type=submit]`))),
		chromedp.WaitVisible(css("p.suppressed")))
	banner := value(t, b, "read the banner", chromedp.Text(css("p.suppressed")))
	if !strings.Contains(banner, "Would have been suppressed by ex-") || !strings.Contains(banner, "a load test <b>by the team</b>") {
		t.Errorf("the banner reads %q", banner)
	}
	b.shot(t, "8-alert-exception")
	b.clean(t, "alert with an exception")
	stored, err := e.st.(store.Exceptions).ListExceptions(context.Background(), false)
	if err != nil || len(stored) != 1 || stored[0].Author != "ana" || stored[0].Rule != target.Rule.ID || stored[0].Expires.IsZero() {
		t.Fatalf("the store holds %+v, %v", stored, err)
	}
	// The same events again: the alert is not raised; the rule's others are.
	after, others := 0, 0
	again := huntAgain(t, e)
	if len(again) != total-before {
		t.Errorf("hunting again raises %d alerts, want the %d of before less the %d excepted", len(again), total, before)
	}
	for _, a := range again {
		if a.Rule.ID != target.Rule.ID {
			continue
		}
		if a.Group.Get(g.Name).String() == value0 {
			after++
		} else {
			others++
		}
	}
	if after != 0 {
		t.Errorf("hunting again with the exception still raises %d alerts for %s", after, value0)
	}
	t.Logf("hunting again: %d alerts of the rule for %s before the exception, 0 after; %d others of the rule", before, value0, others)

	// Its entity: Bedrock usage from the archive.
	for _, r := range e.demo.risk {
		if r.AlertID == target.ID && !r.Threat {
			b.run(t, "open the entity", chromedp.Navigate(base+entityPath(r.Entity)), chromedp.WaitVisible(css("#usage")))
			b.shot(t, "9-entity-usage")
			b.clean(t, "entity usage")
			break
		}
	}

	// Remove it, with who and why.
	b.run(t, "open the alert again", chromedp.Navigate(base+"/alerts/"+target.ID), chromedp.WaitVisible(css("form.exception-remove")))
	value(t, b, "clear who acts", chromedp.Evaluate[string](`document.querySelector('form.exception-remove input[name=by]').value = ''`))
	b.run(t, "remove the exception",
		chromedp.SendKeys(css(`form.exception-remove input[name=by]`), "ben"),
		chromedp.SendKeys(css(`form.exception-remove input[name=why]`), "the test is over"),
		load(chromedp.Click(css(`form.exception-remove button[type=submit]`))),
		chromedp.WaitVisible(css("#exception-form")))
	if n := value(t, b, "count the banners", chromedp.Evaluate[int](`document.querySelectorAll('p.suppressed').length`)); n != 0 {
		t.Errorf("%d banners after the removal", n)
	}
	hist, err := e.st.(store.Exceptions).ExceptionHistory(context.Background(), stored[0].ID)
	if err != nil || len(hist) != 2 || hist[1].By != "ben" || hist[1].Note != "the test is over" {
		t.Errorf("history %+v, %v", hist, err)
	}
	b.clean(t, "exception removed")
}
