package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/logs"
)

// explainOptions are rules explain's flags and arguments.
type explainOptions struct {
	rules   ruleFlags
	format  *string
	top     int
	workers int
	rule    string
	paths   []string
}

func newRulesExplainCmd(s *streams) *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain [flags] RULE PATH...",
		Short: "Show why a rule did or did not fire on some logs, stage by stage",
		Long: `Runs one rule, found by id, unique id prefix (four characters or more) or
name, over the logs at PATH (as hunt reads them: files, directories, globs,
or - for standard input) and shows what became of them:

  - the records read, those the rule's prefilter let be parsed, and the
    events of the sources the rule reads (its index or sourcetype);
  - for each stage of the rule's plan, in order, what went in and came out:
    events for the stages that run per event (each WHERE, and each AND term
    of it, EVAL, the search terms of SPL), rows summed over the windows
    evaluated for the stages after STATS (the WHERE on aggregates, INLINE
    STATS, SORT, LIMIT), and the most of any one window; the first stage
    that let nothing through is flagged: it is why no alert was raised;
  - the windows evaluated, and how many gave rows and raised alerts;
  - the groups nearest the threshold, when the filter after STATS compares
    an aggregate with a constant (where n > 20): each group's value where
    it came closest, and in which window. When the filter has another
    shape, the groups with the largest first aggregate are shown.`,
		Example: `  tripline rules explain 17261da3 ./logs
  tripline rules explain "AWS Bedrock Guardrail Deleted" 'logs/2026/11/*'
  tripline rules explain --top 10 --format json e84b3c74 trail.json.gz
  zcat trail.json.gz | tripline rules explain e84b3c74 -`,
		Args:              argsBetween(2, -1, "give a rule (id, id prefix or name) and at least one log path (- for stdin)"),
		ValidArgsFunction: completeRuleIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.rule, o.paths = args[0], args[1:]
			return runRulesExplain(s, o)
		},
	}
	fs := cmd.Flags()
	o.rules.register(fs)
	o.format = docFormat(fs)
	fs.IntVar(&o.top, "top", engine.DefaultExplainTop, "how many groups nearest the threshold to show")
	fs.IntVar(&o.workers, "workers", 0, "decode workers (default: number of CPUs)")
	return cmd
}

func runRulesExplain(s *streams, o *explainOptions) error {
	if err := checkDocFormat(*o.format); err != nil {
		return err
	}
	if o.top < 1 {
		return usagef("--top %d: want 1 or more", o.top)
	}
	set, err := loadSet(o.rules.rules, !o.rules.noBuiltin, o.rules.resources())
	if err != nil {
		return err
	}
	c, err := set.Find(o.rule)
	if err != nil {
		return usagef("%s", err)
	}
	ctx, stop := context.WithCancel(s.ctx)
	defer stop()
	ex, err := engine.Explain(ctx, c, o.paths, engine.ExplainOptions{
		HuntOptions: engine.HuntOptions{Workers: o.workers, Stdin: logs.Options{Stdin: s.in}},
		Top:         o.top,
	})
	if err != nil {
		return err
	}
	if *o.format == formatJSON {
		return writeJSONDoc(s.out, ex.JSON())
	}
	engine.WriteExplanation(s.out, ex)
	return nil
}
