// Command tripline detects abuse of AWS Bedrock and the account around it
// from raw CloudTrail and Bedrock model-invocation logs, running Elastic
// ES|QL and Splunk SPL rules as they are written.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

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

// alertExit asks for exit status 3 after a run that raised alerts.
var errAlerts = errors.New("alerts raised")

const usage = `tripline: detections for AWS Bedrock from raw CloudTrail and invocation logs

Usage:
  tripline hunt [flags] PATH...        run rules over logs (files, directories, globs, - for stdin)
  tripline query [flags] QUERY PATH... run one ES|QL or SPL query over logs and print its rows
  tripline generate --out DIR          write a synthetic day of logs with planted attacks
  tripline generate --scenario NAME --out DIR   one stage of the threat model (--list-scenarios)
  tripline demo [--scenario NAME]      generate the LLMjacking story into a temporary directory and hunt it
  tripline rules list|show|validate|test|coverage
  tripline serve [flags]               watch logs live: alert store, risk, notifications, HTTP API
  tripline alerts list|show|ack|close  read and triage stored alerts
  tripline alerts drilldown ID [N]     list an alert's drilldown searches, or run one
  tripline risk [--since 7d]           risk per entity, highest first
  tripline version

Run 'tripline COMMAND -h' for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Everything on stderr is for people: summaries, problems, logs.
	stderr = visible.Writer(stderr)
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "hunt":
		err = cmdHunt(args[1:], stdin, stdout, stderr)
	case "query":
		err = cmdQuery(args[1:], stdin, stdout, stderr)
	case "generate":
		err = cmdGenerate(args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(args[1:], stdout, stderr)
	case "rules":
		err = cmdRules(args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(args[1:], stdin, stdout, stderr)
	case "alerts":
		err = cmdAlerts(args[1:], stdout, stderr)
	case "risk":
		err = cmdRisk(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tripline", version)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "tripline: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errAlerts):
		return exitAlert
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "tripline %s: %s\n", args[0], ue.msg)
		return exitUsage
	case errors.Is(err, errFlagHelp):
		return exitOK
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "tripline %s: interrupted\n", args[0])
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "tripline %s: %v\n", args[0], err)
	return exitError
}

var version = "0.1.0-dev"
