package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/store"
)

// severities in rising order; a filter keeps its level and above.
var severities = []string{"low", "medium", "high", "critical"}

var statuses = []string{store.StatusOpen, store.StatusAcknowledged, store.StatusClosed}

// parseTime reads an absolute time (RFC 3339, or a date as 2006-01-02 in
// UTC) or a look-back from now ("24h", "7d", "1d12h").
func parseTime(param, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	d, err := duration.Parse(v)
	if err != nil {
		return time.Time{}, badParam(param, "%q is neither an RFC 3339 time, a date, nor a duration like 24h or 7d", v)
	}
	return now.Add(-d), nil
}

// window reads since and until.
func window(q url.Values, now time.Time) (since, until time.Time, err error) {
	if since, err = parseTime("since", q.Get("since"), now); err != nil {
		return
	}
	if until, err = parseTime("until", q.Get("until"), now); err != nil {
		return
	}
	if !since.IsZero() && !until.IsZero() && since.After(until) {
		err = badParam("until", "%s is before since (%s)", until.Format(time.RFC3339), since.Format(time.RFC3339))
	}
	return
}

func parseLimit(q url.Values) (int, error) { return parseCount(q, "limit") }

// parseCount reads a count parameter: absent is 0.
func parseCount(q url.Values, param string) (int, error) {
	v := q.Get(param)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badParam(param, "%q is not a count (0 or more)", v)
	}
	return n, nil
}

// oneOf returns v lowered when it is one of allowed, or a parameter error.
func oneOf(param, v string, allowed []string) (string, error) {
	lv := strings.ToLower(strings.TrimSpace(v))
	for _, a := range allowed {
		if lv == a {
			return lv, nil
		}
	}
	return "", badParam(param, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// AlertFilter reads a query of the alert list (since, until, severity,
// rule, status, entity, language, technique, q, limit, offset) into a
// filter; the web UI's queue takes the same parameters. An error says
// which parameter is wrong.
func AlertFilter(q url.Values, now time.Time) (store.Filter, error) {
	var f store.Filter
	var err error
	if f.Since, f.Until, err = window(q, now); err != nil {
		return f, err
	}
	if v := q.Get("severity"); v != "" {
		if f.Severity, err = oneOf("severity", v, severities); err != nil {
			return f, err
		}
	}
	if v := q.Get("status"); v != "" {
		if f.Status, err = oneOf("status", v, statuses); err != nil {
			return f, err
		}
	}
	f.RuleID = q.Get("rule")
	f.Entity = strings.TrimSpace(q.Get("entity"))
	f.Language = strings.ToLower(strings.TrimSpace(q.Get("language")))
	f.Technique = strings.ToUpper(strings.TrimSpace(q.Get("technique")))
	f.Text = strings.TrimSpace(q.Get("q"))
	if f.Limit, err = parseLimit(q); err != nil {
		return f, err
	}
	f.Offset, err = parseCount(q, "offset")
	return f, err
}

// riskFilter reads the risk endpoints' query; entity may repeat.
func riskFilter(q url.Values, now time.Time) (store.RiskFilter, error) {
	var f store.RiskFilter
	var err error
	if f.Since, f.Until, err = window(q, now); err != nil {
		return f, err
	}
	for _, e := range q["entity"] {
		if e = strings.TrimSpace(e); e != "" {
			f.Entities = append(f.Entities, e)
		}
	}
	f.Limit, err = parseLimit(q)
	return f, err
}
