package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/duration"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/notify"
)

// serveConfig is everything `tripline serve` can be told, in one YAML
// file; every option can also be set by flag or by environment variable
// (TRIPLINE_ plus the upper-case key: TRIPLINE_LISTEN). Flags win over the
// environment, which wins over the file.
type serveConfig struct {
	Data            string            `yaml:"data"`       // directory for the embedded store, spool and state
	Store           string            `yaml:"store"`      // sqlite path/URL or postgres:// URL; default <data>/tripline.db
	Listen          string            `yaml:"listen"`     // API address
	Token           string            `yaml:"token"`      // bearer token for the API
	TokenFile       string            `yaml:"token_file"` // a file holding it instead
	Hosts           []string          `yaml:"hosts"`      // names the API may be reached by, beyond loopback and the listen address
	Rules           []string          `yaml:"rules"`      // rule paths
	NoBuiltin       bool              `yaml:"no_builtin"`
	Macros          []string          `yaml:"macros"`
	Lateness        configDuration    `yaml:"lateness"`
	MaxSkew         configDuration    `yaml:"max_skew"`    // how far ahead of the clock a record may be
	StreamIdle      configDuration    `yaml:"stream_idle"` // how long a quiet stream holds rules back
	Retention       configDuration    `yaml:"retention"`
	CheckpointEvery configDuration    `yaml:"checkpoint_every"`
	QueueSize       int               `yaml:"queue_size"`
	Risk            riskConfig        `yaml:"risk"`
	Sources         sourceConfig      `yaml:"sources"`
	Sinks           []notify.SinkSpec `yaml:"sinks"`
	// NotifyUpdateEvents is how many more events an alert needs before the
	// sinks hear of it again; 0 means when its count has doubled.
	NotifyUpdateEvents int64     `yaml:"notify_update_events"`
	Log                logConfig `yaml:"log"`
	// Schedules overrides rules' schedules by rule id.
	Schedules map[string]scheduleConfig `yaml:"schedules"`

	// tokenOnCommandLine says the token came from --token, where ps shows it.
	tokenOnCommandLine bool
}

type riskConfig struct {
	Threshold int            `yaml:"threshold"`
	Window    configDuration `yaml:"window"`
	Disabled  bool           `yaml:"disabled"`
}

type sourceConfig struct {
	Watch        []string       `yaml:"watch"`
	PollInterval configDuration `yaml:"poll_interval"`
	S3           []s3Config     `yaml:"s3"`
	Stdin        bool           `yaml:"stdin"`
}

type s3Config struct {
	Bucket       string         `yaml:"bucket"`
	Prefix       string         `yaml:"prefix"`
	Region       string         `yaml:"region"`
	Endpoint     string         `yaml:"endpoint"`
	PathStyle    bool           `yaml:"path_style"`
	QueueURL     string         `yaml:"queue_url"`
	PollInterval configDuration `yaml:"poll_interval"`
	AccessKey    string         `yaml:"access_key"`
	SecretKey    string         `yaml:"secret_key"`
}

type logConfig struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn, error
}

type scheduleConfig struct {
	Interval  configDuration `yaml:"interval"`
	LookBack  configDuration `yaml:"lookback"`
	WindowEnd configDuration `yaml:"window_end"`
	MaxAlerts *int           `yaml:"max_alerts"`
}

// duration reads "10m", "90d", "1h30m" or a number of seconds.
type configDuration time.Duration

func (d *configDuration) UnmarshalYAML(n *yaml.Node) error {
	v, err := duration.Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = configDuration(v)
	return nil
}

func defaultConfig() serveConfig {
	return serveConfig{
		Data:            "./tripline-data",
		Listen:          "127.0.0.1:7700",
		Lateness:        configDuration(10 * time.Minute),
		MaxSkew:         configDuration(time.Hour),
		StreamIdle:      configDuration(5 * time.Minute),
		CheckpointEvery: configDuration(10 * time.Second),
		QueueSize:       64,
		Risk:            riskConfig{Threshold: 100, Window: configDuration(24 * time.Hour)},
		Sources:         sourceConfig{PollInterval: configDuration(2 * time.Second)},
		Log:             logConfig{Format: "text", Level: "info"},
	}
}

