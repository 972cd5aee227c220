package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/duration"

	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/geoip/geoiptest"
	"github.com/tripline/tripline/internal/lookup"
	"github.com/tripline/tripline/internal/rule"
)

// Script tests (testdata/*.test) tell the semantics as stories: load
// events, run a query in one or more languages, expect rows.
//
//	events                      following lines, up to a blank line, are records (JSON lines)
//	query esql|spl              following lines, up to "----", are the query
//	----                        following lines, up to a blank line, are the expected rows,
//	                            one JSON object each, in order ("(none)" for no rows)
//	error esql|spl|kuery        the query must fail to compile; the expected text follows "----"
//	alerts LANG [k=v ...]       the query runs as a scheduled rule over the events (hunt);
//	                            the expected lines are its alerts in order of raising,
//	                            {"events":[event ids],"group":{...}}, then "capped N" when
//	                            max alerts held some back. Options: interval=, lookback=,
//	                            max_signals=, index= (comma-separated patterns),
//	                            timestamp_override=, suppress_by= (comma-separated fields),
//	                            suppress_for= (a duration), missing= (suppress|doNotSuppress),
//	                            threshold=N (an Elastic threshold rule) with threshold_by=
//	                            (comma-separated fields) and cardinality=field:N,
//	                            new_terms= (comma-separated fields) with history= (a
//	                            duration: history_window_start now-<history>),
//	                            row= (comma-separated result columns to show as "row")
//	lookup NAME                 following lines, up to a blank line, are the CSV lookup table
//	                            NAME.csv that later SPL queries read (lookup, inputlookup)
//	lookupdef NAME              following lines are a lookup definition NAME.yml (filename,
//	                            match_type, case_sensitive_match, ...)
//	geoip                       following lines, NETWORK|City|Country|Region|lat|lon, are the
//	                            GeoIP database later queries' iplocation reads
//
// Lines starting with "#" are comments.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.test")
	if err != nil || len(files) == 0 {
		t.Fatalf("no script tests found: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) { runScript(t, f) })
	}
}

type scriptCase struct {
	env      Env
	line     int
	lang     string
	query    string
	want     []string
	wantErr  bool
	dataFile string
	alerts   bool
	opts     []string
}

func runScript(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	dir := t.TempDir()
	var env Env
	var data string
	ndata := 0
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case l == "events":
			ndata++
			data = filepath.Join(dir, fmt.Sprintf("events%d.json", ndata))
			var recs []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				recs = append(recs, lines[i])
			}
			if err := os.WriteFile(data, []byte(strings.Join(recs, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(l, "lookup ") || strings.HasPrefix(l, "lookupdef ") || l == "geoip":
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				body = append(body, strings.TrimSpace(lines[i]))
			}
			env = scriptResource(t, dir, env, l, body)
		case strings.HasPrefix(l, "query ") || strings.HasPrefix(l, "error ") || strings.HasPrefix(l, "alerts "):
			c := scriptCase{env: env, line: i + 1, lang: strings.TrimSpace(l[6:]), wantErr: strings.HasPrefix(l, "error "), dataFile: data}
			if strings.HasPrefix(l, "alerts ") {
				words := strings.Fields(l)
				c.lang, c.alerts, c.opts = words[1], true, words[2:]
			}
			var q []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "----"; i++ {
				q = append(q, lines[i])
			}
			c.query = strings.Join(q, "\n")
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				if strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
					continue
				}
				c.want = append(c.want, strings.TrimSpace(lines[i]))
			}
			checkCase(t, path, c)
		default:
			t.Fatalf("%s:%d: unexpected line %q", path, i+1, l)
		}
	}
}

