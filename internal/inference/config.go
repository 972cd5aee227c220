package inference

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/duration"
)

// Providers.
const (
	// OpenAI is any API that speaks OpenAI's chat completions.
	OpenAI = "openai"
	// Bedrock is Amazon Bedrock's Converse API.
	Bedrock = "bedrock"
)

// Defaults for an endpoint.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultCallsPerWindow = 100
	DefaultMaxTokens      = 1024
)

// Config maps inference ids, as rules name them in COMPLETION ... WITH
// {"inference_id": "..."}, to endpoints. It is the content of the file
// given by --inference and of serve's "inference:" section:
//
//	endpoints:
//	  .anthropic-claude-4.6-sonnet-completion:
//	    provider: openai
//	    url: https://llm.example.com
//	    model: claude-sonnet-4-6
//	    api_key_env: LLM_API_KEY
//	    timeout: 30s
//	    max_calls_per_window: 50
//	  triage-bedrock:
//	    provider: bedrock
//	    model: anthropic.claude-3-5-haiku-20241022-v1:0
//	    region: us-east-1
type Config struct {
	Endpoints map[string]Endpoint `yaml:"endpoints"`
}

// Endpoint is one inference endpoint.
type Endpoint struct {
	// Provider is "openai" (the default) or "bedrock".
	Provider string `yaml:"provider"`
	// URL is the API's base URL for "openai": requests go to
	// {url}/v1/chat/completions (a URL already ending in /v1 is taken as
	// is).
	URL string `yaml:"url"`
	// Model is the model name ("openai") or Bedrock model or inference
	// profile id ("bedrock").
	Model string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the API key,
	// sent as a bearer token ("openai"). The key itself never goes in
	// the file.
	APIKeyEnv string `yaml:"api_key_env"`
	// Region is the AWS region ("bedrock"); the SDK's default otherwise.
	Region string `yaml:"region"`
	// Timeout bounds one call (default 30s).
	Timeout Duration `yaml:"timeout"`
	// MaxCallsPerWindow caps the calls a rule makes per evaluation of a
	// window (default 100); rows past it get a null answer, counted.
	MaxCallsPerWindow int `yaml:"max_calls_per_window"`
	// MaxTokens caps the answer's length (default 1024).
	MaxTokens int `yaml:"max_tokens"`
}

// Duration is a length of time written as tripline's duration parser reads
// it ("30s", "2m").
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := duration.Parse(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the length as the file takes it.
func (d Duration) MarshalYAML() (any, error) { return duration.Format(time.Duration(d)), nil }

// LoadFile reads a Config from a YAML file. Unknown keys are errors.
func LoadFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read inference config: %w", err)
	}
	defer f.Close()
	var c Config
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("cannot read inference config %s: %w", path, err)
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("inference config %s: %w", path, err)
	}
	return &c, nil
}

// Check reports what is wrong with the endpoints, all at once.
func (c *Config) Check() error {
	if c == nil {
		return nil
	}
	var errs []string
	for _, id := range c.IDs() {
		e := c.Endpoints[id]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Sprintf("endpoint %q: ", id)+fmt.Sprintf(format, args...))
		}
		switch e.Provider {
		case "", OpenAI:
			if e.URL == "" {
				bad("an openai endpoint needs a url")
			} else if !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
				bad("url %q is not an http(s) URL", e.URL)
			}
		case Bedrock:
		default:
			bad("unknown provider %q (known: openai, bedrock)", e.Provider)
		}
		if e.Model == "" {
			bad("no model")
		}
		if e.Timeout < 0 || e.MaxCallsPerWindow < 0 || e.MaxTokens < 0 {
			bad("timeout, max_calls_per_window and max_tokens cannot be negative")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// IDs lists the configured inference ids, sorted.
func (c *Config) IDs() []string {
	if c == nil {
		return nil
	}
	ids := make([]string, 0, len(c.Endpoints))
	for id := range c.Endpoints {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (e Endpoint) timeout() time.Duration {
	if e.Timeout > 0 {
		return time.Duration(e.Timeout)
	}
	return DefaultTimeout
}

func (e Endpoint) maxTokens() int {
	switch {
	case e.MaxTokens > 1<<20:
		return 1 << 20
	case e.MaxTokens > 0:
		return e.MaxTokens
	}
	return DefaultMaxTokens
}

// CallsPerWindow is the endpoint's cap on calls per window.
func (e Endpoint) CallsPerWindow() int {
	if e.MaxCallsPerWindow > 0 {
		return e.MaxCallsPerWindow
	}
	return DefaultCallsPerWindow
}
