package service

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/inference"

	"github.com/tripline/tripline/internal/duration"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/notify"
)

// Config is everything `tripline serve` can be told, in one YAML
// file; every option can also be set by flag or by environment variable
// (TRIPLINE_ plus the upper-case key: TRIPLINE_LISTEN). Flags win over the
// environment, which wins over the file.
type Config struct {
	Data       string   `yaml:"data"`       // directory for the embedded store, spool and state
	Store      string   `yaml:"store"`      // sqlite path/URL or postgres:// URL; default <data>/tripline.db
	Listen     string   `yaml:"listen"`     // API address
	Token      string   `yaml:"token"`      // bearer token for the API
	TokenFile  string   `yaml:"token_file"` // a file holding it instead
	Hosts      []string `yaml:"hosts"`      // names the API may be reached by, beyond loopback and the listen address
	Rules      []string `yaml:"rules"`      // rule paths
	NoBuiltin  bool     `yaml:"no_builtin"`
	Macros     []string `yaml:"macros"`
	Exceptions []string `yaml:"exceptions"` // exceptions files
	// SigmaPlaceholders is a file of values for Sigma |expand placeholders.
	SigmaPlaceholders string `yaml:"sigma_placeholders"`
	// Lookups are directories of Splunk lookup tables; GeoIP is a MaxMind
	// DB file for iplocation; GeoIPDB and ASNDB are the City and ASN
	// databases of the ECS view's source.geo.* and source.as.* (one City
	// file serves both readers when only one is given).
	Lookups []string `yaml:"lookups"`
	GeoIP   string   `yaml:"geoip"`
	GeoIPDB string   `yaml:"geoip_db"`
	ASNDB   string   `yaml:"asn_db"`
	// Inference maps ES|QL COMPLETION inference ids to endpoints, as
	// the file of --inference does.
	Inference       *inference.Config `yaml:"inference"`
	Lateness        Duration          `yaml:"lateness"`
	MaxSkew         Duration          `yaml:"max_skew"`    // how far ahead of the clock a record may be
	StreamIdle      Duration          `yaml:"stream_idle"` // how long a quiet stream holds rules back
	Retention       Duration          `yaml:"retention"`
	Archive         ArchiveConfig     `yaml:"archive"`
	CheckpointEvery Duration          `yaml:"checkpoint_every"`
	QueueSize       int               `yaml:"queue_size"`
	Risk            RiskConfig        `yaml:"risk"`
	Sources         SourceConfig      `yaml:"sources"`
	Sinks           []notify.SinkSpec `yaml:"sinks"`
	// NotifyUpdateEvents is how many more events an alert needs before the
	// sinks hear of it again; 0 means when its count has doubled.
	NotifyUpdateEvents int64     `yaml:"notify_update_events"`
	Log                LogConfig `yaml:"log"`
	// Schedules overrides rules' schedules by rule id.
	Schedules map[string]ScheduleConfig `yaml:"schedules"`

	// TokenOnCommandLine says the token came from --token, where ps shows it.
	TokenOnCommandLine bool `yaml:"-"`
}

// ArchiveConfig says how long what serve read stays searchable: watched
// files and S3 objects by reference, ingested bodies as compressed copies
// under <data>/archive.
type ArchiveConfig struct {
	// Retention is how far behind the newest event a source is kept; 0
	// means DefaultArchiveRetention.
	Retention Duration `yaml:"retention"`
	Disabled  bool     `yaml:"disabled"`
}

// DefaultArchiveRetention is how long the archive keeps sources by default.
const DefaultArchiveRetention = 30 * 24 * time.Hour

type RiskConfig struct {
	Threshold int      `yaml:"threshold"`
	Window    Duration `yaml:"window"`
	Disabled  bool     `yaml:"disabled"`
}

type SourceConfig struct {
	Watch        []string   `yaml:"watch"`
	PollInterval Duration   `yaml:"poll_interval"`
	S3           []S3Config `yaml:"s3"`
	Stdin        bool       `yaml:"stdin"`
}

type S3Config struct {
	Bucket       string   `yaml:"bucket"`
	Prefix       string   `yaml:"prefix"`
	Region       string   `yaml:"region"`
	Endpoint     string   `yaml:"endpoint"`
	PathStyle    bool     `yaml:"path_style"`
	QueueURL     string   `yaml:"queue_url"`
	PollInterval Duration `yaml:"poll_interval"`
	AccessKey    string   `yaml:"access_key"`
	SecretKey    string   `yaml:"secret_key"`
}

type LogConfig struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn, error
}

type ScheduleConfig struct {
	Interval  Duration `yaml:"interval"`
	LookBack  Duration `yaml:"lookback"`
	WindowEnd Duration `yaml:"window_end"`
	MaxAlerts *int     `yaml:"max_alerts"`
}

