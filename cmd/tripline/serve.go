package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tripline/tripline/internal/duration"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/datadir"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/metrics"
	"github.com/tripline/tripline/internal/notify"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/source"
	"github.com/tripline/tripline/internal/spool"
	"github.com/tripline/tripline/internal/store"
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
	stdin, stdout, stderr := s.in, s.out, s.err
	cfg := defaultConfig()
	if configPath != "" {
		if err := loadConfigFile(configPath, &cfg); err != nil {
			return err
		}
	}
	if err := applyEnv(&cfg, os.Getenv); err != nil {
		return usagef("%v", err)
	}
	if err := f.apply(fs, &cfg); err != nil {
		return err
	}
	if len(cfg.Sources.Watch) == 0 && len(cfg.Sources.S3) == 0 && !cfg.Sources.Stdin {
		cfg.Sources.Watch = []string{"./logs"}
	}
	if err := cfg.check(); err != nil {
		return usagef("%v", err)
	}
	if err := cfg.readTokenFile(); err != nil {
		return err
	}
	if cfg.tokenOnCommandLine {
		fmt.Fprintln(stderr, "warning: --token is visible to every user of this machine (ps, /proc); use --token-file or TRIPLINE_TOKEN")
	}
	set, err := loadRules(ruleFlags{rules: cfg.Rules, noBuiltin: cfg.NoBuiltin, macros: cfg.Macros}, stderr)
	if err != nil {
		return err
	}
	if err := applySchedules(set, cfg.Schedules); err != nil {
		return usagef("%v", err)
	}
	if check {
		if err := notify.Check(cfg.Sinks); err != nil {
			return usagef("%v", err)
		}
		runnable := 0
		for _, c := range set.Compiled {
			if c.Runnable() {
				runnable++
			}
		}
		out, _ := json.MarshalIndent(redacted(cfg), "", "  ")
		fmt.Fprintf(stdout, "%s\nconfiguration ok: %d rules runnable of %d\n", out, runnable, len(set.Compiled))
		return nil
	}
	return serve(cfg, set, stdin, stdout, stderr)
}

// serveFlags are serve's flags; only flags given on the command line
// override the config file and the environment.
type serveFlags struct {
	data, store, listen, token, logFormat, logLevel string
	tokenFile                                       string
	watch, rules, macros                            listFlag
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

func (f *serveFlags) apply(fs *pflag.FlagSet, cfg *serveConfig) error {
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
			cfg.tokenOnCommandLine = true
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
				s, e := parseS3URL(u)
				if e != nil {
					err = usagef("--s3: %v", e)
					return
				}
				cfg.Sources.S3 = append(cfg.Sources.S3, s)
			}
		case "sink":
			cfg.Sinks = nil
			for _, spec := range f.sinks {
				s, e := parseSinkSpec(spec)
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
			*map[string]*configDuration{"lateness": &cfg.Lateness, "retention": &cfg.Retention, "risk-window": &cfg.Risk.Window,
				"checkpoint-every": &cfg.CheckpointEvery, "poll-interval": &cfg.Sources.PollInterval,
				"max-skew": &cfg.MaxSkew, "stream-idle": &cfg.StreamIdle}[fl.Name] = configDuration(d)
		}
	})
	return err
}

// redacted hides secrets when the configuration is printed.
func redacted(c serveConfig) serveConfig {
	if c.Token != "" {
		c.Token = "***"
	}
	sinks := append([]notify.SinkSpec(nil), c.Sinks...)
	for i := range sinks {
		if sinks[i].Secret != "" {
			sinks[i].Secret = "***"
		}
	}
	c.Sinks = sinks
	s3 := append([]s3Config(nil), c.Sources.S3...)
	for i := range s3 {
		if s3[i].SecretKey != "" {
			s3[i].SecretKey = "***"
		}
	}
	c.Sources.S3 = s3
	return c
}

