package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/inference"

	"golang.org/x/term"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/ruleset"
)

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Type() string   { return "list" }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// ruleFlags are shared by every command that loads rules.
type ruleFlags struct {
	rules      listFlag
	noBuiltin  bool
	macros     listFlag
	exceptions listFlag
	// sigmaPlaceholders is a file of values for Sigma |expand placeholders.
	sigmaPlaceholders string
	// lookups are directories of Splunk lookup tables; geoip a MaxMind DB
	// file for iplocation; geoipDB and asnDB the City and ASN databases
	// of the ECS view's source.geo.* and source.as.*.
	lookups               listFlag
	geoip, geoipDB, asnDB string
	// inference is the --inference file; inferenceCfg, serve's
	// inference: section, is used when no file is given.
	inference    string
	inferenceCfg *inference.Config
}

func (r *ruleFlags) register(fs *pflag.FlagSet) {
	fs.Var(&r.rules, "rules", "rule `path` (file or directory; repeatable): native YAML, Elastic TOML, Kibana NDJSON, Splunk YAML")
	fs.BoolVar(&r.noBuiltin, "no-builtin", false, "do not load the built-in rule pack")
	r.registerLoading(fs)
}

// registerLoading registers the flags that say how rules load, without
// the ones that say which rules.
func (r *ruleFlags) registerLoading(fs *pflag.FlagSet) {
	fs.Var(&r.macros, "macros", "`directory` of Splunk macro YAML files (security_content format; repeatable)")
	fs.Var(&r.exceptions, "exceptions", "exceptions `file` (repeatable; exceptions.yaml files among the rules are read too)")
	fs.StringVar(&r.sigmaPlaceholders, "sigma-placeholders", "", "`file` of Sigma placeholder values for |expand (YAML: name: [values])")
	registerResourceFlags(fs, &r.lookups, &r.geoip, &r.geoipDB, &r.asnDB)
	fs.StringVar(&r.inference, "inference", "", "YAML `file` mapping ES|QL COMPLETION inference ids to endpoints (OpenAI-compatible or Bedrock); without one, rules using COMPLETION are skipped")
}

// registerResourceFlags registers the flags naming what rules read
// besides events: lookup tables, and the MaxMind databases of Splunk's
// iplocation and of the ECS fields Elastic derives with GeoIP and ASN
// databases. One City database serves both iplocation and source.geo.*
// when only one of --geoip and --geoip-db is given.
func registerResourceFlags(fs *pflag.FlagSet, lookups *listFlag, geoip, geoipDB, asnDB *string) {
	fs.Var(lookups, "lookups", "`directory` of Splunk lookup tables, NAME.csv or a NAME.yml definition (repeatable)")
	fs.StringVar(geoip, "geoip", "", "MaxMind DB `file` (GeoLite2-City or alike) for iplocation (default: --geoip-db)")
	fs.StringVar(geoipDB, "geoip-db", "", "MaxMind City DB `file` (GeoLite2-City or alike) for the source.geo.* fields of Elastic rules (default: --geoip)")
	fs.StringVar(asnDB, "asn-db", "", "MaxMind ASN DB `file` (GeoLite2-ASN or alike) for the source.as.* fields of Elastic rules")
}

// options says what ruleset.Load reads for rule paths, with or without the
// built-in pack.
func (r *ruleFlags) options(paths []string, builtin bool) (ruleset.Options, error) {
	o := ruleset.Options{Paths: paths, Builtin: builtin, MacroDirs: r.macros, Exceptions: r.exceptions,
		LookupDirs: r.lookups, GeoIP: r.geoip, GeoIPDB: r.geoipDB, ASNDB: r.asnDB}
	if r.sigmaPlaceholders != "" {
		var err error
		if o.SigmaPlaceholders, err = ruleset.LoadPlaceholders(r.sigmaPlaceholders); err != nil {
			return o, usagef("%v", err)
		}
	}
	var err error
	o.Inference, err = inferenceClient(r.inference, r.inferenceCfg)
	return o, err
}

// inferenceClient makes the client for --inference FILE (or serve's
// inference: section); nil when neither is given.
func inferenceClient(file string, cfg *inference.Config) (*inference.Client, error) {
	if file != "" {
		c, err := inference.LoadFile(file)
		if err != nil {
			return nil, usagef("%v", err)
		}
		cfg = c
	}
	if cfg == nil {
		return nil, nil
	}
	return inference.New(cfg, inference.Options{})
}

