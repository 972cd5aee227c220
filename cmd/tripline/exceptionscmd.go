package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/table"
)

func newExceptionsCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exceptions",
		Short: "List, add, remove, export and import the exceptions serve keeps in its store",
		Long: `Manages the exceptions kept in the store of tripline serve (the SQLite file
in --data, or --store): those added from alerts in the web UI, through the
API, or here. Each change is recorded with who made it, when and why; a
running serve applies the store's exceptions within seconds. Exceptions
files beside the rules are not changed here: export writes the store's in
their format, for version control and for rules test, and import adds a
file's to the store.`,
		Example: `  tripline exceptions list
  tripline exceptions add --rule RULE_ID --field user.id --value arn:aws:iam::1:user/ci --reason "CI probes models" --author ana
  tripline exceptions remove ex-0123abcd4567 --by ana --why "the CI account is gone"
  tripline exceptions export --out rules/exceptions.yaml
  tripline exceptions import rules/exceptions.yaml --by ana`,
		Args: subcommands,
		RunE: groupRun,
	}
	cmd.AddCommand(newExceptionsListCmd(s), newExceptionsAddCmd(s), newExceptionsRemoveCmd(s),
		newExceptionsExportCmd(s), newExceptionsImportCmd(s), newExceptionsHistoryCmd(s))
	return cmd
}

// openExceptions opens the store and its exceptions.
func openExceptions(ctx context.Context, sf *storeFlags) (store.Store, store.Exceptions, error) {
	st, err := sf.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	x, ok := st.(store.Exceptions)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the %T store keeps no exceptions", st)
	}
	return st, x, nil
}

// exceptionsListOptions are exceptions list's flags.
type exceptionsListOptions struct {
	store  storeFlags
	output outputFlags
	all    bool
}

func newExceptionsListCmd(s *streams) *cobra.Command {
	o := &exceptionsListOptions{}
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List the exceptions in the store",
		Example: `  tripline exceptions list
  tripline exceptions list --all --format json`,
		Args: noArgs("list takes no arguments"),
		RunE: func(*cobra.Command, []string) error { return runExceptionsList(s, o) },
	}
	o.store.register(cmd.Flags())
	o.output.register(cmd.Flags())
	cmd.Flags().BoolVar(&o.all, "all", false, "also list removed exceptions")
	return cmd
}