// Duration is a length of time as the config file writes it, in the
// grammar of package duration: "10m", "90d", "1h30m".
type Duration time.Duration

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := duration.Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the length the way the file takes it.
func (d Duration) MarshalYAML() (any, error) { return duration.Format(time.Duration(d)), nil }

func Default() Config {
	return Config{
		Data:            "./tripline-data",
		Listen:          "127.0.0.1:7700",
		Lateness:        Duration(10 * time.Minute),
		MaxSkew:         Duration(time.Hour),
		StreamIdle:      Duration(5 * time.Minute),
		CheckpointEvery: Duration(10 * time.Second),
		QueueSize:       64,
		Risk:            RiskConfig{Threshold: 100, Window: Duration(24 * time.Hour)},
		Sources:         SourceConfig{PollInterval: Duration(2 * time.Second)},
		Log:             LogConfig{Format: "text", Level: "info"},
	}
}

// loadConfigFile reads a YAML config, expanding ${VAR} references, and
// rejects unknown keys so that a typo does not silently drop a setting.
func LoadFile(path string, cfg *Config) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read config: %w", err)
	}
	expanded := os.Expand(string(raw), func(k string) string { return os.Getenv(k) })
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(expanded), &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := checkKeys(&doc, reflect.TypeOf(*cfg), ""); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
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
func ApplyEnv(cfg *Config, getenv func(string) string) error {
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
	dur := func(key string, dst *Duration) error {
		if v := getenv("TRIPLINE_" + key); v != "" {
			d, err := duration.Parse(v)
			if err != nil {
				return fmt.Errorf("TRIPLINE_%s: %w", key, err)
			}
			*dst = Duration(d)
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
	list("LOOKUPS", &cfg.Lookups)
	str("GEOIP", &cfg.GeoIP)
	str("GEOIP_DB", &cfg.GeoIPDB)
	str("ASN_DB", &cfg.ASNDB)
	list("WATCH", &cfg.Sources.Watch)
	if v := getenv("TRIPLINE_S3"); v != "" {
		cfg.Sources.S3 = nil
		for _, u := range splitList(v) {
			s, err := ParseS3URL(u)
			if err != nil {
				return fmt.Errorf("TRIPLINE_S3: %w", err)
			}
			cfg.Sources.S3 = append(cfg.Sources.S3, s)
		}
	}
	if v := getenv("TRIPLINE_SINKS"); v != "" {
		cfg.Sinks = nil
		for _, spec := range splitList(v) {
			s, err := ParseSinkSpec(spec)
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
	for key, dst := range map[string]*Duration{"LATENESS": &cfg.Lateness, "RETENTION": &cfg.Retention, "RISK_WINDOW": &cfg.Risk.Window,
		"CHECKPOINT_EVERY": &cfg.CheckpointEvery, "POLL_INTERVAL": &cfg.Sources.PollInterval,
		"MAX_SKEW": &cfg.MaxSkew, "STREAM_IDLE": &cfg.StreamIdle, "ARCHIVE_RETENTION": &cfg.Archive.Retention} {
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
func (c *Config) Check() error {
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
	if c.Lateness < 0 || c.Retention < 0 || c.MaxSkew < 0 || c.StreamIdle < 0 || c.Archive.Retention < 0 {
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
func ParseS3URL(s string) (S3Config, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, fmt.Errorf("want s3://bucket/prefix[?region=...], got %q", s)
	}
	q := u.Query()
	c := S3Config{Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Region: q.Get("region"),
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
		c.PollInterval = Duration(d)
	}
	return c, nil
}

// parseSinkSpec reads the flag and environment form of a sink:
// stdout[:FORMAT], file:PATH[:FORMAT], webhook:URL (signed with
// TRIPLINE_WEBHOOK_SECRET), slack:URL. Routing needs the config file.
func ParseSinkSpec(s string) (notify.SinkSpec, error) {
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
func (c *Config) ReadTokenFile() error {
	if c.TokenFile == "" {
		return nil
	}
	if c.Token != "" {
		return fmt.Errorf("both a token and a token file: give one")
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

// Redacted returns the configuration with its secrets hidden, for
// printing.
func (c Config) Redacted() Config {
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
	s3 := append([]S3Config(nil), c.Sources.S3...)
	for i := range s3 {
		if s3[i].SecretKey != "" {
			s3[i].SecretKey = "***"
		}
	}
	c.Sources.S3 = s3
	return c
}

// YAML renders the configuration, secrets hidden, as the config file
// writes it: its own keys, lengths of time as 10m or 1d.
func (c Config) YAML() ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c.Redacted()); err != nil {
		return nil, err
	}
	return []byte(b.String()), enc.Close()
}
