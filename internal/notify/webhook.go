package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// Headers a webhook receiver reads.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the
	// request body keyed with the shared secret.
	SignatureHeader = "X-Tripline-Signature"
	// TimestampHeader carries the Unix time (seconds) of the attempt.
	TimestampHeader = "X-Tripline-Timestamp"
	// AlertIDHeader carries the alert's id; an updated alert keeps its id,
	// so a receiver can upsert on it.
	AlertIDHeader = "X-Tripline-Alert-Id"
	// NoticeHeader says "new" for an alert's first notification and
	// "update" for a later one (see Gate).
	NoticeHeader = "X-Tripline-Notice"
)

// WebhookConfig configures a generic JSON webhook.
type WebhookConfig struct {
	// URL receives one POST per alert.
	URL string
	// Secret keys the body's HMAC-SHA256 signature; empty sends no signature.
	Secret string
	// Format is the body's format, one of Formats (default tripline).
	Format string
	// Headers are added to every request (they cannot replace the
	// signature, timestamp or content type).
	Headers map[string]string
	Delivery
}

// Webhook POSTs each alert as JSON to a URL, signed, from a bounded queue:
// Send never blocks, failed posts are retried with backoff, and what cannot
// be queued or delivered is counted in Stats.
type Webhook struct {
	p *poster
}

var (
	_ StatsSink = (*Webhook)(nil)
	_ queued    = (*Webhook)(nil)
)

// NewWebhook checks cfg and starts the sink's delivery goroutine.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := checkFormat(cfg.Format); err != nil {
		return nil, fmt.Errorf("cannot create webhook sink: %w", err)
	}
	headers := http.Header{}
	for k, v := range cfg.Headers {
		headers.Set(k, v)
	}
	format, secret := cfg.Format, []byte(cfg.Secret)
	body := func(a *alert.Alert) ([]byte, error) { return Encode(format, a) }
	header := func(h http.Header, a *alert.Alert, body []byte) {
		for k, vs := range headers {
			switch k {
			case "Content-Type", SignatureHeader, TimestampHeader:
				continue
			}
			h[k] = vs
		}
		h.Set(TimestampHeader, strconv.FormatInt(time.Now().Unix(), 10))
		h.Set(AlertIDHeader, a.ID)
		if a.Update {
			h.Set(NoticeHeader, "update")
		} else {
			h.Set(NoticeHeader, "new")
		}
		if len(secret) > 0 {
			h.Set(SignatureHeader, Sign(secret, body))
		}
	}
	p, err := newPoster("webhook", cfg.URL, cfg.Delivery, body, header)
	if err != nil {
		return nil, err
	}
	return &Webhook{p: p}, nil
}

// Sign returns the value of SignatureHeader for a body: "sha256=" and the
// hex HMAC-SHA256 of body keyed with secret. Receivers compare it with
// hmac.Equal.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Name implements Sink: "webhook:" and the URL's host.
func (s *Webhook) Name() string { return s.p.q.name }

// Send implements Sink: it queues a, or drops it and returns ErrQueueFull.
func (s *Webhook) Send(_ context.Context, a *alert.Alert) error { return s.p.q.enqueue(a) }

// Close implements Sink: it stops taking alerts and delivers the queued
// ones until the drain deadline, then abandons the rest.
func (s *Webhook) Close() error { return s.p.q.close() }

// Stats implements StatsSink.
func (s *Webhook) Stats() Stats { return s.p.q.stats() }

func (s *Webhook) queued() {}
