package source

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAWS speaks just enough of two AWS protocols for the queue path: SQS
// ReceiveMessage and DeleteMessage in the AWS JSON 1.0 protocol, and S3
// GetObject in path style.
type fakeAWS struct {
	mu       sync.Mutex
	objects  map[string][]byte // "bucket/key" → content
	messages []*fakeMessage
	deleted  []string // message ids, in order
	received int
}

type fakeMessage struct {
	id, body string
	inFlight bool
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodGet {
		p := strings.TrimPrefix(r.URL.Path, "/")
		data, ok := f.objects[p]
		if !ok {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>`)
			return
		}
		sum := md5.Sum(data)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Write(data)
		return
	}
	var in struct{ QueueUrl, ReceiptHandle string }
	json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch r.Header.Get("X-Amz-Target") {
	case "AmazonSQS.ReceiveMessage":
		f.received++
		type msg struct{ MessageId, ReceiptHandle, Body, MD5OfBody string }
		var out struct{ Messages []msg }
		for _, m := range f.messages {
			if m.inFlight {
				continue
			}
			m.inFlight = true
			sum := md5.Sum([]byte(m.body))
			out.Messages = append(out.Messages, msg{m.id, "rh-" + m.id, m.body, hex.EncodeToString(sum[:])})
		}
		json.NewEncoder(w).Encode(out)
	case "AmazonSQS.DeleteMessage":
		id := strings.TrimPrefix(in.ReceiptHandle, "rh-")
		f.messages = slices.DeleteFunc(f.messages, func(m *fakeMessage) bool { return m.id == id })
		f.deleted = append(f.deleted, id)
		io.WriteString(w, "{}")
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidAction","message":"unknown target %s"}`, r.Header.Get("X-Amz-Target"))
	}
}

// timeout makes the messages in flight visible again, as the visibility
// timeout would.
func (f *fakeAWS) timeout() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.messages {
		m.inFlight = false
	}
}

func (f *fakeAWS) send(id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.messages = append(f.messages, &fakeMessage{id: id, body: body})
}

func (f *fakeAWS) takeDeleted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.deleted
	f.deleted = nil
	slices.Sort(out)
	return out
}

// notification returns an S3 event notification for one created object.
func notification(bucket, key string) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",`+
		`"eventTime":"2024-10-17T20:10:00.000Z","eventName":"ObjectCreated:Put",`+
		`"s3":{"s3SchemaVersion":"1.0","bucket":{"name":%q,"arn":"arn:aws:s3:::%s"},`+
		`"object":{"key":%q,"size":100,"sequencer":"0055AED6DCD90281E5"}}}]}`, bucket, bucket, url.QueryEscape(key))
}