func applySchedules(set *ruleset.Set, overrides map[string]scheduleConfig) error {
	for id, o := range overrides {
		found := false
		for _, c := range set.Compiled {
			if c.Rule.ID != id || !c.Runnable() {
				continue
			}
			found = true
			if o.Interval > 0 {
				c.Spec.Interval = time.Duration(o.Interval)
			}
			if o.LookBack > 0 {
				c.Spec.LookBack = time.Duration(o.LookBack)
			}
			if o.WindowEnd > 0 {
				c.Spec.WindowEnd = time.Duration(o.WindowEnd)
			}
			if o.MaxAlerts != nil {
				c.Spec.MaxAlerts = *o.MaxAlerts
			}
			if err := c.Spec.Validate(); err != nil {
				return fmt.Errorf("schedules.%s: %w", id, err)
			}
		}
		if !found {
			return fmt.Errorf("schedules: no runnable rule with id %q", id)
		}
	}
	return nil
}

func newLogger(c logConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opt := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opt))
	}
	return slog.New(slog.NewTextHandler(w, opt))
}

// serve runs until SIGINT or SIGTERM, then stops the sources, lets the
// engine drain and checkpoint, and shuts the API down.
func serve(cfg serveConfig, set *ruleset.Set, stdin io.Reader, stdout, stderr io.Writer) error {
	log := newLogger(cfg.Log, stderr)
	if err := os.MkdirAll(filepath.Join(cfg.Data, "spool"), 0o755); err != nil {
		return fmt.Errorf("cannot create data directory: %w", err)
	}
	release, err := datadir.Lock(cfg.Data)
	if err != nil {
		return err
	}
	defer release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	storeURL := cfg.Store
	ckptName := "" // the engine's default, in the data directory's own store
	if storeURL == "" {
		storeURL = filepath.Join(cfg.Data, "tripline.db")
	} else {
		ckptName = instanceName(cfg.Data) // a store other instances may share
	}
	st, err := store.Open(ctx, storeURL)
	if err != nil {
		return fmt.Errorf("cannot open alert store: %w", err)
	}
	defer st.Close()

	reg := metrics.NewRegistry()
	obs := newObserver(reg)
	router, err := buildRouter(cfg.Sinks, cfg.NotifyUpdateEvents, log)
	if err != nil {
		return err
	}
	defer router.Close()
	if err := router.remember(ctx, st, cmp.Or(ckptName, "engine")+" notices"); err != nil {
		return err
	}

	var afterCheckpoint func() // set once the spool exists
	live := engine.NewLive(set.Compiled, engine.LiveOptions{
		Store: st, Lateness: time.Duration(cfg.Lateness), Retention: time.Duration(cfg.Retention),
		MaxSkew: time.Duration(cfg.MaxSkew), StreamIdle: time.Duration(cfg.StreamIdle),
		CheckpointEvery: time.Duration(cfg.CheckpointEvery), QueueSize: cfg.QueueSize,
		Risk:     engine.RiskOptions{Threshold: cfg.Risk.Threshold, Window: time.Duration(cfg.Risk.Window), Disabled: cfg.Risk.Disabled},
		OnAlerts: router.SendAll, Logger: log, Observe: obs, CheckpointName: ckptName,
		AfterCheckpoint: func() {
			if afterCheckpoint != nil {
				afterCheckpoint()
			}
		},
	})
	if err := live.Restore(ctx); err != nil {
		return err
	}
	positions := source.NewPositions()
	if ps := live.RestoredPositions(); ps != nil {
		if err := positions.Unmarshal(ps); err != nil {
			log.Warn("read positions not restored; files will be read again", "err", err)
		}
	}
	live.SetPositions(func() json.RawMessage {
		b, err := positions.Marshal()
		if err != nil {
			log.Error("cannot save read positions", "err", err)
			return nil
		}
		return b
	})
	reg.NewGaugeFunc("tripline_ingest_queue_depth", "Input chunks waiting for the engine.", func() float64 { return float64(live.QueueDepth()) })
	reg.NewGaugeFunc("tripline_watermark_lag_seconds", "Wall-clock time minus the engine's watermark.", func() float64 {
		wm := live.Watermark()
		if wm.IsZero() {
			return 0
		}
		return time.Since(wm).Seconds()
	})

	spoolDir := filepath.Join(cfg.Data, "spool")
	sp := spool.New(spoolDir, live, cfg.QueueSize)
	for _, c := range set.Compiled {
		if c.Runnable() {
			sp.Keep = max(sp.Keep, c.Spec.LookBack+c.Spec.WindowEnd+time.Duration(cfg.Lateness))
		}
	}
	afterCheckpoint = func() { sp.Prune(positions, log) }
	deliver := func(ctx context.Context, c source.Chunk) error {
		data, err := io.ReadAll(c.Data)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", c.Name, err)
		}
		key, pos := c.Key, c.Position
		stream := c.Stream
		if s, ok := sp.StreamOf(c.Name); ok {
			stream = s
		}
		return live.Deliver(ctx, engine.Input{Name: c.Name, Data: data, Start: c.Start, Stream: stream,
			Commit: func() {
				if key != "" { // a stream read once has no position
					positions.Set(key, pos)
					sp.Committed(key, pos)
				}
			}})
	}
	var sources []source.Source
	for _, dir := range append(append([]string(nil), cfg.Sources.Watch...), spoolDir) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot watch %s: %w", dir, err)
		}
		var stream string
		dc := source.DirConfig{Root: dir, PollInterval: time.Duration(cfg.Sources.PollInterval), Positions: positions, Logger: log}
		if dir != spoolDir {
			dc.CaughtUp = func() { live.CaughtUp(stream) }
		}
		d, err := source.NewDir(dc)
		if err != nil {
			return err
		}
		sources = append(sources, d)
		if dir != spoolDir {
			// Rules wait for a watched directory until it has delivered
			// what it holds; spooled ingest bodies name their own streams.
			stream = d.Stream()
			live.Expect(stream)
		}
	}
	for _, s := range cfg.Sources.S3 {
		var stream string
		src, err := source.NewS3(ctx, source.S3Config{Bucket: s.Bucket, Prefix: s.Prefix, Region: s.Region,
			Endpoint: s.Endpoint, PathStyle: s.PathStyle, QueueURL: s.QueueURL, PollInterval: time.Duration(s.PollInterval),
			AccessKey: s.AccessKey, SecretKey: s.SecretKey, Positions: positions, Logger: log,
			CaughtUp: func() { live.CaughtUp(stream) }})
		if err != nil {
			return fmt.Errorf("cannot set up S3 source %s: %w", s.Bucket, err)
		}
		sources = append(sources, src)
		stream = src.Stream()
		live.Expect(stream)
	}

	srv, err := server.New(server.Options{
		Listen: cfg.Listen, Token: cfg.Token, Hosts: cfg.Hosts, Store: st, Metrics: reg, Logger: log,
		Ingest:    sp.Ingest,
		Rules:     func() []server.RuleStatus { return ruleStatuses(set, live) },
		Degraded:  live.Degraded,
		Drilldown: drilldownFunc(st),
	})
	if err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	engineDone := make(chan error, 1)
	go func() { engineDone <- live.Run(runCtx) }()
	srcCtx, stopSources := context.WithCancel(ctx)
	defer stopSources()
	for _, s := range sources {
		wg.Add(1)
		go func(s source.Source) {
			defer wg.Done()
			if err := s.Run(srcCtx, deliver); err != nil {
				log.Error("source stopped", "err", err)
			}
		}(s)
	}
	if cfg.Sources.Stdin {
		stdinSrc := &source.Reader{R: stdin, Name: "-", StreamName: "stdin"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stdinSrc.Run(srcCtx, deliver); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("stdin source stopped", "err", err)
			}
		}()
	}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.ListenAndServe(ctx) }()
	log.Info("tripline serving", "listen", cfg.Listen, "store", storeURL, "watch", cfg.Sources.Watch,
		"rules", len(set.Compiled), "lateness", time.Duration(cfg.Lateness))

	var srvErr error
	select {
	case <-ctx.Done():
	case srvErr = <-srvDone:
	}
	stopSources()
	wg.Wait()
	cancel()
	engErr := <-engineDone
	if srvErr == nil {
		srvErr = <-srvDone
	}
	log.Info("tripline stopped")
	if engErr != nil {
		return engErr
	}
	if srvErr != nil && !errors.Is(srvErr, context.Canceled) {
		return srvErr
	}
	return nil
}

