package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/tripline/tripline/internal/duration"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/visible"
)

// storeFlags locate the alert store: --store URL, or the SQLite file in
// --data (the same defaults as serve).
type storeFlags struct {
	data, store string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", envOr("TRIPLINE_DATA", "./tripline-data"), "data `directory` of tripline serve")
	fs.StringVar(&s.store, "store", os.Getenv("TRIPLINE_STORE"), "store `URL` (sqlite path or postgres://...); default: the SQLite file in --data")
}

func (s *storeFlags) open(ctx context.Context) (store.Store, error) {
	url := s.store
	if url == "" {
		path := filepath.Join(s.data, "tripline.db")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no alert store at %s (run tripline serve --data %s first, or give --store): %w", path, s.data, err)
		}
		url = path
	}
	return store.Open(ctx, url)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// parseSince reads "24h", "7d" (before now) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := duration.Parse(s)
	if err != nil {
		return time.Time{}, usagef("want a duration (24h, 7d) or an RFC 3339 time, got %q", s)
	}
	return now.Add(-d), nil
}

func cmdAlerts(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("usage: tripline alerts list|show|drilldown|ack|close [flags]")
	}
	switch args[0] {
	case "list":
		return alertsList(args[1:], stdout)
	case "show":
		return alertsShow(args[1:], stdout)
	case "drilldown":
		return alertsDrilldown(args[1:], stdout, stderr)
	case "ack", "acknowledge", "close", "reopen":
		return alertsStatus(args[0], args[1:], stdout)
	}
	return usagef("unknown alerts command %q (want list, show, drilldown, ack, close or reopen)", args[0])
}

func alertsList(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("alerts list", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	var of outputFlags
	of.register(fs)
	since := fs.String("since", "", "alerts first raised since (24h, 7d, or RFC 3339)")
	until := fs.String("until", "", "alerts first raised before (24h, 7d, or RFC 3339)")
	severity := fs.String("severity", "", "minimum severity: low, medium, high, critical")
	ruleID := fs.String("rule", "", "only this rule id")
	status := fs.String("status", "", "only this status: open, acknowledged, closed")
	limit := fs.Int("limit", 0, "at most this many alerts (0: all)")
	verbose := fs.Bool("v", false, "table output: show reasons and evidence")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	now := time.Now()
	f := store.Filter{Severity: *severity, RuleID: *ruleID, Status: *status, Limit: *limit}
	if f.Since, err = parseSince(*since, now); err != nil {
		return err
	}
	if f.Until, err = parseSince(*until, now); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	alerts, err := st.List(ctx, f)
	if err != nil {
		return fmt.Errorf("cannot list alerts: %w", err)
	}
	return writeAlerts(of, format, stdout, alerts, *verbose)
}

func alertsShow(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("alerts show", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: tripline alerts show ID")
	}
	ctx := context.Background()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	a, hist, err := st.Get(ctx, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("cannot show alert %s: %w", fs.Arg(0), err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		*alert.Alert
		History []store.StatusChange `json:"status_history"`
	}{a, hist})
}

func alertsStatus(verb string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("alerts "+verb, flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	by := fs.String("by", envOr("USER", "unknown"), "who changes the status")
	note := fs.String("note", "", "why")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("usage: tripline alerts %s ID...", verb)
	}
	status := map[string]string{"ack": store.StatusAcknowledged, "acknowledge": store.StatusAcknowledged,
		"close": store.StatusClosed, "reopen": store.StatusOpen}[verb]
	ctx := context.Background()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range fs.Args() {
		if err := st.SetStatus(ctx, id, store.StatusChange{Status: status, By: *by, At: time.Now().UTC(), Note: *note}); err != nil {
			return fmt.Errorf("cannot set status of %s: %w", id, err)
		}
		fmt.Fprintf(stdout, "%s %s\n", id, status)
	}
	return nil
}

func cmdRisk(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("risk", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	since := fs.String("since", "7d", "risk since (24h, 7d, or RFC 3339)")
	until := fs.String("until", "", "risk until (RFC 3339 or a duration before now)")
	format := fs.String("format", "table", "table or json")
	entity := fs.String("entity", "", "only this entity; with --events, its risk events")
	events := fs.Bool("events", false, "list risk events instead of totals")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usagef("unknown --format %q (want table or json)", *format)
	}
	now := time.Now()
	var f store.RiskFilter
	var err error
	if f.Since, err = parseSince(*since, now); err != nil {
		return err
	}
	if f.Until, err = parseSince(*until, now); err != nil {
		return err
	}
	if *entity != "" {
		f.Entities = []string{*entity}
	}
	ctx := context.Background()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *events {
		evs, err := st.RiskEvents(ctx, f)
		if err != nil {
			return fmt.Errorf("cannot read risk events: %w", err)
		}
		if *format == "json" {
			return json.NewEncoder(stdout).Encode(evs)
		}
		tw := tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tENTITY\tSCORE\tRULE\tMESSAGE")
		for _, e := range evs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.Time.Format(time.RFC3339), visible.String(e.Entity), e.Score,
				visible.String(e.RuleName), clipText(visible.String(e.Message), 80))
		}
		return tw.Flush()
	}
	risk, err := st.Risk(ctx, f)
	if err != nil {
		return fmt.Errorf("cannot read risk: %w", err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(risk)
	}
	tw := tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tTYPE\tRISK\tEVENTS\tRULES\tFIRST\tLAST")
	for _, r := range risk {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", visible.String(r.Entity), visible.String(r.EntityType), r.Score, r.Count,
			clipText(visible.String(strings.Join(r.Rules, "; ")), 70), r.First.Format(time.RFC3339), r.Last.Format(time.RFC3339))
	}
	return tw.Flush()
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
