package ui

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/visible"
)

// funcs are the templates' helpers. Each returns plain text (which the
// template escapes) or a URL the template checks; only guide returns HTML,
// and it comes out of the sanitiser.
var funcs = template.FuncMap{
	"vis":      visibleLine,
	"lines":    visibleBlock,
	"clip":     clip,
	"ts":       formatTime,
	"sevclass": severityClass,
	"value":    formatValue,
	"entity":   entityURL,
	"alertURL": alertURL,
	"mitre":    mitreURL,
	"add":      func(a, b int) int { return a + b },
	"list":     func(s ...string) []string { return s },
	"tactics":  tactics,
	"dur":      formatDuration,
	"passed":   passedTests,
	"pct":      url.PathEscape,
}

// passedTests counts the tests that passed.
func passedTests(ts []server.RuleTest) int {
	n := 0
	for _, t := range ts {
		if t.Passed {
			n++
		}
	}
	return n
}

// visibleLine is s for one line of a page: control characters (newlines
// too), bidirectional overrides and invalid bytes written as escapes, so
// that text from logs can neither hide nor reorder what is around it.
func visibleLine(s string) string { return visible.String(s) }

// visibleBlock is s for a block that keeps its lines (a query, a raw
// record): as visibleLine, but newlines and tabs stay.
func visibleBlock(s string) string {
	var b strings.Builder
	_, _ = visible.Writer(&b).Write([]byte(s)) // a strings.Builder never fails
	return b.String()
}

// clip shortens s to at most n bytes (on a character boundary), saying
// how much was left out: a megabyte of prompt must not make a page
// unusable. The whole text stays in the API's JSON.
func clip(n int, s string) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … (%d more bytes)", len(s)-cut)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// severityClass maps a severity to one of a fixed set of CSS classes.
func severityClass(s string) string {
	switch strings.ToLower(s) {
	case "low", "medium", "high", "critical":
		return "sev sev-" + strings.ToLower(s)
	}
	return "sev"
}

// formatValue is a field's value as text.
func formatValue(v event.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.String()
}

func entityURL(name string) string { return "/entity?name=" + url.QueryEscape(name) }

func alertURL(id string) string { return "/alerts/" + url.PathEscape(id) }

// mitreID is a MITRE ATT&CK or ATLAS tactic, technique or sub-technique id.
var mitreID = regexp.MustCompile(`^(AML\.)?T(A)?[0-9]{4}(\.[0-9]{3})?$`)

// mitreURL links a tactic or technique id to its page on MITRE's ATT&CK or
// ATLAS site, or gives "" for an id that is neither. The rule's own
// reference is used only when it is an https link to mitre.org: a rule
// file must not be able to point the analyst anywhere else.
func mitreURL(ref alert.Ref) string {
	if u, err := url.Parse(ref.Reference); err == nil && u.Scheme == "https" &&
		(u.Host == "mitre.org" || strings.HasSuffix(u.Host, ".mitre.org")) {
		return u.String()
	}
	id := strings.ToUpper(strings.TrimSpace(ref.ID))
	m := mitreID.FindStringSubmatch(id)
	if m == nil {
		return ""
	}
	kind := "techniques"
	if m[2] == "A" {
		kind = "tactics"
	}
	if m[1] != "" {
		return "https://atlas.mitre.org/" + kind + "/" + id
	}
	return "https://attack.mitre.org/" + kind + "/" + strings.Replace(id, ".", "/", 1) + "/"
}

// maxRawBytes bounds one evidence record as a page shows it.
const maxRawBytes = 256 << 10

// prettyJSON indents a raw record for reading; a record that is not JSON
// is shown as it is.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// tactics are the names of the tactics a rule maps to, each once.
func tactics(r alert.RuleRef) []string {
	var out []string
	for _, th := range r.Threat {
		if n := cmp.Or(th.Tactic.Name, th.Tactic.ID); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// formatDuration shows a Go duration ("1h0m0s") as tripline writes lengths
// of time ("1h"); other text is shown as it is.
func formatDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return duration.Format(d)
}