// instanceName names this instance's checkpoint in a shared store: the
// host and the absolute data directory, which holds the instance's spool.
func instanceName(data string) string {
	host, _ := os.Hostname()
	if abs, err := filepath.Abs(data); err == nil {
		data = abs
	}
	return "engine@" + host + ":" + data
}

func ruleStatuses(set *ruleset.Set, live *engine.Live) []server.RuleStatus {
	states := map[string]engine.RuleState{}
	for _, s := range live.Rules() {
		states[s.Compiled.Rule.ID] = s
	}
	out := make([]server.RuleStatus, 0, len(set.Compiled))
	for _, c := range set.Compiled {
		r := c.Rule
		rs := server.RuleStatus{ID: r.ID, Name: r.Name, Language: r.Language, File: r.File, Severity: r.Severity}
		if err := c.Spec.Bounded(); c.Runnable() && err != nil {
			rs.Skipped = err.Error()
		} else if c.Runnable() {
			rs.Interval, rs.LookBack = c.Spec.Interval.String(), c.Spec.LookBack.String()
			s := states[r.ID]
			rs.Healthy, rs.LastRun, rs.LastError, rs.Alerts = s.Healthy, s.LastRun, s.LastError, s.Alerts
			rs.Watermark, rs.LateEvents, rs.LateWaitingOn = s.Watermark, s.Late, s.LateHeldBy
		} else {
			rs.Skipped = c.Err.Error()
		}
		out = append(out, rs)
	}
	return out
}

