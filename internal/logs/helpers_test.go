package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/tripline/tripline/internal/event"
)

// got is a delivered record, copied out of the handler.
type got struct {
	LogType event.LogType
	Time    time.Time
	Origin  event.Origin
	ID      string
	Raw     string
	Name    string // eventName or operation
	IP      string // sourceIPAddress
}

// collect reads inputs and returns the delivered records in input order.
func collect(t testing.TB, inputs []string, opt Options) ([]got, Stats) {
	t.Helper()
	var mu sync.Mutex
	var out []got
	st, err := Read(context.Background(), inputs, opt, func(_ int, ev *event.Event) error {
		g := got{
			LogType: ev.LogType, Time: ev.Time, Origin: ev.Origin, ID: ev.ID, Raw: string(ev.Raw),
			Name: string(ev.Doc.GetStringBytes("eventName")) + string(ev.Doc.GetStringBytes("operation")),
			IP:   string(ev.Doc.GetStringBytes("sourceIPAddress")),
		}
		mu.Lock()
		out = append(out, g)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Origin.File != out[j].Origin.File {
			return out[i].Origin.File < out[j].Origin.File
		}
		return out[i].Origin.Offset < out[j].Origin.Offset
	})
	return out, st
}

func ids(gs []got) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

// ct returns a one-line CloudTrail record.
func ct(id, name string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},`+
		`"eventTime":"2024-10-17T20:09:52Z","eventSource":"bedrock.amazonaws.com","eventName":%q,"awsRegion":"us-east-1",`+
		`"sourceIPAddress":"035.249.253.232","eventID":%q,"resources":[{"ARN":"arn:aws:bedrock:x"}]}`, name, id)
}

// br returns a one-line Bedrock invocation record.
func br(id, op string) string {
	return fmt.Sprintf(`{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2024-04-18T22:54:57.250Z",`+
		`"accountId":"111122223333","region":"us-east-1","requestId":%q,"operation":%q,"modelId":"anthropic.claude-3-haiku"}`, id, op)
}

// pretty indents a one-line JSON object over several lines the way
// json.MarshalIndent does.
func pretty(s string, indent string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), indent, "  "); err != nil {
		panic(err)
	}
	return b.String()
}

func gz(t testing.TB, data []byte) []byte {
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

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lineOf is the 1-based line of byte offset off in data.
func lineOf(data []byte, off int64) int {
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}