func checkCase(t *testing.T, path string, c scriptCase) {
	t.Helper()
	if c.alerts {
		checkAlerts(t, path, c)
		return
	}
	r := &rule.Rule{ID: "script", Name: "script", Language: c.lang, Query: c.query,
		Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}
	comp := CompileEnv(r, c.env)
	if c.wantErr {
		if comp.Err == nil {
			t.Errorf("%s:%d: query compiled, want an error containing %q", path, c.line, strings.Join(c.want, " "))
			return
		}
		if msg := comp.Err.Error(); !strings.Contains(msg, strings.Join(c.want, " ")) {
			t.Errorf("%s:%d: error %q does not contain %q", path, c.line, msg, strings.Join(c.want, " "))
		}
		return
	}
	if comp.Err != nil {
		t.Errorf("%s:%d: %s", path, c.line, ErrorDetail(comp.Err))
		return
	}
	if c.dataFile == "" {
		t.Fatalf("%s:%d: no events before the query", path, c.line)
	}
	rows, stats, err := Query(context.Background(), comp, []string{c.dataFile}, HuntOptions{Workers: 2})
	if err != nil {
		t.Fatalf("%s:%d: %v", path, c.line, err)
	}
	if stats.Bad > 0 {
		t.Fatalf("%s:%d: %d bad records in the events: %v", path, c.line, stats.Bad, stats.BadSamples)
	}
	got := renderRows(rows)
	want := c.want
	if len(want) == 1 && want[0] == "(none)" {
		want = nil
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:%d: %s query\n%s\ngot:\n  %s\nwant:\n  %s", path, c.line, c.lang, c.query,
			strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func renderRows(rows []exec.Result) []string {
	var out []string
	for _, r := range rows {
		var b strings.Builder
		b.WriteByte('{')
		for i, c := range r.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			b.Write(k)
			b.WriteByte(':')
			b.Write(r.Values[i].AppendJSON(nil))
		}
		b.WriteByte('}')
		out = append(out, b.String())
	}
	return out
}

// checkAlerts runs a case as a scheduled rule and compares its alerts.
func checkAlerts(t *testing.T, path string, c scriptCase) {
	t.Helper()
	r := &rule.Rule{ID: "script", Name: "script", Language: c.lang, Query: c.query, Severity: "low",
		Interval: 5 * time.Minute, LookBack: 6 * time.Minute, MaxAlerts: 100}
	var rowCols []string
	for _, o := range c.opts {
		k, v, _ := strings.Cut(o, "=")
		var err error
		switch k {
		case "interval":
			r.Interval, err = duration.Parse(v)
		case "lookback":
			r.LookBack, err = duration.Parse(v)
		case "max_signals":
			r.MaxAlerts, err = strconv.Atoi(v)
		case "index":
			r.Indices = strings.Split(v, ",")
		case "timestamp_override":
			r.TimestampOverride = v
		case "suppress_by":
			if r.Suppression == nil {
				r.Suppression = &rule.Suppression{}
			}
			r.Suppression.GroupBy = strings.Split(v, ",")
		case "suppress_for":
			r.Suppression.Duration, err = duration.Parse(v)
		case "missing":
			r.Suppression.MissingFields = v
		case "threshold":
			if r.Threshold == nil {
				r.Threshold = &rule.Threshold{}
			}
			r.Type = "threshold"
			r.Threshold.Value, err = strconv.Atoi(v)
		case "threshold_by":
			r.Threshold.Fields = strings.Split(v, ",")
		case "cardinality":
			f, n, _ := strings.Cut(v, ":")
			c := rule.Cardinality{Field: f}
			c.Value, err = strconv.Atoi(n)
			r.Threshold.Cardinality = append(r.Threshold.Cardinality, c)
		case "new_terms":
			r.Type = "new_terms"
			r.NewTerms = &rule.NewTerms{Fields: strings.Split(v, ",")}
		case "history":
			r.NewTerms.History, err = duration.Parse(v)
		case "row":
			rowCols = strings.Split(v, ",")
		default:
			t.Fatalf("%s:%d: unknown option %q", path, c.line, o)
		}
		if err != nil {
			t.Fatalf("%s:%d: option %q: %v", path, c.line, o, err)
		}
	}
	if err := r.Validate(); err != nil && r.Type != "" {
		t.Fatalf("%s:%d: %v", path, c.line, err)
	}
	comp := CompileEnv(r, c.env)
	if comp.Err != nil {
		t.Fatalf("%s:%d: %s", path, c.line, ErrorDetail(comp.Err))
	}
	rep, err := Hunt(context.Background(), []*Compiled{comp}, []string{c.dataFile}, HuntOptions{Workers: 2})
	if err != nil {
		t.Fatalf("%s:%d: %v", path, c.line, err)
	}
	if rep.Read.Bad > 0 {
		t.Fatalf("%s:%d: %d bad records in the events", path, c.line, rep.Read.Bad)
	}
	var got []string
	for _, a := range rep.Alerts {
		var ids []string
		for _, e := range a.Evidence {
			ids = append(ids, e.EventID)
		}
		group := map[string]json.RawMessage{}
		for _, f := range a.Group {
			group[f.Name] = f.Value.AppendJSON(nil)
		}
		out := map[string]any{"events": ids, "group": group}
		if len(rowCols) > 0 {
			row := map[string]json.RawMessage{}
			for _, col := range rowCols {
				for _, f := range a.Row {
					if f.Name == col {
						row[col] = f.Value.AppendJSON(nil)
					}
				}
			}
			out["row"] = row
		}
		b, _ := json.Marshal(out)
		got = append(got, string(b))
	}
	for _, rr := range rep.Rules {
		if rr.Capped > 0 {
			got = append(got, fmt.Sprintf("capped %d", rr.Capped))
		}
	}
	want := c.want
	if len(want) == 1 && want[0] == "(none)" {
		want = nil
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:%d: %s rule\n%s\ngot:\n  %s\nwant:\n  %s", path, c.line, c.lang, c.query,
			strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// scriptResource writes a lookup table, a lookup definition or a GeoIP
// database for the queries after it, and returns the environment that
// reads them.
func scriptResource(t *testing.T, dir string, env Env, head string, body []string) Env {
	t.Helper()
	lookups := filepath.Join(dir, "lookups")
	if err := os.MkdirAll(lookups, 0o755); err != nil {
		t.Fatal(err)
	}
	switch words := strings.Fields(head); words[0] {
	case "lookup", "lookupdef":
		ext := ".csv"
		if words[0] == "lookupdef" {
			ext = ".yml"
		}
		if err := os.WriteFile(filepath.Join(lookups, words[1]+ext), []byte(strings.Join(body, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		dirs, err := lookup.Open(lookups)
		if err != nil {
			t.Fatal(err)
		}
		env.Lookups = func(name string) (exec.LookupTable, error) {
			tab, err := dirs.Table(name)
			if err != nil {
				return nil, err
			}
			return tab, nil
		}
	case "geoip":
		var entries []geoiptest.Entry
		for _, l := range body {
			f := strings.Split(l, "|")
			if len(f) != 6 {
				t.Fatalf("geoip line %q: want NETWORK|City|Country|Region|lat|lon", l)
			}
			lat, _ := strconv.ParseFloat(f[4], 64)
			lon, _ := strconv.ParseFloat(f[5], 64)
			entries = append(entries, geoiptest.Entry{Network: f[0], City: f[1], Country: f[2], Region: f[3], Lat: lat, Lon: lon})
		}
		path := filepath.Join(dir, "geo.mmdb")
		if err := geoiptest.Write(path, entries); err != nil {
			t.Fatal(err)
		}
		db, err := geoip.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		env.GeoIP = func(ip netip.Addr, lang string) (exec.GeoLocation, bool) {
			l, ok := db.Locate(ip, lang)
			return exec.GeoLocation(l), ok
		}
	}
	return env
}