// router fans alerts out to the configured sinks; it never blocks the
// engine (sinks queue their own work).
type router struct {
	r    *notify.Router
	gate *notify.Gate
	log  *slog.Logger
	// st and name keep what the gate sent, saved before it is sent.
	st   store.Store
	name string
}

// remember loads what the sinks were sent before a restart and keeps it in
// st under name from now on: the engine replays input read since its last
// checkpoint, and the alerts it raises again must not be posted again.
func (r *router) remember(ctx context.Context, st store.Store, name string) error {
	data, err := st.GetCheckpoint(ctx, name)
	if err != nil {
		return fmt.Errorf("cannot read the notices sent: %w", err)
	}
	if data != nil {
		if err := r.gate.Restore(data); err != nil {
			return err
		}
	}
	r.st, r.name = st, name
	return nil
}

func buildRouter(specs []notify.SinkSpec, updateEvents int64, log *slog.Logger) (*router, error) {
	r, err := notify.FromConfig(specs)
	if err != nil {
		return nil, fmt.Errorf("cannot set up notifications: %w", err)
	}
	return &router{r: r, gate: notify.NewGate(updateEvents), log: log}, nil
}

// SendAll hands the sinks each alert that is new, or changed in a way a
// person acts on (see notify.Gate).
func (r *router) SendAll(ctx context.Context, alerts []*alert.Alert) {
	var out []*alert.Alert
	for _, a := range alerts {
		send, update := r.gate.Pass(a)
		if !send {
			continue
		}
		if update {
			c := *a
			c.Update = true
			a = &c
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return
	}
	// Saved before sending: a crash now loses these notices rather than
	// posting them twice after the restart.
	if r.st != nil {
		if data, err := r.gate.Snapshot(); err != nil {
			r.log.Error("cannot record the notices sent", "err", err)
		} else if err := r.st.PutCheckpoint(ctx, r.name, data); err != nil {
			r.log.Error("cannot record the notices sent", "err", err)
		}
	}
	for _, a := range out {
		if err := r.r.Send(ctx, a); err != nil {
			r.log.Warn("notification not queued", "alert", a.ID, "err", err)
		}
	}
}

func (r *router) Close() error { return r.r.Close() }
