// Command tripline detects abuse of AWS Bedrock and the account around it
// from raw CloudTrail and Bedrock model-invocation logs, running Elastic
// ES|QL and KQL, Splunk SPL and Sigma rules as they are written.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tripline/tripline/internal/visible"
)

// Exit codes that scripts rely on.
const (
	exitOK    = 0
	exitError = 1 // the run could not complete
	exitUsage = 2
	exitAlert = 3 // --fail-on-alert and alerts were raised
	// exitInterrupted is a shell's status for a command stopped by Ctrl-C.
	exitInterrupted = 130
)

// usageError marks errors in how the command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errAlerts asks for exit status 3 after a run that raised alerts.
var errAlerts = errors.New("alerts raised")

var version = "0.1.0-dev"

// streams are a command's standard input, output and error.
type streams struct {
	// ctx ends at Ctrl-C, whenever it comes: a command that has not
	// started its work yet stops as "interrupted" too.
	ctx      context.Context
	in       io.Reader
	out, err io.Writer
	// tty is standard error itself when it is a terminal, for the
	// progress line's control codes (err passes none through); else nil.
	tty io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Attacker-controlled text (user agents, role names, prompts) reaches
	// error messages: it is shown, never obeyed by the terminal.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := &streams{ctx: ctx, in: stdin, out: stdout, err: visible.Writer(stderr)}
	if isTerminal(stderr) {
		s.tty = stderr
	}
	stderr = s.err
	root := newRootCmd(s)
	root.SetArgs(singleDashLong(root, args))
	cmd, err := root.ExecuteC()
	name := "tripline"
	if cmd != nil && cmd != root {
		name = cmd.CommandPath()
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errAlerts):
		return exitAlert
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\n", name, ue.msg)
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return exitUsage
	case strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintf(stderr, "%s: %s\n", name, strings.TrimRight(err.Error(), "\n"))
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "%s: interrupted\n", name)
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return exitError
}

func newRootCmd(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "tripline",
		Short: "Detections for AWS Bedrock from raw CloudTrail and invocation logs",
		Long: `tripline runs the detection rules you already have, written for Elastic
(ES|QL, KQL), Splunk (SPL) or Sigma, as they are written, over raw
CloudTrail and Bedrock model-invocation logs: files, S3 or a live stream.
No search cluster to stand up.`,
		Example: `  tripline demo                          # an LLMjacking story, generated and hunted
  tripline hunt ./logs                   # the built-in rules over a directory of logs
  tripline serve --config tripline.yaml  # live: alert store, risk, notifications, API
  tripline alerts list --since 24h`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          subcommands,
		RunE:          groupRun,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetVersionTemplate("tripline {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddGroup(&cobra.Group{ID: "detect", Title: "Detect:"}, &cobra.Group{ID: "triage", Title: "Triage:"}, &cobra.Group{ID: "rules", Title: "Rules and data:"})
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("detect", newHuntCmd(s), newQueryCmd(s), newServeCmd(s), newDemoCmd(s))
	add("triage", newAlertsCmd(s), newRiskCmd(s))
	add("rules", newRulesCmd(s), newExceptionsCmd(s), newGenerateCmd(s))
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print tripline's version",
		Args:  noArgs("try tripline --version"),
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(s.out, "tripline", version)
			return nil
		},
	})
	return root
}
