package source

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/logs"
)

// quiet is a logger for sources under test.
var quiet = slog.New(slog.DiscardHandler)

// ctRecord returns a one-line CloudTrail record with the given event id.
func ctRecord(id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},`+
		`"eventTime":"2024-10-17T20:09:52Z","eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel","awsRegion":"us-east-1",`+
		`"sourceIPAddress":"198.51.100.7","eventID":%q}`, id)
}

// cloudTrailGzip returns a CloudTrail log file as AWS writes it: one
// {"Records":[...]} object, gzip-compressed.
func cloudTrailGzip(t testing.TB, ids ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(ctRecord(id))
	}
	b.WriteString("]}")
	return gzipBytes(t, b.Bytes())
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path string, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// delivered is one chunk as the collector decoded it.
type delivered struct {
	Chunk   Chunk
	IDs     []string
	Origins []event.Origin
	Bad     int
}

// collector is a Deliver that decodes chunks as the engine does and keeps
// what it saw. fail, when set, fails the delivery of matching chunks.
type collector struct {
	mu     sync.Mutex
	chunks []delivered
	fail   func(Chunk) bool
}

func (c *collector) deliver(ctx context.Context, ch Chunk) error {
	var d delivered
	d.Chunk = ch
	st, err := logs.ReadStream(ctx, ch.Name, ch.Data, ch.Start, logs.Options{}, func(_ int, ev *event.Event) error {
		d.IDs = append(d.IDs, ev.ID)
		d.Origins = append(d.Origins, ev.Origin)
		return nil
	})
	if err != nil {
		return err
	}
	d.Bad = st.Bad
	if c.fail != nil && c.fail(ch) {
		return fmt.Errorf("refused %s", ch.Name)
	}
	c.mu.Lock()
	c.chunks = append(c.chunks, d)
	c.mu.Unlock()
	return nil
}

// take returns and forgets the chunks delivered so far.
func (c *collector) take() []delivered {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.chunks
	c.chunks = nil
	return out
}

// idsOf lists the record ids of chunks, in delivery order.
func idsOf(ds []delivered) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.IDs...)
	}
	return out
}
