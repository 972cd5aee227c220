package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/service"

	"github.com/tripline/tripline/internal/notify"
)

func newServeCmd(s *streams) *cobra.Command {
	var configPath string
	var check bool
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Watch logs live: alert store, risk, notifications, HTTP API",
		Long: `Watches logs live (directories, S3 buckets with or without SQS, standard
input, and pushes to the HTTP API), runs every rule on its schedule over
event time, stores alerts and risk, notifies sinks, and serves the HTTP API.
Every option can come from the --config file, a TRIPLINE_* variable or a
flag; a flag given on the command line wins, then the variable, then the file.`,
		Example: `  tripline serve                                  # ./logs, SQLite in ./tripline-data, API on 127.0.0.1:7700
  tripline serve --config tripline.yaml
  tripline serve --check-config --config tripline.yaml
  tripline serve --watch /var/log/bedrock --sink slack:https://hooks.slack.com/...`,
		Args: noArgs("give directories with --watch"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(s, cmd.Flags(), &f, configPath, check)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&configPath, "config", os.Getenv("TRIPLINE_CONFIG"), "YAML config `file` (every option can also be a flag or a TRIPLINE_* variable)")
	fs.BoolVar(&check, "check-config", false, "check the configuration and the rules, print the result, and exit")
	f.register(fs)
	return cmd
}

func runServe(s *streams, fs *pflag.FlagSet, f *serveFlags, configPath string, check bool) error {
	cfg := service.Default()
	if configPath != "" {
		if err := service.LoadFile(configPath, &cfg); err != nil {
			return usagef("%v", err)
		}
	}
	if err := service.ApplyEnv(&cfg, os.Getenv); err != nil {
		return usagef("%v", err)
	}
	if err := f.apply(fs, &cfg); err != nil {
		return err
	}
	if len(cfg.Sources.Watch) == 0 && len(cfg.Sources.S3) == 0 && !cfg.Sources.Stdin {
		cfg.Sources.Watch = []string{"./logs"}
	}
	if err := cfg.Check(); err != nil {
		return usagef("%v", err)
	}
	if err := cfg.ReadTokenFile(); err != nil {
		return err
	}
	if cfg.TokenOnCommandLine {
		fmt.Fprintln(s.err, "warning: --token is visible to every user of this machine (ps, /proc); use --token-file or TRIPLINE_TOKEN")
	}
	set, err := loadRules(ruleFlags{rules: cfg.Rules, noBuiltin: cfg.NoBuiltin, macros: cfg.Macros, exceptions: cfg.Exceptions,
		sigmaPlaceholders: cfg.SigmaPlaceholders, lookups: cfg.Lookups, geoip: cfg.GeoIP, geoipDB: cfg.GeoIPDB, asnDB: cfg.ASNDB, inferenceCfg: cfg.Inference}, s.err)
	if err != nil {
		return err
	}
	if err := service.ApplySchedules(set, cfg.Schedules); err != nil {
		return usagef("%v", err)
	}
	if check {
		if err := notify.Check(cfg.Sinks); err != nil {
			return usagef("%v", err)
		}
		out, err := cfg.YAML()
		if err != nil {
			return err
		}
		fmt.Fprintf(s.out, "# the effective configuration: file, then TRIPLINE_* variables, then flags\n%s", out)
		fmt.Fprintf(s.out, "# configuration ok: %d rules runnable of %d\n", len(set.Runnable()), len(set.Compiled))
		return nil
	}
	ctx, stop := signal.NotifyContext(s.ctx, syscall.SIGTERM)
	defer stop()
	return service.Run(ctx, cfg, set, s.in, s.err)
}

// serveFlags are serve's flags; only flags given on the command line
// override the config file and the environment.
type serveFlags struct {
	data, store, listen, token, logFormat, logLevel string
	tokenFile, sigmaPlaceholders, geoip             string
	geoipDB, asnDB                                  string
	watch, rules, macros, exceptions, lookups       listFlag
	noBuiltin, stdin                                bool
	lateness, retention, maxSkew, streamIdle        string
	s3, sinks                                       listFlag
	riskThreshold, queueSize                        int
	riskWindow, checkpointEvery, pollInterval       string
}

