package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/table"
)

// riskOptions are risk's flags.
type riskOptions struct {
	store                storeFlags
	since, until, entity string
	output               outputFlags
	events               bool
}

func newRiskCmd(s *streams) *cobra.Command {
	o := &riskOptions{}
	cmd := &cobra.Command{
		Use:   "risk [flags]",
		Short: "Risk per entity (user, role, IP), highest first",
		Long: `Sums the risk the rules attributed to each entity (a user, role, access key
or IP) in the store, highest first; with --events, lists the risk events
themselves. --since and --until take a length of time before now (24h, 7d)
or an RFC 3339 time.`,
		Example: `  tripline risk
  tripline risk --since 24h --format json
  tripline risk --entity arn:aws:iam::123456789012:user/ci --events`,
		Args: noArgs("filter with flags such as --since and --entity"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRisk(s, o) },
	}
	fs := cmd.Flags()
	o.store.register(fs)
	fs.StringVar(&o.since, "since", "7d", "risk since (24h, 7d, or RFC 3339)")
	fs.StringVar(&o.until, "until", "", "risk until (24h, 7d, or RFC 3339)")
	o.output.register(fs)
	fs.StringVar(&o.entity, "entity", "", "only this entity; with --events, its risk events")
	fs.BoolVar(&o.events, "events", false, "list risk events instead of totals")
	return cmd
}

func runRisk(s *streams, o *riskOptions) error {
	format, err := o.output.resolve(s.out)
	if err != nil {
		return err
	}
	stdout, done, err := o.output.open(s.out)
	if err != nil {
		return err
	}
	defer done()
	now := time.Now()
	var f store.RiskFilter
	if f.Since, err = parseSince(o.since, now); err != nil {
		return err
	}
	if f.Until, err = parseSince(o.until, now); err != nil {
		return err
	}
	if o.entity != "" {
		f.Entities = []string{o.entity}
	}
	ctx := context.Background()
	st, err := o.store.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if o.events {
		evs, err := st.RiskEvents(ctx, f)
		if err != nil {
			return fmt.Errorf("cannot read risk events: %w", err)
		}
		if format != formatTable {
			return writeRecords(stdout, format, evs)
		}
		tab := table.New(termWidth(stdout), "TIME", "ENTITY", "SCORE", "RULE", "MESSAGE")
		for _, e := range evs {
			tab.Row(e.Time.Format(time.RFC3339), e.Entity, fmt.Sprint(e.Score), e.RuleName, e.Message)
		}
		return tab.Write(stdout)
	}
	risk, err := st.Risk(ctx, f)
	if err != nil {
		return fmt.Errorf("cannot read risk: %w", err)
	}
	if len(risk) == 0 && !f.Since.IsZero() {
		older := f
		older.Since, older.Until, older.Limit = time.Time{}, f.Since, 1
		if prev, err := st.RiskEvents(ctx, older); err == nil && len(prev) > 0 {
			fmt.Fprintf(s.err, "no risk since %s (risk times are event times); the store holds older risk, from %s on: see it with --since %s\n",
				f.Since.UTC().Format(time.RFC3339), prev[0].Time.UTC().Format(time.RFC3339), prev[0].Time.UTC().Format(time.RFC3339))
		}
	}
	if format != formatTable {
		return writeRecords(stdout, format, risk)
	}
	tab := table.New(termWidth(stdout), "ENTITY", "TYPE", "RISK", "EVENTS", "RULES", "FIRST", "LAST")
	for _, r := range risk {
		tab.Row(r.Entity, r.EntityType, fmt.Sprint(r.Score), fmt.Sprint(r.Count),
			strings.Join(r.Rules, "; "), r.First.Format(time.RFC3339), r.Last.Format(time.RFC3339))
	}
	return tab.Write(stdout)
}
