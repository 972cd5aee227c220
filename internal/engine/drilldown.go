package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// ErrNeedsLogs is returned by RunDrilldown for a drilldown that searches
// logs when none were given.
var ErrNeedsLogs = errors.New("the drilldown searches logs, not the alert store")

// DrilldownOptions say where a drilldown runs.
type DrilldownOptions struct {
	// Now is the time a Risk data model search runs at; zero means the
	// end of the alert's window, so that replayed logs work.
	Now time.Time
	// Logs are the paths a search of logs reads, as one window; Macros
	// expand a Splunk search's macros.
	Logs   []string
	Macros *spl.Macros
	// Sources, when Logs is empty, names the sources that may hold events
	// of a time range (serve's archive); the search then reads those
	// alone, bounded to the drilldown's range. Open reads the ones named
	// by URL (S3 objects).
	Sources func(from, to time.Time) []string
	Open    func(ctx context.Context, name string) (io.ReadCloser, error)
}

// DrilldownRun is what running a drilldown gave: its rows, and a line
// saying what was searched.
type DrilldownRun struct {
	Drilldown alert.Drilldown
	Rows      []exec.Result
	Searched  string
}

// RunDrilldown runs drilldown n (from 1) of alert a: a Risk data model
// search against the store, any other search over opt.Logs. The command
// line and the API both run drilldowns through it.
func RunDrilldown(ctx context.Context, st store.Store, a *alert.Alert, n int, opt DrilldownOptions) (DrilldownRun, error) {
	if n < 1 || n > len(a.Drilldowns) {
		return DrilldownRun{}, fmt.Errorf("alert %s has %d drilldowns, not %d: %w", a.ID, len(a.Drilldowns), n, store.ErrNotFound)
	}
	dd := a.Drilldowns[n-1]
	run := DrilldownRun{Drilldown: dd}
	if IsRiskSearch(dd.Search) {
		now := opt.Now
		if now.IsZero() {
			now = AlertTime(a)
		}
		rows, err := RunRiskSearch(ctx, st, dd.Search, now)
		if err != nil {
			return run, fmt.Errorf("cannot run drilldown %d: %s", n, ErrorDetail(err))
		}
		run.Rows = rows
		run.Searched = "risk events of the store, searched at " + now.UTC().Format(time.RFC3339)
		return run, nil
	}
	var from, to time.Time
	paths := opt.Logs
	if len(paths) == 0 && opt.Sources != nil {
		from, to = DrilldownRange(dd, a)
		paths = opt.Sources(from, to)
		if len(paths) == 0 {
			run.Searched = fmt.Sprintf("nothing: the archive holds no source with events from %s to %s",
				from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
			return run, nil
		}
	}
	if len(paths) == 0 {
		return run, fmt.Errorf("%w: give the logs to search (its window is %s)", ErrNeedsLogs, DrilldownWindow(dd))
	}
	lang := a.Rule.Language
	if lang != rule.LangESQL && lang != rule.LangKQL {
		lang = rule.LangSPL
	}
	r := &rule.Rule{ID: "drilldown", Name: dd.Name, Language: lang, Query: dd.Search,
		Interval: QuerySpec.Interval, LookBack: QuerySpec.LookBack}
	c := Compile(r, opt.Macros)
	if c.Err != nil {
		return run, fmt.Errorf("cannot run drilldown %d: %s", n, ErrorDetail(c.Err))
	}
	rows, read, err := Query(ctx, c, paths, HuntOptions{From: from, To: to, Stdin: logs.Options{Open: opt.Open}})
	if err != nil {
		return run, fmt.Errorf("cannot run drilldown %d: %w", n, err)
	}
	run.Rows = rows
	if from.IsZero() {
		run.Searched = fmt.Sprintf("searched %d records of %s as one window", read.Total(), strings.Join(paths, ", "))
	} else {
		run.Searched = fmt.Sprintf("searched %d records of %d archived sources from %s to %s", read.Total(), len(paths),
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	return run, nil
}

// AlertTime is the time an alert's drilldowns run at by default: the end
// of its window, else when it was last seen.
func AlertTime(a *alert.Alert) time.Time {
	if !a.Window.End.IsZero() {
		return a.Window.End
	}
	if !a.LastSeen.IsZero() {
		return a.LastSeen
	}
	return time.Now()
}

// DrilldownRange is the time range a drilldown of alert a searches, as
// Splunk ES reads a drilldown's offsets: an epoch time ($info_min_time$
// filled in) stands for itself; a span ("7d", "2m", or seconds) counts
// back (earliest) or forward (latest) from the time of the alert; an empty
// offset is the alert's own window. The range includes both ends.
func DrilldownRange(dd alert.Drilldown, a *alert.Alert) (from, to time.Time) {
	at := AlertTime(a)
	from, to = a.Window.Start, a.Window.End
	if from.IsZero() {
		from = a.FirstSeen
	}
	if to.IsZero() {
		to = at
	}
	if t, ok := offsetTime(dd.Earliest, at, -1); ok {
		from = t
	}
	if t, ok := offsetTime(dd.Latest, at, 1); ok {
		to = t
	}
	return from, to
}

// offsetTime reads one drilldown offset relative to at, in direction dir.
func offsetTime(s string, at time.Time, dir int) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= 1e9 { // an epoch time, not a span of seconds
			return time.Unix(n, 0).UTC(), true
		}
		return at.Add(time.Duration(dir) * time.Duration(n) * time.Second), true
	}
	if d, err := duration.Parse(strings.TrimPrefix(s, "-")); err == nil {
		return at.Add(time.Duration(dir) * d), true
	}
	return time.Time{}, false
}

// DrilldownWindow renders the time range a drilldown searches, for people.
func DrilldownWindow(dd alert.Drilldown) string {
	return epochText(dd.Earliest) + " to " + epochText(dd.Latest)
}

// epochText renders a filled $info_min_time$-style offset (epoch seconds)
// as RFC 3339, or returns it as it is.
func epochText(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC().Format(time.RFC3339)
	}
	if s == "" {
		return "?"
	}
	return s
}
