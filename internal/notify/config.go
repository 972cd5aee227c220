package notify

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Sink types a SinkSpec can name.
const (
	TypeStdout  = "stdout"
	TypeFile    = "file"
	TypeWebhook = "webhook"
	TypeSlack   = "slack"
)

// Defaults FromConfig applies to file sinks.
const (
	DefaultMaxBytes = 100 << 20
	DefaultKeep     = 5
)

// SinkSpec is one sink as a configuration file describes it, with the
// route that feeds it.
type SinkSpec struct {
	// Type is stdout, file, webhook or slack.
	Type string `yaml:"type" json:"type"`
	// Format is one of Formats (default tripline); Slack ignores it.
	Format string `yaml:"format" json:"format"`
	// Path is the file sink's file.
	Path string `yaml:"path" json:"path"`
	// URL is the webhook's URL, or the Slack incoming webhook's.
	URL string `yaml:"url" json:"url"`
	// Secret signs webhook bodies. A webhook needs one, unless Unsigned
	// says it is sent unsigned on purpose.
	Secret   string `yaml:"secret" json:"secret"`
	Unsigned bool   `yaml:"unsigned" json:"unsigned"`
	// MaxBytes rotates a file sink past this size (default 100 MiB;
	// negative never rotates).
	MaxBytes int64 `yaml:"max_bytes" json:"max_bytes"`
	// Keep is the number of rotated files kept (default 5; negative keeps none).
	Keep int `yaml:"keep" json:"keep"`
	// MinSeverity and Rules select the alerts sent, as in Route.
	MinSeverity string   `yaml:"min_severity" json:"min_severity"`
	Rules       []string `yaml:"rules" json:"rules"`
	// Headers are added to webhook requests.
	Headers map[string]string `yaml:"headers" json:"headers"`
	// Channel overrides a Slack webhook's channel.
	Channel string `yaml:"channel" json:"channel"`
	// Delivery tunes the sink's queue and retries.
	Delivery `yaml:",inline"`
}

// FromConfig builds the sinks the specs describe and a Router over them.
// References to environment variables written ${NAME} in URL, Secret and
// header values are expanded; a reference to an unset variable is an
// error, so a secret is never silently empty.
func FromConfig(specs []SinkSpec) (*Router, error) {
	var routes []Route
	closeAll := func() {
		for _, r := range routes {
			r.Sink.Close()
		}
	}
	for i, spec := range specs {
		s, err := newSink(spec)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("cannot configure sink %d (%s): %w", i+1, spec.Type, err)
		}
		routes = append(routes, Route{Sink: s, MinSeverity: spec.MinSeverity, Rules: spec.Rules})
	}
	r, err := NewRouter(routes...)
	if err != nil {
		closeAll()
		return nil, err
	}
	return r, nil
}

// Check reports the first problem FromConfig would meet in specs without
// opening anything (no file created, no connection made): what
// serve --check-config says.
func Check(specs []SinkSpec) error {
	for i, spec := range specs {
		if _, _, err := resolve(spec); err != nil {
			return fmt.Errorf("sink %d (%s): %w", i+1, spec.Type, err)
		}
		if err := checkFormat(spec.Format); err != nil && !strings.EqualFold(spec.Type, TypeSlack) {
			return fmt.Errorf("sink %d (%s): %w", i+1, spec.Type, err)
		}
	}
	return nil
}

// resolve checks what a spec says and expands its environment references,
// returning its URL and secret.
func resolve(spec SinkSpec) (url, secret string, err error) {
	if err := checkSeverity(spec.MinSeverity); err != nil {
		return "", "", err
	}
	if url, err = expandEnv(spec.URL); err != nil {
		return "", "", fmt.Errorf("url: %w", err)
	}
	if secret, err = expandEnv(spec.Secret); err != nil {
		return "", "", fmt.Errorf("secret: %w", err)
	}
	switch strings.ToLower(spec.Type) {
	case TypeStdout, TypeFile, TypeSlack:
	case TypeWebhook:
		switch {
		case secret == "" && !spec.Unsigned && spec.Secret != "":
			return "", "", fmt.Errorf("secret %s is empty: receivers could not tell tripline's alerts from forged ones (set unsigned: true to send them unsigned on purpose)", spec.Secret)
		case secret == "" && !spec.Unsigned:
			return "", "", errors.New("no secret to sign with: receivers could not tell tripline's alerts from forged ones (give secret: ${VARIABLE}, or set unsigned: true to send them unsigned on purpose)")
		case secret != "" && spec.Unsigned:
			return "", "", errors.New("both a secret and unsigned: true: say which")
		}
	case "":
		return "", "", errors.New("no type (want stdout, file, webhook or slack)")
	default:
		return "", "", fmt.Errorf("unknown type %q (want stdout, file, webhook or slack)", spec.Type)
	}
	return url, secret, nil
}

func newSink(spec SinkSpec) (Sink, error) {
	url, secret, err := resolve(spec)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(spec.Type) {
	case TypeStdout:
		s, err := NewStdout(os.Stdout, spec.Format)
		if err != nil {
			return nil, err
		}
		return NewAsync(s, spec.Delivery), nil
	case TypeFile:
		maxBytes, keep := spec.MaxBytes, spec.Keep
		switch {
		case maxBytes == 0:
			maxBytes = DefaultMaxBytes
		case maxBytes < 0:
			maxBytes = 0
		}
		switch {
		case keep == 0:
			keep = DefaultKeep
		case keep < 0:
			keep = 0
		}
		s, err := NewFile(spec.Path, spec.Format, maxBytes, keep)
		if err != nil {
			return nil, err
		}
		return NewAsync(s, spec.Delivery), nil
	case TypeWebhook:
		headers := make(map[string]string, len(spec.Headers))
		for k, v := range spec.Headers {
			if headers[k], err = expandEnv(v); err != nil {
				return nil, fmt.Errorf("header %s: %w", k, err)
			}
		}
		return NewWebhook(WebhookConfig{URL: url, Secret: secret, Format: spec.Format,
			Headers: headers, Delivery: spec.Delivery})
	}
	return NewSlack(SlackConfig{WebhookURL: url, Channel: spec.Channel, Delivery: spec.Delivery})
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces each ${NAME} with the variable's value. A lone "$" or
// "$NAME" is left alone, so secrets may contain dollar signs.
func expandEnv(s string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}
