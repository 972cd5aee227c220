package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/archive"
	"github.com/tripline/tripline/internal/datadir"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/metrics"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/source"
	"github.com/tripline/tripline/internal/spool"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/syntax/spl"
	"github.com/tripline/tripline/internal/ui"
)

// ExceptionsReload is how often serve reads the store's exceptions again,
// for changes another process made; its own API's apply at once.
const ExceptionsReload = 10 * time.Second

// service is one running `tripline serve`: what Run assembles, and what
// its steps share.
type service struct {
	cfg       Config
	set       *ruleset.Set
	log       *slog.Logger
	st        store.Store
	storeURL  string
	reg       *metrics.Registry
	live      *engine.Live
	positions *source.Positions
	spool     *spool.Spool
	spoolDir  string
	sources   []source.Source
	buckets   []*source.S3
	archive   *archive.Archive // nil when disabled
	excs      *Exceptions
}

// Run serves until ctx is done: it opens the store, restores the engine
// from its checkpoint, reads the sources and the spool of pushed logs,
// serves the API, and on the way out stops the sources, lets the engine
// drain and checkpoint, and shuts the API down. stdin feeds the stdin
// source when the config asks for it; logs go to logw.
func Run(ctx context.Context, cfg Config, set *ruleset.Set, stdin io.Reader, logw io.Writer) error {
	s := &service{cfg: cfg, set: set, log: NewLogger(cfg.Log, logw), spoolDir: filepath.Join(cfg.Data, "spool")}
	if err := os.MkdirAll(s.spoolDir, 0o755); err != nil {
		return fmt.Errorf("cannot create data directory: %w", err)
	}
	release, err := datadir.Lock(cfg.Data)
	if err != nil {
		return err
	}
	defer release()
	ckptName, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.st.Close()
	// The stored exceptions join the files' before the first event.
	s.excs = NewExceptions(set.Compiled, set.Exceptions, s.st, s.log)
	if err := s.excs.Apply(ctx); err != nil {
		return err
	}
	router, err := buildRouter(cfg.Sinks, cfg.NotifyUpdateEvents, s.log)
	if err != nil {
		return err
	}
	defer router.Close()
	if err := router.remember(ctx, s.st, cmp.Or(ckptName, "engine")+" notices"); err != nil {
		return err
	}
	if err := s.startEngine(ctx, ckptName, router); err != nil {
		return err
	}
	if err := s.openSources(ctx); err != nil {
		return err
	}
	macros, err := spl.LoadMacroDirs(cfg.Macros)
	if err != nil {
		return fmt.Errorf("cannot load macros: %w", err)
	}
	// The rules' tests run once, when someone first asks for the rules.
	tests := &RuleTests{}
	rules := func() []server.RuleStatus {
		tests.Start(ctx, set)
		return ruleStatuses(set, s.live, tests)
	}
	search := SearchFunc(s.archiveSources(), s.openRecord, macros)
	web, err := ui.New(ui.Options{Store: s.st, Rules: rules, Logger: s.log, Search: search, FileExceptions: s.excs.Files,
		RiskThreshold: cfg.Risk.Threshold, RiskWindow: time.Duration(cfg.Risk.Window)})
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{
		Listen: cfg.Listen, Token: cfg.Token, Hosts: cfg.Hosts, Store: s.st, Metrics: s.reg, Logger: s.log,
		Ingest:            s.spool.Ingest,
		Pages:             web.Pages(),
		Rules:             rules,
		Degraded:          s.live.Degraded,
		Drilldown:         DrilldownFunc(s.st, s.archiveSources(), s.openRecord),
		Search:            search,
		FileExceptions:    s.excs.Files,
		ExceptionsChanged: s.excs.Apply,
	})
	if err != nil {
		return err
	}
	return s.run(ctx, srv, stdin)
}

// openStore opens the alert store, and returns the name of this
// instance's checkpoint in it ("" for the engine's default, in a store of
// the data directory's own).
func (s *service) openStore(ctx context.Context) (ckptName string, err error) {
	s.storeURL = s.cfg.Store
	if s.storeURL == "" {
		s.storeURL = filepath.Join(s.cfg.Data, "tripline.db")
	} else {
		ckptName = instanceName(s.cfg.Data) // a store other instances may share
	}
	if s.st, err = store.Open(ctx, s.storeURL); err != nil {
		return "", fmt.Errorf("cannot open alert store: %w", err)
	}
	return ckptName, nil
}

