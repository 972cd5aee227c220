package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// poster delivers alerts as HTTP POSTs with retries; webhook and Slack
// sinks differ only in how they build the body and the headers.
type poster struct {
	url    string
	d      Delivery
	q      *queue
	body   func(a *alert.Alert) ([]byte, error)
	header func(h http.Header, a *alert.Alert, body []byte)
}

// newPoster checks the URL and starts the queue.
func newPoster(kind, rawURL string, d Delivery, body func(*alert.Alert) ([]byte, error),
	header func(http.Header, *alert.Alert, []byte)) (*poster, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cannot create %s sink: %q is not an http(s) URL", kind, redact(rawURL))
	}
	p := &poster{url: rawURL, d: d.withDefaults(), body: body, header: header}
	p.q = newQueue(kind+":"+u.Host, p.d, p.deliver)
	return p, nil
}

// redact hides a URL's path and query, which often carry a token (Slack's
// webhook URLs do), in messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "<invalid URL>"
	}
	return u.Scheme + "://" + u.Host + "/..."
}

// deliver POSTs one alert, retrying network errors, 408, 429 and 5xx with
// exponential backoff and jitter, or after the receiver's Retry-After.
func (p *poster) deliver(ctx context.Context, a *alert.Alert) error {
	body, err := p.body(a)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		wait, retry, err := p.attempt(ctx, a, body)
		if err == nil {
			return nil
		}
		if !retry || attempt >= p.d.MaxRetries || ctx.Err() != nil {
			return err
		}
		p.q.retried.Add(1)
		if wait < 0 {
			wait = backoff(p.d.MinBackoff, p.d.MaxBackoff, attempt)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// attempt makes one request. It returns whether to retry, and how long the
// receiver asked to wait (negative when it did not say).
func (p *poster) attempt(ctx context.Context, a *alert.Alert, body []byte) (time.Duration, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return -1, false, fmt.Errorf("cannot post alert %s: %w", a.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tripline")
	p.header(req.Header, a, body)
	resp, err := p.d.Client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may hold a token
		}
		return -1, true, fmt.Errorf("cannot post alert %s to %s: %w", a.ID, redact(p.url), err)
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return 0, false, nil
	}
	err = fmt.Errorf("cannot post alert %s to %s: %s: %s", a.ID, redact(p.url), resp.Status,
		strings.TrimSpace(string(snippet)))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode >= 500:
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if wait > p.d.MaxRetryAfter {
			wait = p.d.MaxRetryAfter
		}
		return wait, true, err
	}
	return -1, false, err
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date,
// at most a day. It returns -1 when the header is absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	const limit = 24 * time.Hour
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return -1
		}
		return time.Duration(min(n, int64(limit/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if t.After(now.Add(limit)) {
			return limit
		}
		return max(t.Sub(now), 0)
	}
	return -1
}

// backoff is min·2^attempt capped at max, with "equal jitter": half the
// delay fixed, half random, so retries of many senders spread out.
func backoff(minD, maxD time.Duration, attempt int) time.Duration {
	d := minD
	for i := 0; i < attempt && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	half := d / 2
	return half + rand.N(half+1)
}