func runExceptionsList(s *streams, o *exceptionsListOptions) error {
	format, err := o.output.resolve(s.out)
	if err != nil {
		return err
	}
	ctx := s.ctx
	st, _, err := openExceptions(ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := server.ListExceptions(ctx, st, nil, o.all, time.Now())
	if err != nil {
		return err
	}
	w, done, err := o.output.open(s.out)
	if err != nil {
		return err
	}
	if format == formatJSON {
		return errors.Join(writeRecords(w, format, list), done())
	}
	tab := table.New(termWidth(w), "ID", "RULE", "FIELD", "VALUES", "REASON", "AUTHOR", "EXPIRES", "STATE")
	for _, e := range list {
		rule, expires, state := e.Rule, "never", "active"
		if rule == "" {
			rule = "*"
		}
		if !e.Expires.IsZero() {
			expires = e.Expires.UTC().Format(time.RFC3339)
		}
		switch {
		case e.Removed != nil:
			state = "removed by " + e.Removed.By
		case !e.Active:
			state = "expired"
		}
		values := strings.Join(e.Values, ", ")
		if e.Match == exception.MatchWildcard {
			values = "like " + values
		}
		tab.Row(e.ID, rule, e.Field, values, e.Reason, e.Author, expires, state)
	}
	tab.Write(w)
	return done()
}

// exceptionsAddOptions are exceptions add's flags.
type exceptionsAddOptions struct {
	store                                       storeFlags
	rule, field, match, reason, author, expires string
	note                                        string
	values                                      listFlag
}

func newExceptionsAddCmd(s *streams) *cobra.Command {
	o := &exceptionsAddOptions{}
	cmd := &cobra.Command{
		Use:   "add --field FIELD --value VALUE --reason WHY [flags]",
		Short: "Add an exception: a field value expected for one rule, or every rule",
		Long: `Adds an exception to the store. The field is named as the rule reads it (an
ECS field for Elastic rules, a Splunk field or CloudTrail path for SPL and
Sigma) or as a column of its results; events with the value do not count,
and results with it raise nothing.`,
		Example: `  tripline exceptions add --rule RULE_ID --field user.id --value arn:aws:iam::1:user/ci --reason "CI probes models" --expires 30d`,
		Args:    noArgs("give the exception with flags"),
		RunE:    func(*cobra.Command, []string) error { return runExceptionsAdd(s, o) },
	}
	fs := cmd.Flags()
	o.store.register(fs)
	fs.StringVar(&o.rule, "rule", "", "the rule `id` it applies to (default: every rule)")
	fs.StringVar(&o.field, "field", "", "the `field` or result column")
	fs.Var(&o.values, "value", "a `value` it excepts (repeatable)")
	fs.StringVar(&o.match, "match", "", "how values match: equals (default) or wildcard (* and ?)")
	fs.StringVar(&o.reason, "reason", "", "why the value is expected")
	fs.StringVar(&o.author, "author", envOr("USER", ""), "who adds it")
	fs.StringVar(&o.expires, "expires", "", "when it ends: a length of time from now (30d) or an RFC 3339 time (default: never)")
	fs.StringVar(&o.note, "note", "", "a note for its history")
	return cmd
}

func runExceptionsAdd(s *streams, o *exceptionsAddOptions) error {
	now := time.Now().UTC()
	e, err := server.NewException(server.ExceptionRequest{Rule: o.rule, Field: o.field, Values: o.values, Match: o.match,
		Reason: o.reason, Author: o.author, Expires: o.expires}, now)
	if err != nil {
		var pe interface{ Unwrap() error }
		if errors.As(err, &pe) {
			err = pe.Unwrap()
		}
		return usagef("%v", err)
	}
	st, x, err := openExceptions(s.ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := x.AddException(s.ctx, e, store.ExceptionChange{By: e.Author, At: now, Note: o.note}); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "%s added\n", e.ID)
	return nil
}

// exceptionsRemoveOptions are exceptions remove's flags.
type exceptionsRemoveOptions struct {
	store   storeFlags
	by, why string
	ids     []string
}

func newExceptionsRemoveCmd(s *streams) *cobra.Command {
	o := &exceptionsRemoveOptions{}
	cmd := &cobra.Command{
		Use:     "remove ID... --why WHY [flags]",
		Short:   "Remove exceptions, saying why; their history stays",
		Example: `  tripline exceptions remove ex-0123abcd4567 --why "the CI account is gone"`,
		Args:    argsBetween(1, -1, "give the ids of the exceptions to remove"),
		RunE: func(_ *cobra.Command, args []string) error {
			o.ids = args
			return runExceptionsRemove(s, o)
		},
	}
	o.store.register(cmd.Flags())
	cmd.Flags().StringVar(&o.by, "by", envOr("USER", ""), "who removes them")
	cmd.Flags().StringVar(&o.why, "why", "", "why they go")
	return cmd
}

func runExceptionsRemove(s *streams, o *exceptionsRemoveOptions) error {
	if strings.TrimSpace(o.by) == "" {
		return usagef("say who removes the exceptions with --by")
	}
	if strings.TrimSpace(o.why) == "" {
		return usagef("say why the exceptions go with --why")
	}
	st, x, err := openExceptions(s.ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range o.ids {
		if err := x.RemoveException(s.ctx, id, store.ExceptionChange{By: o.by, At: time.Now().UTC(), Note: o.why}); err != nil {
			return err
		}
		fmt.Fprintf(s.out, "%s removed\n", id)
	}
	return nil
}

// exceptionsExportOptions are exceptions export's flags.
type exceptionsExportOptions struct {
	store storeFlags
	out   string
}

func newExceptionsExportCmd(s *streams) *cobra.Command {
	o := &exceptionsExportOptions{}
	cmd := &cobra.Command{
		Use:   "export [flags]",
		Short: "Write the store's exceptions as an exceptions file",
		Long: `Writes the exceptions in force in the store (expired ones too, with their
expiry) in the format of the exceptions files beside the rules, so that
they can be kept in version control, read by hunt and rules test, and
imported into another store.`,
		Example: `  tripline exceptions export --out rules/exceptions.yaml`,
		Args:    noArgs("export takes no arguments; write to a file with --out"),
		RunE:    func(*cobra.Command, []string) error { return runExceptionsExport(s, o) },
	}
	o.store.register(cmd.Flags())
	cmd.Flags().StringVar(&o.out, "out", "", "write to `file` instead of standard output")
	return cmd
}

func runExceptionsExport(s *streams, o *exceptionsExportOptions) error {
	st, x, err := openExceptions(s.ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	stored, err := x.ListExceptions(s.ctx, false)
	if err != nil {
		return err
	}
	excs := make([]exception.Exception, len(stored))
	for i, e := range stored {
		excs[i] = e.Exception
	}
	text, err := exception.Marshal(excs)
	if err != nil {
		return fmt.Errorf("cannot write exceptions: %w", err)
	}
	if o.out == "" {
		_, err = s.out.Write(text)
		return err
	}
	if err := os.WriteFile(o.out, text, 0o644); err != nil {
		return fmt.Errorf("cannot write exceptions: %w", err)
	}
	fmt.Fprintf(s.err, "%d exceptions written to %s\n", len(excs), o.out)
	return nil
}

// exceptionsImportOptions are exceptions import's flags.
type exceptionsImportOptions struct {
	store storeFlags
	by    string
	files []string
}

func newExceptionsImportCmd(s *streams) *cobra.Command {
	o := &exceptionsImportOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE... [flags]",
		Short: "Add the exceptions of exceptions files to the store",
		Long: `Adds the exceptions of files (the format of the exceptions files beside the
rules, as export writes it) to the store. An exception whose id is in force
already is reported and left as it is; an entry that cannot be used is
reported at its line. The exit status is 1 when anything was not imported.`,
		Example: `  tripline exceptions import rules/exceptions.yaml --by ana`,
		Args:    argsBetween(1, -1, "give the exceptions files to import"),
		RunE: func(_ *cobra.Command, args []string) error {
			o.files = args
			return runExceptionsImport(s, o)
		},
	}
	o.store.register(cmd.Flags())
	cmd.Flags().StringVar(&o.by, "by", envOr("USER", ""), "who imports them (recorded in their history)")
	return cmd
}

// errNotAllImported is the exit status of an import that left some out.
var errNotAllImported = errors.New("not every exception was imported")

func runExceptionsImport(s *streams, o *exceptionsImportOptions) error {
	if strings.TrimSpace(o.by) == "" {
		return usagef("say who imports the exceptions with --by")
	}
	st, x, err := openExceptions(s.ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	added, skipped := 0, 0
	for _, f := range o.files {
		excs, probs, err := exception.LoadFile(f)
		if err != nil {
			return fmt.Errorf("cannot read exceptions: %w", err)
		}
		for _, p := range probs {
			fmt.Fprintf(s.err, "%v: not imported\n", p)
			skipped++
		}
		for _, e := range excs {
			err := x.AddException(s.ctx, e, store.ExceptionChange{By: o.by, At: time.Now().UTC(), Note: "imported from " + f})
			switch {
			case errors.Is(err, store.ErrExists):
				fmt.Fprintf(s.err, "%s: exception %s is in the store already: not imported again\n", f, e.ID)
				skipped++
			case err != nil:
				return err
			default:
				added++
			}
		}
	}
	fmt.Fprintf(s.out, "%d exceptions imported, %d not\n", added, skipped)
	if skipped > 0 {
		return errNotAllImported
	}
	return nil
}

// exceptionsHistoryOptions are exceptions history's flags.
type exceptionsHistoryOptions struct {
	store  storeFlags
	output outputFlags
	id     string
}

func newExceptionsHistoryCmd(s *streams) *cobra.Command {
	o := &exceptionsHistoryOptions{}
	cmd := &cobra.Command{
		Use:   "history [ID] [flags]",
		Short: "Show who added and removed exceptions, when and why",
		Example: `  tripline exceptions history
  tripline exceptions history ex-0123abcd4567`,
		Args: argsBetween(0, 1, "give at most one exception id"),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.id = args[0]
			}
			return runExceptionsHistory(s, o)
		},
	}
	o.store.register(cmd.Flags())
	o.output.register(cmd.Flags())
	return cmd
}

func runExceptionsHistory(s *streams, o *exceptionsHistoryOptions) error {
	format, err := o.output.resolve(s.out)
	if err != nil {
		return err
	}
	st, x, err := openExceptions(s.ctx, &o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	hist, err := x.ExceptionHistory(s.ctx, o.id)
	if err != nil {
		return err
	}
	w, done, err := o.output.open(s.out)
	if err != nil {
		return err
	}
	if format == formatJSON {
		return errors.Join(writeRecords(w, format, hist), done())
	}
	writeHistory(w, hist)
	return done()
}

func writeHistory(w io.Writer, hist []store.ExceptionChange) {
	tab := table.New(termWidth(w), "WHEN", "EXCEPTION", "ACTION", "BY", "WHY")
	for _, h := range hist {
		tab.Row(h.At.UTC().Format(time.RFC3339), h.ExceptionID, h.Action, h.By, h.Note)
	}
	tab.Write(w)
}