// startEngine builds the live engine, restores it and the read positions
// from the last checkpoint, and sets up the spool of pushed logs, which
// checkpoints prune.
func (s *service) startEngine(ctx context.Context, ckptName string, router *router) error {
	cfg := s.cfg
	s.reg = metrics.NewRegistry()
	var afterCheckpoint func() // set once the spool exists
	if !cfg.Archive.Disabled {
		ret := time.Duration(cfg.Archive.Retention)
		if ret == 0 {
			ret = DefaultArchiveRetention
		}
		a, err := archive.Open(filepath.Join(cfg.Data, "archive"), ret)
		if err != nil {
			return err
		}
		for _, p := range a.Problems {
			s.log.Warn("archive index damaged", "at", p)
		}
		s.archive = a
	}
	var onRead func(string, int64, int64, time.Time, time.Time, int)
	if s.archive != nil {
		onRead = s.archive.SeenRange
	}
	s.live = engine.NewLive(s.set.Compiled, engine.LiveOptions{
		Store: s.st, Lateness: time.Duration(cfg.Lateness), Retention: time.Duration(cfg.Retention),
		MaxSkew: time.Duration(cfg.MaxSkew), StreamIdle: time.Duration(cfg.StreamIdle),
		CheckpointEvery: time.Duration(cfg.CheckpointEvery), QueueSize: cfg.QueueSize,
		Risk:     engine.RiskOptions{Threshold: cfg.Risk.Threshold, Window: time.Duration(cfg.Risk.Window), Disabled: cfg.Risk.Disabled},
		OnAlerts: router.SendAll, Logger: s.log, Observe: metrics.NewEngineObserver(s.reg), CheckpointName: ckptName,
		OpenRecord: s.openRecord, OnRead: onRead,
		AfterCheckpoint: func() {
			if afterCheckpoint != nil {
				afterCheckpoint()
			}
		},
	})
	if err := s.live.Restore(ctx); err != nil {
		return err
	}
	s.positions = source.NewPositions()
	if ps := s.live.RestoredPositions(); ps != nil {
		if err := s.positions.Unmarshal(ps); err != nil {
			s.log.Warn("read positions not restored; files will be read again", "err", err)
		}
	}
	s.live.SetPositions(func() json.RawMessage {
		b, err := s.positions.Marshal()
		if err != nil {
			s.log.Error("cannot save read positions", "err", err)
			return nil
		}
		return b
	})
	live := s.live
	s.reg.NewGaugeFunc("tripline_ingest_queue_depth", "Input chunks waiting for the engine.", func() float64 { return float64(live.QueueDepth()) })
	s.reg.NewGaugeFunc("tripline_watermark_lag_seconds", "Wall-clock time minus the engine's watermark.", func() float64 {
		wm := live.Watermark()
		if wm.IsZero() {
			return 0
		}
		return time.Since(wm).Seconds()
	})
	s.spool = spool.New(s.spoolDir, live, cfg.QueueSize)
	for _, c := range s.set.Compiled {
		if c.Runnable() {
			s.spool.Keep = max(s.spool.Keep, c.Spec.LookBack+c.Spec.WindowEnd+time.Duration(cfg.Lateness))
		}
	}
	afterCheckpoint = func() {
		var adopt func(string) (bool, error)
		if s.archive != nil {
			adopt = s.archive.Adopt
		}
		s.spool.Prune(s.positions, adopt, s.log)
		if s.archive == nil {
			return
		}
		if n, err := s.archive.Prune(); err != nil {
			s.log.Warn("archive retention", "err", err)
		} else if n > 0 {
			s.log.Info("archive retention removed sources", "sources", n)
		}
		if err := s.archive.Save(); err != nil {
			s.log.Warn("archive index not saved", "err", err)
		}
	}
	return nil
}