// Output formats. Every command that prints records offers the same
// names: table for people, and json for programs: one JSON object a line
// (what other tools call NDJSON or JSON Lines, and ndjson names here
// too). A command that prints one thing prints one JSON object.
const (
	formatTable  = "table"
	formatJSON   = "json"
	formatNDJSON = "ndjson"
)

// outputFlags choose how records are written, and where.
type outputFlags struct {
	format string
	out    string
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "", "output `format`: table, or json (an object a line; ndjson is the same) (default: table on a terminal, else json)")
	fs.StringVar(&o.out, "out", "", "write output to `file` instead of standard output")
}

func (o *outputFlags) resolve(stdout io.Writer) (string, error) {
	switch o.format {
	case formatTable, formatJSON:
		return o.format, nil
	case formatNDJSON:
		return formatJSON, nil
	case "":
		if o.out == "" && isTerminal(stdout) {
			return formatTable, nil
		}
		return formatJSON, nil
	}
	return "", usagef("unknown --format %q (want table or json)", o.format)
}

// open returns where output goes: the --out file, created, or stdout.
// done closes the file and reports a failed write.
func (o *outputFlags) open(stdout io.Writer) (w io.Writer, done func() error, err error) {
	if o.out == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(o.out)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write output: %w", err)
	}
	return f, f.Close, nil
}

// docFormat is --format for commands that print one document: table or
// json.
func docFormat(fs *pflag.FlagSet) *string {
	return fs.String("format", formatTable, "output `format`: table or json")
}

// listFormat is --format for commands that print a list of records
// people read first: table (the default), json or ndjson.
func listFormat(fs *pflag.FlagSet) *string {
	return fs.String("format", formatTable, "output `format`: table, or json (an object a line; ndjson is the same)")
}

func checkListFormat(f string) error {
	switch f {
	case formatTable, formatJSON, formatNDJSON:
		return nil
	}
	return usagef("unknown --format %q (want table or json)", f)
}

// subcommands is the Args of a command that only groups others: it
// names an unknown subcommand and suggests the nearest.
func subcommands(cmd *cobra.Command, args []string) error {
	if len(args) == 0 || len(args) == 1 && args[0] == "help" {
		return nil
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	kind := "subcommand"
	if !cmd.HasParent() {
		kind = "command"
	}
	msg := fmt.Sprintf("unknown %s %q (want %s)", kind, args[0], strings.Join(names, ", "))
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", s[0])
	}
	return usagef("%s", msg)
}

// groupRun is the Run of a command that only groups others: without a
// subcommand it shows its help on standard error and is a usage error.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		return cmd.Help() // "tripline rules help"
	}
	cmd.SetOut(cmd.ErrOrStderr())
	cmd.Help()
	return usagef("give a subcommand")
}

func checkDocFormat(f string) error {
	switch f {
	case formatTable, formatJSON:
		return nil
	}
	return usagef("unknown --format %q (want table or json)", f)
}

// termWidth is how wide tables written to w may be: the terminal's width,
// or $COLUMNS; 0 (any width) when w is a file or a pipe, so that output
// for programs is never cut.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(w) {
		return 0
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
		return n
	}
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// noArgs refuses positional arguments, saying what to do instead.
func noArgs(hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments (%s)", cmd.CommandPath(), hint)
		}
		return nil
	}
}

// argsBetween wants from lo to hi arguments (hi < 0: no upper bound), and
// says what they are when not.
func argsBetween(lo, hi int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || hi >= 0 && len(args) > hi {
			return usagef("%s", what)
		}
		return nil
	}
}

// singleDashLong rewrites "-name" and "-name=value" as "--name..." when
// name is a long flag of the command args reach: tripline's flags were
// read by Go's flag package, which takes both spellings, and scripts
// written then keep working. Shorthands ("-v") are left alone.
func singleDashLong(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) > 1 && (cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil) {
			out[i] = "-" + a
		}
	}
	return out
}

// flagError makes a flag error a usage error, and for an unknown flag
// names the command's flag nearest to it.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return usagef("%s", msg)
	}
	var names []string
	collect := func(f *pflag.Flag) { names = append(names, f.Name) }
	cmd.Flags().VisitAll(collect)
	cmd.InheritedFlags().VisitAll(collect)
	if best := lint.Suggest(name, names); best != "" {
		msg += fmt.Sprintf("; did you mean --%s?", best)
	}
	return usagef("%s", msg)
}