func (f *serveFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "data `directory` for the embedded store and state (default ./tripline-data)")
	fs.StringVar(&f.store, "store", "", "alert store `URL`: a SQLite path, or postgres://... (default: <data>/tripline.db)")
	fs.StringVar(&f.listen, "listen", "", "API `address` (default 127.0.0.1:7700)")
	fs.StringVar(&f.token, "token", "", "API bearer token (required when listening beyond loopback); visible to every user in ps, so prefer --token-file or TRIPLINE_TOKEN")
	fs.StringVar(&f.tokenFile, "token-file", "", "`file` holding the API bearer token")
	fs.Var(&f.watch, "watch", "`directory` to watch for new and growing logs (repeatable; default ./logs)")
	fs.Var(&f.rules, "rules", "rule `path` (repeatable)")
	fs.BoolVar(&f.noBuiltin, "no-builtin", false, "do not load the built-in rule pack")
	fs.Var(&f.macros, "macros", "Splunk macro `directory` (repeatable)")
	fs.Var(&f.exceptions, "exceptions", "exceptions `file` (repeatable; exceptions.yaml files among --rules are read too)")
	fs.StringVar(&f.sigmaPlaceholders, "sigma-placeholders", "", "`file` of Sigma placeholder values for |expand (YAML: name: [values])")
	registerResourceFlags(fs, &f.lookups, &f.geoip, &f.geoipDB, &f.asnDB)
	fs.BoolVar(&f.stdin, "stdin", false, "also read logs from standard input")
	fs.StringVar(&f.lateness, "lateness", "", "how long to wait for late events before evaluating a window (default 10m)")
	fs.StringVar(&f.maxSkew, "max-skew", "", "reject records dated further ahead of the clock than this (default 1h)")
	fs.StringVar(&f.streamIdle, "stream-idle", "", "how long an input stream may stay quiet and still hold rules back (default 5m)")
	fs.StringVar(&f.retention, "retention", "", "drop alerts and risk older than this behind the newest data (e.g. 90d; default: keep)")
	fs.Var(&f.s3, "s3", "S3 source `URL` s3://bucket/prefix?region=R&endpoint=URL&path_style=true&queue_url=URL (repeatable)")
	fs.Var(&f.sinks, "sink", "notification `sink`: stdout[:FORMAT], file:PATH[:FORMAT], webhook:URL, slack:URL (repeatable)")
	fs.IntVar(&f.riskThreshold, "risk-threshold", 0, "total risk of one entity that raises a risk incident (default 100)")
	fs.StringVar(&f.riskWindow, "risk-window", "", "window the risk threshold sums over (default 24h)")
	fs.StringVar(&f.checkpointEvery, "checkpoint-every", "", "how often state is checkpointed (default 10s)")
	fs.StringVar(&f.pollInterval, "poll-interval", "", "how often watched directories are looked at (default 2s)")
	fs.IntVar(&f.queueSize, "queue-size", 0, "input chunks that may wait for the engine (default 64)")
	fs.StringVar(&f.logFormat, "log-format", "", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn, error")
}

func (f *serveFlags) apply(fs *pflag.FlagSet, cfg *service.Config) error {
	var err error
	fs.Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "data":
			cfg.Data = f.data
		case "store":
			cfg.Store = f.store
		case "listen":
			cfg.Listen = f.listen
		case "token":
			cfg.Token = f.token
			cfg.TokenOnCommandLine = true
		case "token-file":
			cfg.TokenFile = f.tokenFile
		case "watch":
			cfg.Sources.Watch = f.watch
		case "rules":
			cfg.Rules = f.rules
		case "no-builtin":
			cfg.NoBuiltin = f.noBuiltin
		case "macros":
			cfg.Macros = f.macros
		case "exceptions":
			cfg.Exceptions = f.exceptions
		case "sigma-placeholders":
			cfg.SigmaPlaceholders = f.sigmaPlaceholders
		case "lookups":
			cfg.Lookups = f.lookups
		case "geoip":
			cfg.GeoIP = f.geoip
		case "geoip-db":
			cfg.GeoIPDB = f.geoipDB
		case "asn-db":
			cfg.ASNDB = f.asnDB
		case "stdin":
			cfg.Sources.Stdin = f.stdin
		case "log-format":
			cfg.Log.Format = f.logFormat
		case "log-level":
			cfg.Log.Level = f.logLevel
		case "risk-threshold":
			cfg.Risk.Threshold = f.riskThreshold
		case "queue-size":
			cfg.QueueSize = f.queueSize
		case "s3":
			cfg.Sources.S3 = nil
			for _, u := range f.s3 {
				s, e := service.ParseS3URL(u)
				if e != nil {
					err = usagef("--s3: %v", e)
					return
				}
				cfg.Sources.S3 = append(cfg.Sources.S3, s)
			}
		case "sink":
			cfg.Sinks = nil
			for _, spec := range f.sinks {
				s, e := service.ParseSinkSpec(spec)
				if e != nil {
					err = usagef("--sink: %v", e)
					return
				}
				cfg.Sinks = append(cfg.Sinks, s)
			}
		case "lateness", "retention", "risk-window", "checkpoint-every", "poll-interval", "max-skew", "stream-idle":
			d, e := duration.Parse(fl.Value.String())
			if e != nil {
				err = usagef("--%s: %v", fl.Name, e)
				return
			}
			*map[string]*service.Duration{"lateness": &cfg.Lateness, "retention": &cfg.Retention, "risk-window": &cfg.Risk.Window,
				"checkpoint-every": &cfg.CheckpointEvery, "poll-interval": &cfg.Sources.PollInterval,
				"max-skew": &cfg.MaxSkew, "stream-idle": &cfg.StreamIdle}[fl.Name] = service.Duration(d)
		}
	})
	return err
}