// TestS3Queue checks the queue path: objects named by notifications are
// delivered, and a message is deleted only once all its objects were.
func TestS3Queue(t *testing.T) {
	fake := &fakeAWS{objects: map[string][]byte{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	const bucket = "trail"
	k1 := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/10/17/a b:1.json.gz"
	k2 := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/10/17/b.json.gz"
	fake.objects[bucket+"/"+k1] = cloudTrailGzip(t, "a1")
	fake.objects[bucket+"/"+k2] = cloudTrailGzip(t, "b1")

	sns, _ := json.Marshal(map[string]string{"Type": "Notification", "Message": notification(bucket, k2)})
	fake.send("m1", notification(bucket, k1))
	fake.send("m2", `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-10-17T20:10:00.000Z","Bucket":"trail"}`)
	fake.send("m3", string(sns))
	fake.send("m4", "not json")
	fake.send("m5", notification("other-bucket", k1))
	fake.send("m6", notification(bucket, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/10/17/gone.json.gz"))

	src, err := NewS3(context.Background(), S3Config{
		Bucket:        bucket,
		Prefix:        "AWSLogs/",
		Region:        "us-east-1",
		Endpoint:      srv.URL,
		PathStyle:     true,
		AccessKey:     "key",
		SecretKey:     "secret",
		QueueURL:      srv.URL + "/111122223333/trail-events",
		QueueEndpoint: srv.URL,
		QueueWait:     -1,
		Logger:        quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{fail: func(ch Chunk) bool { return strings.HasSuffix(ch.Name, "b.json.gz") }}
	ctx := context.Background()
	if err := src.Poll(ctx, c.deliver); err == nil {
		t.Fatal("Poll with a failing message: got nil error")
	}
	got := c.take()
	if ids := idsOf(got); !slices.Equal(ids, []string{"a1"}) || got[0].Chunk.Name != "s3://trail/"+k1 {
		t.Fatalf("delivered %v, want a1 from %s", ids, k1)
	}
	if del := fake.takeDeleted(); !slices.Equal(del, []string{"m1", "m2", "m5", "m6"}) {
		t.Fatalf("deleted %v, want m1 m2 m5 m6 (not the refused m3 nor the unreadable m4)", del)
	}

	// The visibility timeout brings m3 and m4 back; now m3 is delivered,
	// and a repeated notification of k1 is deleted without a second read.
	fake.timeout()
	fake.send("m7", notification(bucket, k1))
	c.fail = nil
	if err := src.Poll(ctx, c.deliver); err == nil || !strings.Contains(err.Error(), "cannot parse") {
		t.Fatalf("Poll: got %v, want the unreadable message's error", err)
	}
	if ids := idsOf(c.take()); !slices.Equal(ids, []string{"b1"}) {
		t.Fatalf("delivered %v, want b1 only", ids)
	}
	if del := fake.takeDeleted(); !slices.Equal(del, []string{"m3", "m7"}) {
		t.Fatalf("deleted %v, want m3 m7", del)
	}

	// Run keeps receiving until its context ends.
	fake.timeout()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	src.cfg.PollInterval = 10 * time.Millisecond
	if err := src.Run(ctx, c.deliver); err != nil {
		t.Fatalf("Run: %v", err)
	}
	fake.mu.Lock()
	received := fake.received
	fake.mu.Unlock()
	if received < 4 {
		t.Errorf("Run received %d times in 300ms, want it to keep polling", received)
	}
}

func TestParseNotification(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []objectRef
		err  string
	}{
		{name: "created", body: notification("b", "AWSLogs/x y+z.json.gz"),
			want: []objectRef{{Bucket: "b", Key: "AWSLogs/x y+z.json.gz", Size: 100}}},
		{name: "test event", body: `{"Service":"Amazon S3","Event":"s3:TestEvent"}`},
		{name: "removed", body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}`,
			want: nil},
		{name: "etag unquoted", body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"k","eTag":"\"abc\""}}}]}`,
			want: []objectRef{{Bucket: "b", Key: "k", ETag: "abc"}}},
		{name: "sns envelope", body: `{"Type":"Notification","Message":` + fmt.Sprintf("%q", notification("b", "k")) + `}`,
			want: []objectRef{{Bucket: "b", Key: "k", Size: 100}}},
		{name: "not json", body: "hello", err: "cannot parse S3 event notification"},
		{name: "no records", body: `{"foo":1}`, err: "no Records"},
		{name: "bad escape", body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}`, err: "cannot decode the key"},
		{name: "no key", body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}`, err: "no bucket or key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNotification([]byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(notification("b", "AWSLogs/k.json.gz")))
	f.Add([]byte(`{"Type":"Notification","Message":"{\"Event\":\"s3:TestEvent\"}"}`))
	f.Add([]byte(`{"Records":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, err := parseNotification(body)
		if err != nil && refs != nil {
			t.Fatalf("refs %v with error %v", refs, err)
		}
		for _, r := range refs {
			if r.Bucket == "" || r.Key == "" {
				t.Fatalf("ref without bucket or key: %+v", r)
			}
		}
	})
}