// loadConfigFile reads a YAML config, expanding ${VAR} references, and
// rejects unknown keys so that a typo does not silently drop a setting.
func loadConfigFile(path string, cfg *serveConfig) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read config: %w", err)
	}
	expanded := os.Expand(string(raw), func(k string) string { return os.Getenv(k) })
	dec := yaml.NewDecoder(strings.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Data != "" && !filepath.IsAbs(cfg.Data) {
		cfg.Data = filepath.Join(filepath.Dir(path), cfg.Data)
	}
	return nil
}

// applyEnv sets options from TRIPLINE_* environment variables.
func applyEnv(cfg *serveConfig, getenv func(string) string) error {
	str := func(key string, dst *string) {
		if v := getenv("TRIPLINE_" + key); v != "" {
			*dst = v
		}
	}
	list := func(key string, dst *[]string) {
		if v := getenv("TRIPLINE_" + key); v != "" {
			*dst = splitList(v)
		}
	}
	dur := func(key string, dst *configDuration) error {
		if v := getenv("TRIPLINE_" + key); v != "" {
			d, err := duration.Parse(v)
			if err != nil {
				return fmt.Errorf("TRIPLINE_%s: %w", key, err)
			}
			*dst = configDuration(d)
		}
		return nil
	}
	str("DATA", &cfg.Data)
	str("STORE", &cfg.Store)
	str("LISTEN", &cfg.Listen)
	str("TOKEN", &cfg.Token)
	str("TOKEN_FILE", &cfg.TokenFile)
	list("RULES", &cfg.Rules)
	list("MACROS", &cfg.Macros)
	list("WATCH", &cfg.Sources.Watch)
	if v := getenv("TRIPLINE_S3"); v != "" {
		cfg.Sources.S3 = nil
		for _, u := range splitList(v) {
			s, err := parseS3URL(u)
			if err != nil {
				return fmt.Errorf("TRIPLINE_S3: %w", err)
			}
			cfg.Sources.S3 = append(cfg.Sources.S3, s)
		}
	}
	if v := getenv("TRIPLINE_SINKS"); v != "" {
		cfg.Sinks = nil
		for _, spec := range splitList(v) {
			s, err := parseSinkSpec(spec)
			if err != nil {
				return fmt.Errorf("TRIPLINE_SINKS: %w", err)
			}
			cfg.Sinks = append(cfg.Sinks, s)
		}
	}
	for key, dst := range map[string]*int{"RISK_THRESHOLD": &cfg.Risk.Threshold, "QUEUE_SIZE": &cfg.QueueSize} {
		if v := getenv("TRIPLINE_" + key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("TRIPLINE_%s: %w", key, err)
			}
			*dst = n
		}
	}
	str("LOG_FORMAT", &cfg.Log.Format)
	str("LOG_LEVEL", &cfg.Log.Level)
	if v := getenv("TRIPLINE_NO_BUILTIN"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("TRIPLINE_NO_BUILTIN: %w", err)
		}
		cfg.NoBuiltin = b
	}
	for key, dst := range map[string]*configDuration{"LATENESS": &cfg.Lateness, "RETENTION": &cfg.Retention, "RISK_WINDOW": &cfg.Risk.Window,
		"CHECKPOINT_EVERY": &cfg.CheckpointEvery, "POLL_INTERVAL": &cfg.Sources.PollInterval,
		"MAX_SKEW": &cfg.MaxSkew, "STREAM_IDLE": &cfg.StreamIdle} {
		if err := dur(key, dst); err != nil {
			return err
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// check reports configurations that cannot work.
func (c *serveConfig) check() error {
	var errs []string
	if c.Data == "" {
		errs = append(errs, "data directory is empty")
	}
	if c.Listen == "" {
		errs = append(errs, "listen address is empty")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Sprintf("log format %q (want text or json)", c.Log.Format))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("log level %q (want debug, info, warn or error)", c.Log.Level))
	}
	if c.NotifyUpdateEvents < 0 {
		errs = append(errs, "notify_update_events must not be negative")
	}
	if c.Lateness < 0 || c.Retention < 0 || c.MaxSkew < 0 || c.StreamIdle < 0 {
		errs = append(errs, "durations must not be negative")
	}
	for i, s := range c.Sources.S3 {
		if s.Bucket == "" {
			errs = append(errs, fmt.Sprintf("sources.s3[%d]: bucket is required", i))
		}
	}
	if len(c.Sinks) > 0 {
		r, err := notify.FromConfig(c.Sinks)
		if err != nil {
			errs = append(errs, fmt.Sprintf("sinks: %v", err))
		} else {
			r.Close()
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// parseS3URL reads the flag and environment form of an S3 source:
// s3://bucket/prefix?region=R&endpoint=URL&path_style=true&queue_url=URL&poll_interval=1m.
func parseS3URL(s string) (s3Config, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return s3Config{}, fmt.Errorf("want s3://bucket/prefix[?region=...], got %q", s)
	}
	q := u.Query()
	c := s3Config{Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Region: q.Get("region"),
		Endpoint: q.Get("endpoint"), QueueURL: q.Get("queue_url")}
	if v := q.Get("path_style"); v != "" {
		if c.PathStyle, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("path_style: %w", err)
		}
	}
	if v := q.Get("poll_interval"); v != "" {
		d, err := duration.Parse(v)
		if err != nil {
			return c, err
		}
		c.PollInterval = configDuration(d)
	}
	return c, nil
}

// parseSinkSpec reads the flag and environment form of a sink:
// stdout[:FORMAT], file:PATH[:FORMAT], webhook:URL (signed with
// TRIPLINE_WEBHOOK_SECRET), slack:URL. Routing needs the config file.
func parseSinkSpec(s string) (notify.SinkSpec, error) {
	kind, rest, _ := strings.Cut(s, ":")
	switch kind {
	case "stdout":
		return notify.SinkSpec{Type: notify.TypeStdout, Format: rest}, nil
	case "file":
		path, format := rest, ""
		if i := strings.LastIndexByte(rest, ':'); i > 0 {
			switch rest[i+1:] {
			case "tripline", "ecs", "ocsf":
				path, format = rest[:i], rest[i+1:]
			}
		}
		if path == "" {
			return notify.SinkSpec{}, fmt.Errorf("file sink needs a path: file:PATH")
		}
		return notify.SinkSpec{Type: notify.TypeFile, Path: path, Format: format}, nil
	case "webhook", "slack":
		if rest == "" {
			return notify.SinkSpec{}, fmt.Errorf("%s sink needs a URL: %s:URL", kind, kind)
		}
		spec := notify.SinkSpec{Type: kind, URL: rest}
		if kind == "webhook" {
			// The flag form signs with TRIPLINE_WEBHOOK_SECRET; without it
			// the sink is refused (the config file can say unsigned: true).
			spec.Secret = "${TRIPLINE_WEBHOOK_SECRET}"
		}
		return spec, nil
	}
	return notify.SinkSpec{}, fmt.Errorf("unknown sink %q (want stdout, file:PATH, webhook:URL or slack:URL)", s)
}

// readTokenFile sets the token from TokenFile, when one is named. The file
// should be readable by its owner only; a token there stays out of ps.
func (c *serveConfig) readTokenFile() error {
	if c.TokenFile == "" {
		return nil
	}
	if c.Token != "" {
		return usagef("both a token and a token file: give one")
	}
	b, err := os.ReadFile(c.TokenFile)
	if err != nil {
		return fmt.Errorf("cannot read the token file: %w", err)
	}
	c.Token = strings.TrimSpace(string(b))
	if c.Token == "" {
		return fmt.Errorf("the token file %s is empty", c.TokenFile)
	}
	return nil
}