// openSources sets up the watched directories, the spool and the S3
// sources. The engine waits for each watched directory and bucket until
// it has delivered what it holds; spooled bodies name their own streams.
func (s *service) openSources(ctx context.Context) error {
	cfg := s.cfg
	for _, dir := range append(append([]string(nil), cfg.Sources.Watch...), s.spoolDir) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot watch %s: %w", dir, err)
		}
		var stream string
		dc := source.DirConfig{Root: dir, PollInterval: time.Duration(cfg.Sources.PollInterval), Positions: s.positions, Logger: s.log}
		if dir != s.spoolDir {
			dc.CaughtUp = func() { s.live.CaughtUp(stream) }
		}
		d, err := source.NewDir(dc)
		if err != nil {
			return err
		}
		s.sources = append(s.sources, d)
		if dir != s.spoolDir {
			stream = d.Stream()
			s.live.Expect(stream)
		}
	}
	for _, b := range cfg.Sources.S3 {
		var stream string
		src, err := source.NewS3(ctx, source.S3Config{Bucket: b.Bucket, Prefix: b.Prefix, Region: b.Region,
			Endpoint: b.Endpoint, PathStyle: b.PathStyle, QueueURL: b.QueueURL, PollInterval: time.Duration(b.PollInterval),
			AccessKey: b.AccessKey, SecretKey: b.SecretKey, Positions: s.positions, Logger: s.log,
			CaughtUp: func() { s.live.CaughtUp(stream) }})
		if err != nil {
			return fmt.Errorf("cannot set up S3 source %s: %w", b.Bucket, err)
		}
		s.sources = append(s.sources, src)
		s.buckets = append(s.buckets, src)
		stream = src.Stream()
		s.live.Expect(stream)
	}
	return nil
}

// openRecord reads an S3 object a source delivered again, for an alert's
// evidence: from the first source that reads its bucket.
func (s *service) openRecord(ctx context.Context, name string) (io.ReadCloser, error) {
	if archive.IsRange(name) {
		return archive.OpenRange(name)
	}
	var errs []error
	for _, b := range s.buckets {
		rc, err := b.Open(ctx, name)
		if err == nil {
			return rc, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("no S3 source reads %s", name)
	}
	return nil, errors.Join(errs...)
}

// archiveSources lists the archived sources of a time range for
// drilldowns; nil when there is no archive.
func (s *service) archiveSources() func(from, to time.Time) []string {
	if s.archive == nil {
		return nil
	}
	return s.archive.Refs
}

// deliver hands one chunk a source read to the engine; its position is
// committed once the engine has checkpointed what it holds.
func (s *service) deliver(ctx context.Context, c source.Chunk) error {
	data, err := io.ReadAll(c.Data)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", c.Name, err)
	}
	key, pos := c.Key, c.Position
	stream := c.Stream
	if name, ok := s.spool.StreamOf(c.Name); ok {
		stream = name
	}
	return s.live.Deliver(ctx, engine.Input{Name: c.Name, Data: data, Start: c.Start, Stream: stream,
		Commit: func() {
			if key != "" { // a stream read once has no position
				s.positions.Set(key, pos)
				s.spool.Committed(key, pos)
			}
		}})
}

// run runs the engine, the sources and the API until ctx is done or the
// API fails, then stops them in order: sources first, so that the engine
// drains what they read and checkpoints it.
func (s *service) run(ctx context.Context, srv *server.Server, stdin io.Reader) error {
	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engineDone := make(chan error, 1)
	go func() { engineDone <- s.live.Run(runCtx) }()
	srcCtx, stopSources := context.WithCancel(ctx)
	defer stopSources()
	var wg sync.WaitGroup
	sources := s.sources
	if s.cfg.Sources.Stdin {
		sources = append(sources, &source.Reader{R: stdin, Name: "-", StreamName: "stdin"})
	}
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := src.Run(srcCtx, s.deliver); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Error("source stopped", "err", err)
			}
		}()
	}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.ListenAndServe(ctx) }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.excs.Watch(srcCtx, ExceptionsReload)
	}()
	s.log.Info("tripline serving", "listen", s.cfg.Listen, "store", s.storeURL, "watch", s.cfg.Sources.Watch,
		"rules", len(s.set.Compiled), "lateness", time.Duration(s.cfg.Lateness))

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
	s.log.Info("tripline stopped")
	if engErr != nil {
		return engErr
	}
	if srvErr != nil && !errors.Is(srvErr, context.Canceled) {
		return srvErr
	}
	return nil
}
