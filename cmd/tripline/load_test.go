package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Bounds of the load test: it sends for at most loadFor, at most
// loadMaxBatches batches in all, and gives up on a batch refused with 429
// for longer than loadRetryFor.
const (
	loadSenders    = 4
	loadFor        = 5 * time.Second
	loadMaxBatches = 4000
	loadBatch      = 250
	loadRetryFor   = 15 * time.Second
)

// loadBody returns batch number b: JSON lines, CloudTrail records and
// invocation records (a few of them denials, so rules have work), each
// with its own id and an event time that grows with b.
func loadBody(b int) []byte {
	base := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC).Add(time.Duration(b) * 10 * time.Second)
	var buf bytes.Buffer
	for i := 0; i < loadBatch; i++ {
		at := base.Add(time.Duration(i) * 40 * time.Millisecond).Format(time.RFC3339Nano)
		if i%2 == 0 {
			fmt.Fprintf(&buf, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","awsRegion":"us-east-1",`+
				`"sourceIPAddress":"10.1.%d.%d","userAgent":"boto3","userIdentity":{"type":"IAMUser","userName":"u%d","accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/u%d"},`+
				`"eventID":"load-%d-%d","recipientAccountId":"111122223333"}`+"\n", at, b%250, i%250, i%17, i%17, b, i)
			continue
		}
		errPart := ""
		if i%25 == 1 {
			errPart = `,"errorCode":"AccessDeniedException"`
		}
		fmt.Fprintf(&buf, `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/c%d"},`+
			`"region":"us-east-1","requestId":"load-%d-%d","operation":"InvokeModel","modelId":"model-%d","input":{"inputTokenCount":%d},"output":{"outputTokenCount":%d}%s}`+"\n",
			at, i%13, b, i, i%3, 100+i, 50+i, errPart)
	}
	return buf.Bytes()
}

// loadResult is what the senders saw.
type loadResult struct {
	accepted, batches, busy atomic.Int64
	mu                      sync.Mutex
	errs                    []string
}

func (r *loadResult) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) < 10 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
}

// sendBatch posts one batch until it is accepted, waiting as Retry-After
// says on 429; it reports whether the batch was accepted.
func sendBatch(ctx context.Context, client *http.Client, url string, body []byte, res *loadResult) bool {
	giveUp := time.Now().Add(loadRetryFor)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			res.fail("cannot make request: %v", err)
			return false
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			res.fail("ingest: %v", err)
			return false
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusAccepted:
			var r struct{ Accepted, Bad int }
			if err := json.Unmarshal(data, &r); err != nil || r.Accepted != loadBatch || r.Bad != 0 {
				res.fail("202 with %s (%v), want %d accepted", data, err, loadBatch)
			}
			res.accepted.Add(int64(r.Accepted))
			res.batches.Add(1)
			return true
		case http.StatusTooManyRequests:
			res.busy.Add(1)
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			} else {
				res.fail("429 without a Retry-After in seconds: %q", resp.Header.Get("Retry-After"))
			}
			if time.Now().Add(wait).After(giveUp) {
				res.fail("a batch was refused with 429 for %v", loadRetryFor)
				return false
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return false
			}
		default:
			res.fail("ingest answered %d: %s", resp.StatusCode, data)
			return false
		}
	}
}

// TestServeIngestLoad sends records to the ingest endpoint from several
// clients as fast as serve takes them, for a bounded time, and checks that
// every accepted record was processed exactly once.
func TestServeIngestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	p := startServe(t, bin, t.TempDir(), t.TempDir())
	url := "http://" + p.addr + "/api/v1/ingest"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadSenders}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), loadFor+loadRetryFor+5*time.Second)
	defer cancel()

	var res loadResult
	var next atomic.Int64
	stopAt := time.Now().Add(loadFor)
	start := time.Now()
	var wg sync.WaitGroup
	for range loadSenders {
		wg.Go(func() {
			for time.Now().Before(stopAt) {
				b := int(next.Add(1)) - 1
				if b >= loadMaxBatches {
					return
				}
				if !sendBatch(ctx, client, url, loadBody(b), &res) {
					return
				}
			}
		})
	}
	wg.Wait()
	sent := time.Since(start)
	for _, e := range res.errs {
		t.Error(e)
	}
	accepted := int(res.accepted.Load())
	if accepted == 0 {
		t.Fatal("no record was accepted")
	}

	processed := p.waitStable(accepted)
	settled := time.Since(start)
	if processed != accepted {
		t.Errorf("serve processed %d events, want the %d accepted", processed, accepted)
	}
	if bad := p.metricValue("tripline_bad_records_total"); bad != 0 {
		t.Errorf("%v bad records, want none", bad)
	}
	t.Logf("ingest: %d records in %d batches from %d clients in %v: %.0f records/s accepted; %d answers 429; all processed after %v (%.0f records/s end to end)",
		accepted, res.batches.Load(), loadSenders, sent.Round(time.Millisecond), float64(accepted)/sent.Seconds(),
		res.busy.Load(), settled.Round(time.Millisecond), float64(accepted)/settled.Seconds())
	p.stop()
}
