package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tripline/tripline/internal/duration"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/store"
)

// storeFlags locate the alert store: --store URL, or the SQLite file in
// --data (the same defaults as serve).
type storeFlags struct {
	data, store string
}

func (s *storeFlags) register(fs *pflag.FlagSet) {
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

func newAlertsCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Read and triage the alerts tripline serve stored",
		Long: `Reads and triages the alerts in the store tripline serve writes: the SQLite
file in --data, or the store --store names (a SQLite path or postgres://...).`,
		Example: `  tripline alerts list --since 24h --severity high
  tripline alerts show ID
  tripline alerts ack ID --note "known test account"
  tripline alerts drilldown ID 2`,
		Args: subcommands,
		RunE: groupRun,
	}
	cmd.AddCommand(newAlertsListCmd(s), newAlertsShowCmd(s),
		newAlertsStatusCmd(s, "ack", store.StatusAcknowledged, "Acknowledge alerts: someone is looking at them", "acknowledge"),
		newAlertsStatusCmd(s, "close", store.StatusClosed, "Close alerts: resolved or not a threat"),
		newAlertsStatusCmd(s, "reopen", store.StatusOpen, "Reopen acknowledged or closed alerts"),
		newAlertsDrilldownCmd(s))
	return cmd
}

// alertsListOptions are alerts list's flags.
type alertsListOptions struct {
	store                                storeFlags
	output                               outputFlags
	since, until, severity, rule, status string
	limit                                int
	verbose                              bool
}

func newAlertsListCmd(s *streams) *cobra.Command {
	o := &alertsListOptions{}
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List stored alerts, newest first",
		Long: `Lists the stored alerts. --since and --until take a length of time before
now (24h, 7d) or an RFC 3339 time.`,
		Example: `  tripline alerts list
  tripline alerts list --since 24h --severity high
  tripline alerts list --status open --format ndjson | jq .rule.name`,
		Args: noArgs("filter with flags such as --since, --severity and --rule"),
		RunE: func(cmd *cobra.Command, args []string) error { return runAlertsList(s, o) },
	}
	fs := cmd.Flags()
	o.store.register(fs)
	o.output.register(fs)
	fs.StringVar(&o.since, "since", "", "alerts first raised since (24h, 7d, or RFC 3339)")
	fs.StringVar(&o.until, "until", "", "alerts first raised before (24h, 7d, or RFC 3339)")
	fs.StringVar(&o.severity, "severity", "", "minimum `severity`: low, medium, high, critical")
	fs.StringVar(&o.rule, "rule", "", "only this rule `id`")
	fs.StringVar(&o.status, "status", "", "only this `status`: open, acknowledged, closed")
	fs.IntVar(&o.limit, "limit", 0, "at most this many alerts (0: all)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "table output: show reasons and evidence")
	cmd.RegisterFlagCompletionFunc("severity", fixedCompletions("low", "medium", "high", "critical"))
	cmd.RegisterFlagCompletionFunc("status", fixedCompletions(store.StatusOpen, store.StatusAcknowledged, store.StatusClosed))
	return cmd
}

// fixedCompletions offers a flag's values to shell completion.
func fixedCompletions(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func runAlertsList(s *streams, o *alertsListOptions) error {
	format, err := o.output.resolve(s.out)
	if err != nil {
		return err
	}
	now := time.Now()
	f := store.Filter{Severity: o.severity, RuleID: o.rule, Status: o.status, Limit: o.limit}
	if f.Since, err = parseSince(o.since, now); err != nil {
		return err
	}
	if f.Until, err = parseSince(o.until, now); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := o.store.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	alerts, err := st.List(ctx, f)
	if err != nil {
		return fmt.Errorf("cannot list alerts: %w", err)
	}
	if err := writeAlerts(o.output, format, s.out, alerts, o.verbose); err != nil {
		return err
	}
	if !f.Since.IsZero() {
		// --since counts back from the clock, and alerts carry the time
		// of the events they are about: after replaying last month's
		// logs, "--since 24h" leaves them all out. Say so.
		older := f
		older.Since, older.Until, older.Limit = time.Time{}, f.Since, 1
		if prev, err := st.List(ctx, older); err == nil && len(prev) > 0 {
			fmt.Fprintf(s.err, "%d %s since %s (alert times are event times); older alerts exist, the newest at %s: see them with --since %s\n",
				len(alerts), plural(len(alerts), "alert"), f.Since.UTC().Format(time.RFC3339), prev[0].Timestamp.UTC().Format(time.RFC3339),
				prev[0].Timestamp.Add(-24*time.Hour).UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func newAlertsShowCmd(s *streams) *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:     "show [flags] ID",
		Short:   "Show one stored alert with its status history, as JSON",
		Example: `  tripline alerts show 7f3c2a1e9b0d4c55`,
		Args:    argsBetween(1, 1, "give one alert id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := context.Background()
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			a, hist, err := st.Get(ctx, args[0])
			if err != nil {
				return fmt.Errorf("cannot show alert %s: %w", args[0], err)
			}
			return writeJSONDoc(s.out, struct {
				*alert.Alert
				History []store.StatusChange `json:"status_history"`
			}{a, hist})
		},
	}
	sf.register(cmd.Flags())
	return cmd
}

func newAlertsStatusCmd(s *streams, verb, status, short string, aliases ...string) *cobra.Command {
	var sf storeFlags
	var by, note string
	cmd := &cobra.Command{
		Use:     verb + " [flags] ID...",
		Aliases: aliases,
		Short:   short,
		Example: fmt.Sprintf("  tripline alerts %s ID1 ID2 --note \"why\"", verb),
		Args:    argsBetween(1, -1, "give at least one alert id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := context.Background()
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, id := range args {
				if err := st.SetStatus(ctx, id, store.StatusChange{Status: status, By: by, At: time.Now().UTC(), Note: note}); err != nil {
					return fmt.Errorf("cannot set status of %s: %w", id, err)
				}
				fmt.Fprintf(s.out, "%s %s\n", id, status)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	sf.register(fs)
	fs.StringVar(&by, "by", envOr("USER", "unknown"), "who changes the status")
	fs.StringVar(&note, "note", "", "why")
	return cmd
}

// writeRecords writes records as JSON, an object a line.
func writeRecords[T any](w io.Writer, format string, recs []T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
