package logs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

const (
	benchFiles   = 8
	benchRecords = 200_000
)

var bench struct {
	once    sync.Once
	dir     string
	decoded int64
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchData writes, once per process, benchRecords synthetic CloudTrail
// records in benchFiles gzip files laid out as AWS delivers them.
func benchData(b *testing.B) (string, int64) {
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "tripline-logs-bench-")
		if bench.err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		t0 := time.Date(2024, 10, 17, 0, 0, 0, 0, time.UTC)
		n := 0
		for f := range benchFiles {
			var sb strings.Builder
			sb.WriteString(`{"Records":[`)
			for i := range benchRecords / benchFiles {
				if i > 0 {
					sb.WriteByte(',')
				}
				writeSyntheticRecord(&sb, rng, t0.Add(time.Duration(n)*150*time.Millisecond))
				n++
			}
			sb.WriteString("]}")
			bench.decoded += int64(sb.Len())
			name := fmt.Sprintf("111122223333_CloudTrail_us-east-1_20241017T%02d00Z_%04d.json.gz", f, f)
			path := filepath.Join(bench.dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2024", "10", "17", name)
			writeFile(b, path, gz(b, []byte(sb.String())))
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.dir, bench.decoded
}

var (
	benchEvents = []struct{ source, name string }{
		{"bedrock.amazonaws.com", "InvokeModel"}, {"bedrock.amazonaws.com", "ListFoundationModels"},
		{"bedrock.amazonaws.com", "GetFoundationModelAvailability"}, {"s3.amazonaws.com", "GetObject"},
		{"s3.amazonaws.com", "PutObject"}, {"ec2.amazonaws.com", "DescribeInstances"},
		{"iam.amazonaws.com", "CreateAccessKey"}, {"sts.amazonaws.com", "AssumeRole"},
		{"kms.amazonaws.com", "Decrypt"}, {"cloudtrail.amazonaws.com", "LookupEvents"},
	}
	benchAgents = []string{
		"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/bedrock-runtime.invoke-model",
		"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
		"APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 aws-sdk-go/1.44.157 (go1.19.3; linux; amd64)",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	}
	benchUsers = []string{"alice", "bob", "ci-deployer", "data-science", "svc-bedrock"}
)

func writeSyntheticRecord(sb *strings.Builder, rng *rand.Rand, t time.Time) {
	ev := benchEvents[rng.IntN(len(benchEvents))]
	user := benchUsers[rng.IntN(len(benchUsers))]
	id := func() string {
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1))
	}
	ip := fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
	if rng.IntN(2) == 0 {
		fmt.Fprintf(sb, `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA%016X","arn":"arn:aws:iam::111122223333:user/%s","accountId":"111122223333","accessKeyId":"AKIA%016X","userName":%q},`,
			rng.Uint64(), user, rng.Uint64(), user)
	} else {
		fmt.Fprintf(sb, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA%016X:%s","arn":"arn:aws:sts::111122223333:assumed-role/%s-role/%s","accountId":"111122223333","accessKeyId":"ASIA%016X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%016X","arn":"arn:aws:iam::111122223333:role/%s-role","accountId":"111122223333","userName":"%s-role"},"attributes":{"creationDate":%q,"mfaAuthenticated":"false"}}},`,
			rng.Uint64(), user, user, user, rng.Uint64(), rng.Uint64(), user, user, t.Add(-time.Hour).Format(time.RFC3339))
	}
	fmt.Fprintf(sb, `"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":%q,`,
		t.Format(time.RFC3339), ev.source, ev.name, ip, benchAgents[rng.IntN(len(benchAgents))])
	if rng.IntN(10) == 0 {
		sb.WriteString(`"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation because no identity-based policy allows it",`)
	}
	fmt.Fprintf(sb, `"requestParameters":{"modelId":"anthropic.claude-3-sonnet-20240229-v1:0","bucketName":"logs-%d","key":"prefix/%x/object.json","maxResults":%d},`,
		rng.IntN(50), rng.Uint32(), rng.IntN(1000))
	if rng.IntN(3) == 0 {
		sb.WriteString(`"responseElements":null,`)
	} else {
		fmt.Fprintf(sb, `"responseElements":{"status":"SUCCESS","credentials":{"accessKeyId":"ASIA%016X","expiration":"Oct 17, 2024, 9:09:52 PM"}},`, rng.Uint64())
	}
	fmt.Fprintf(sb, `"requestID":%q,"eventID":%q,"readOnly":%t,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management",`+
		`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s"}}`,
		id(), id(), rng.IntN(2) == 0, strings.Replace(ev.source, "amazonaws.com", "us-east-1.amazonaws.com", 1))
}

// BenchmarkReadCloudTrailGzip reads 200k synthetic CloudTrail records (about
// 1.3 KB each) from gzip files with all cores.
func BenchmarkReadCloudTrailGzip(b *testing.B) {
	dir, decoded := benchData(b)
	b.SetBytes(decoded)
	b.ReportAllocs()
	var total atomic.Int64
	var last Stats
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		st, err := Read(context.Background(), []string{dir}, Options{}, func(_ int, ev *event.Event) error {
			if ev.Time.IsZero() {
				return fmt.Errorf("no time")
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		total.Add(int64(st.Total()))
		last = st
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if last.Bad != 0 || last.Total() != benchRecords {
		b.Fatalf("read %d records, %d bad: %v", last.Total(), last.Bad, last.BadSamples)
	}
	b.ReportMetric(float64(total.Load())/b.Elapsed().Seconds(), "records/s")
	// Per CPU second, which a busy shared machine disturbs less.
	if cpu > 0 {
		b.ReportMetric(float64(total.Load())/cpu.Seconds(), "records/cpu-s")
	}
}
