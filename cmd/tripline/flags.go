package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
)

var errFlagHelp = errors.New("help shown")

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
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
	rules     listFlag
	noBuiltin bool
	macros    listFlag
}

func (r *ruleFlags) register(fs *flag.FlagSet) {
	fs.Var(&r.rules, "rules", "rule `path` (file or directory; repeatable): native YAML, Elastic TOML, Kibana NDJSON, Splunk YAML")
	fs.BoolVar(&r.noBuiltin, "no-builtin", false, "do not load the built-in rule pack")
	fs.Var(&r.macros, "macros", "`directory` of Splunk macro YAML files (security_content format; repeatable)")
}

// outputFlags choose how alerts are written.
type outputFlags struct {
	format string
	out    string
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "", "output format: table or ndjson (default: table on a terminal, else ndjson)")
	fs.StringVar(&o.out, "out", "", "write output to `file` instead of standard output")
}

func (o *outputFlags) resolve(stdout io.Writer) (string, error) {
	switch o.format {
	case "table", "ndjson":
		return o.format, nil
	case "":
		if o.out == "" && isTerminal(stdout) {
			return "table", nil
		}
		return "ndjson", nil
	}
	return "", usagef("unknown --format %q (want table or ndjson)", o.format)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseFlags parses and maps flag errors to usage errors; -h is not an error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(interleave(fs, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return errFlagHelp
	case err != nil:
		return usagef("%v", err)
	}
	return nil
}

// interleave moves flags that follow positional arguments to the front,
// so "hunt ./logs --format ndjson" works as users expect.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(append(flags, "--"), pos...)
}
