package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/tripline/tripline/internal/logs"
)

// minioVersion is the MinIO the tests were written against; .ci/run
// installs it.
const minioVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"

const (
	minioUser     = "tripline"
	minioPassword = "tripline-secret"
)

// findMinIO returns the minio binary in PATH or in ~/go/bin (or
// $GOPATH/bin), or "".
func findMinIO() string {
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "minio")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMinIO starts a MinIO server on 127.0.0.1 with a fresh data
// directory, stopped when the test ends, and returns its endpoint URL.
func startMinIO(t *testing.T) string {
	t.Helper()
	bin := findMinIO()
	if bin == "" {
		t.Skip("minio not installed (go install github.com/minio/minio@" + minioVersion + ")")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	console := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var logBuf bytes.Buffer
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", console, t.TempDir())
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+minioUser,
		"MINIO_ROOT_PASSWORD="+minioPassword,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start minio: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	endpoint := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return endpoint
			}
		}
		select {
		case <-exited:
			t.Fatalf("minio exited before it was ready:\n%s", logBuf.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio not ready after 60s:\n%s", logBuf.String())
		}
	}
}

// TestS3MinIO runs the S3 source against a real S3-compatible server.
func TestS3MinIO(t *testing.T) {
	endpoint := startMinIO(t)
	ctx := context.Background()
	const bucket = "trail"
	cfg := S3Config{
		Bucket:    bucket,
		Prefix:    "AWSLogs/",
		Region:    "us-east-1",
		Endpoint:  endpoint,
		PathStyle: true,
		AccessKey: minioUser,
		SecretKey: minioPassword,
		Logger:    quiet,
	}
	src, err := NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	client := src.s3
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("cannot create bucket: %v", err)
	}
	put := func(key string, data []byte) {
		t.Helper()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
			t.Fatalf("cannot put %s: %v", key, err)
		}
	}
	ctKey := func(region, day, name string) string {
		return "AWSLogs/111122223333/CloudTrail/" + region + "/2024/10/" + day + "/111122223333_CloudTrail_" + region + "_" + name + ".json.gz"
	}
	put(ctKey("us-east-1", "17", "20241017T2010Z_a"), cloudTrailGzip(t, "a1", "a2"))
	put(ctKey("us-east-1", "17", "20241017T2015Z_b"), cloudTrailGzip(t, "b1"))
	put(ctKey("us-east-1", "18", "20241018T0005Z_c"), cloudTrailGzip(t, "c1"))
	put("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/10/17/digest.json.gz", cloudTrailGzip(t, "digest"))
	put("AWSLogs/amazon-bedrock-logs-permission-check", []byte("ok"))
	put("other/outside-prefix.json.gz", cloudTrailGzip(t, "outside"))

	c := &collector{}
	pollS3 := func(s *S3) []delivered {
		t.Helper()
		if err := s.Poll(ctx, c.deliver); err != nil {
			t.Fatalf("Poll: %v", err)
		}
		return c.take()
	}
	names := func(ds []delivered) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Chunk.Name)
		}
		return out
	}

	got := pollS3(src)
	if ids := idsOf(got); !slices.Equal(ids, []string{"a1", "a2", "b1", "c1"}) {
		t.Fatalf("first poll delivered %v (%v), want the three CloudTrail objects", ids, names(got))
	}
	for _, d := range got {
		if !strings.HasPrefix(d.Chunk.Name, "s3://trail/AWSLogs/") || d.Chunk.Key != d.Chunk.Name ||
			!d.Chunk.Position.Done || d.Chunk.Position.ETag == "" || d.Bad != 0 || d.Origins[0].File != d.Chunk.Name {
			t.Errorf("chunk %+v", d)
		}
	}
	if got := pollS3(src); len(got) != 0 {
		t.Fatalf("second poll delivered %v, want nothing", names(got))
	}

	// New objects, one in a region that sorts before the last key read:
	// only they arrive.
	put(ctKey("eu-west-1", "18", "20241018T0010Z_d"), cloudTrailGzip(t, "d1"))
	put(ctKey("us-east-1", "18", "20241018T0020Z_e"), cloudTrailGzip(t, "e1"))
	if ids := idsOf(pollS3(src)); !slices.Equal(ids, []string{"d1", "e1"}) {
		t.Fatalf("after new uploads delivered %v, want d1 and e1", ids)
	}

	// A refused object is offered again.
	put(ctKey("us-east-1", "18", "20241018T0030Z_f"), cloudTrailGzip(t, "f1"))
	c.fail = func(Chunk) bool { return true }
	if err := src.Poll(ctx, c.deliver); err == nil {
		t.Fatal("Poll with a refusing Deliver: got nil error")
	}
	c.fail = nil
	if ids := idsOf(pollS3(src)); !slices.Equal(ids, []string{"f1"}) {
		t.Fatalf("after a refusal delivered %v, want f1", ids)
	}

	// A restart from saved positions reads nothing old.
	saved, err := src.Positions().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	restored := NewPositions()
	if err := restored.Unmarshal(saved); err != nil {
		t.Fatal(err)
	}
	cfg.Positions = restored
	src2, err := NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := pollS3(src2); len(got) != 0 {
		t.Fatalf("after restart delivered %v, want nothing", names(got))
	}

	// An object overwritten with other content is read again.
	put(ctKey("us-east-1", "17", "20241017T2015Z_b"), cloudTrailGzip(t, "b1", "b2"))
	if ids := idsOf(pollS3(src2)); !slices.Equal(ids, []string{"b1", "b2"}) {
		t.Fatalf("after an overwrite delivered %v, want b1 and b2", ids)
	}

	// Objects older than the retention are forgotten and not read.
	if restored.Len() != 6 {
		t.Fatalf("positions hold %d objects, want 6", restored.Len())
	}
	src2.now = func() time.Time { return time.Now().Add(DefaultRetention + time.Hour) }
	if got := pollS3(src2); len(got) != 0 || restored.Len() != 0 {
		t.Fatalf("past the retention delivered %v and kept %d positions, want none", names(got), restored.Len())
	}

	// An alert's evidence names a record by object and offset: Open reads
	// the object again and ReadRecord finds the record in its gzip text.
	name := "s3://" + bucket + "/" + ctKey("us-east-1", "17", "20241017T2010Z_a")
	whole := `{"Records":[` + ctRecord("a1") + "," + ctRecord("a2") + "]}"
	offset := int64(strings.Index(whole, ctRecord("a2")))
	rc, err := src.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := logs.ReadRecord(rc, offset, 1<<16)
	rc.Close()
	if err != nil || string(rec) != ctRecord("a2") {
		t.Errorf("record at %d of %s = %q, %v; want a2's", offset, name, rec, err)
	}
	if _, err := src.Open(ctx, "s3://other-bucket/x.json.gz"); err == nil {
		t.Error("Open read a bucket the source does not read")
	}
	if _, err := src.Open(ctx, "s3://"+bucket+"/AWSLogs/no-such-object"); err == nil {
		t.Error("Open of a missing object gave no error")
	}
}

// TestS3Config checks what NewS3 refuses.
func TestS3Config(t *testing.T) {
	if _, err := NewS3(context.Background(), S3Config{}); err == nil || !strings.Contains(err.Error(), "no bucket") {
		t.Errorf("NewS3 without bucket or queue: got %v", err)
	}
	if _, err := NewDir(DirConfig{}); err == nil {
		t.Errorf("NewDir without root: got nil error")
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(errGone, &status) {
		t.Errorf("errGone must not look like an HTTP error")
	}
}
