package inference

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/tripline/tripline/internal/exec"
)

// caller answers one prompt at one endpoint.
type caller interface {
	complete(ctx context.Context, prompt string) (string, error)
}

// Options tune a Client.
type Options struct {
	// HTTPClient makes the OpenAI-compatible calls (default: a client of
	// its own; each call is bounded by the endpoint's timeout anyway).
	HTTPClient *http.Client
	// Getenv reads the API keys' variables (default os.Getenv).
	Getenv func(string) string
}

// Client calls the configured endpoints. It is safe for concurrent use.
type Client struct {
	endpoints map[string]Endpoint
	callers   map[string]caller
	calls     atomic.Int64
	failures  atomic.Int64
	overLimit atomic.Int64
}

// New makes a Client for the endpoints of cfg. A nil or empty cfg gives a
// Client that has no endpoint. It fails on a configuration that cannot
// work: an API key variable that is not set, an unknown provider.
func New(cfg *Config, o Options) (*Client, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	c := &Client{endpoints: map[string]Endpoint{}, callers: map[string]caller{}}
	for _, id := range cfg.IDs() {
		e := cfg.Endpoints[id]
		var cl caller
		switch e.Provider {
		case "", OpenAI:
			key := ""
			if e.APIKeyEnv != "" {
				if key = o.Getenv(e.APIKeyEnv); key == "" {
					return nil, fmt.Errorf("inference endpoint %q: environment variable %s, which holds its API key, is not set", id, e.APIKeyEnv)
				}
			}
			cl = &openAI{url: chatURL(e.URL), model: e.Model, key: key, maxTokens: e.maxTokens(), http: o.HTTPClient}
		case Bedrock:
			cl = newBedrock(e)
		}
		c.endpoints[id], c.callers[id] = e, cl
	}
	return c, nil
}

// Has reports whether an endpoint is configured for an inference id.
func (c *Client) Has(id string) bool {
	if c == nil {
		return false
	}
	_, ok := c.callers[id]
	return ok
}

// Limit is the number of calls a rule may make per window to id's endpoint.
func (c *Client) Limit(id string) int {
	if c == nil {
		return DefaultCallsPerWindow
	}
	return c.endpoints[id].CallsPerWindow()
}

// ErrNoEndpoint is returned for an inference id with no endpoint.
var ErrNoEndpoint = errors.New("no inference endpoint is configured for this id")

// Complete sends a prompt to id's endpoint and returns the answer's text,
// within the endpoint's timeout. A failure is counted and returned.
func (c *Client) Complete(ctx context.Context, id, prompt string) (string, error) {
	cl, ok := c.callers[id]
	if !ok {
		c.failures.Add(1)
		return "", fmt.Errorf("inference id %q: %w", id, ErrNoEndpoint)
	}
	ctx, cancel := context.WithTimeout(ctx, c.endpoints[id].timeout())
	defer cancel()
	c.calls.Add(1)
	out, err := cl.complete(ctx, prompt)
	if err != nil {
		c.failures.Add(1)
		return "", fmt.Errorf("inference id %q: %w", id, err)
	}
	return out, nil
}

// CompleteFunc returns what the executor calls for each row of a
// COMPLETION (see exec.Options.Complete): the rows past a window's limit
// are counted, not sent.
func (c *Client) CompleteFunc() exec.CompleteFunc {
	return func(req exec.CompletionRequest) (string, error) {
		if req.OverLimit {
			c.overLimit.Add(1)
			return "", errors.New("over the calls allowed per window")
		}
		return c.Complete(context.Background(), req.InferenceID, req.Prompt)
	}
}

// Stats are a Client's counts since it was made.
type Stats struct {
	// Calls were made; Failures of them (and of calls to an id with no
	// endpoint) gave no answer; OverLimit rows were not sent, past a
	// rule's calls per window. Every row without an answer has a null
	// target.
	Calls, Failures, OverLimit int64
}

// Stats returns the counts so far.
func (c *Client) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{Calls: c.calls.Load(), Failures: c.failures.Load(), OverLimit: c.overLimit.Load()}
}

// Warning says, in a line, how many rows got no answer and why; "" when
// every row got one.
func (s Stats) Warning() string {
	if s.Failures == 0 && s.OverLimit == 0 {
		return ""
	}
	return fmt.Sprintf("COMPLETION: %d of %d inference calls failed and %d rows were past a rule's calls per window; their targets are null",
		s.Failures, s.Calls, s.OverLimit)
}
