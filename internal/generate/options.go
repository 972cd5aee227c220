package generate

import (
	"fmt"
	"time"
)

// Options says what day to generate and how much of it.
type Options struct {
	Out        string    // output directory; created if missing
	Seed       int64     // the same seed gives byte-identical output
	Day        time.Time // the UTC day to generate; zero means 2026-11-21
	Principals int       // number of principals; zero means 300 (at least 30 are made)
	Account    string    // the monitored account; empty means "123456789012"
	Scale      int       // multiplies benign volume; zero means 1, a realistic day
	// Background is the benign volume as a share of a realistic day, for
	// quick tests (0.05 is a twentieth); zero means 1. It multiplies Scale.
	Background float64
}

// Expected is one alert the planted attacks must raise: the rule that raises
// it and the values of the rule's group-by fields, as the rule names them.
type Expected struct {
	Rule  string         `json:"rule"`
	Group map[string]any `json:"group"`
	Note  string         `json:"note,omitempty"`
}

// Summary says what Day wrote.
type Summary struct {
	Files                                int        // gzip log files written
	CloudTrailRecords, InvocationRecords int        // records in them
	Expected                             []Expected // also written to expected.ndjson
}

// Defaults of Options.
const (
	DefaultAccount    = "123456789012"
	DefaultPrincipals = 300
	// CrossAccount is the second account that appears as cross-account noise.
	CrossAccount = "210987654321"
)

// DefaultDay is the day generated when Options.Day is zero.
var DefaultDay = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// withDefaults fills in zero values and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Out == "" {
		return o, fmt.Errorf("cannot generate logs: no output directory")
	}
	if o.Day.IsZero() {
		o.Day = DefaultDay
	}
	o.Day = time.Date(o.Day.UTC().Year(), o.Day.UTC().Month(), o.Day.UTC().Day(), 0, 0, 0, 0, time.UTC)
	if o.Principals == 0 {
		o.Principals = DefaultPrincipals
	}
	if o.Principals < 0 {
		return o, fmt.Errorf("cannot generate logs: negative number of principals %d", o.Principals)
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if len(o.Account) != 12 || !allDigits(o.Account) {
		return o, fmt.Errorf("cannot generate logs: account %q is not 12 digits", o.Account)
	}
	if o.Account == CrossAccount {
		return o, fmt.Errorf("cannot generate logs: account %q is reserved for cross-account noise", o.Account)
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.Background == 0 {
		o.Background = 1
	}
	if o.Background < 0 {
		return o, fmt.Errorf("cannot generate logs: negative background volume %g", o.Background)
	}
	if o.Scale < 0 {
		return o, fmt.Errorf("cannot generate logs: negative scale %d", o.Scale)
	}
	return o, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
