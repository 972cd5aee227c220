package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// The two seed rules: Elastic's denied models by user (invocation logs)
// and Splunk's ListFoundationModels failures (CloudTrail).
const (
	seedESQL = "17261da3-a6d0-463c-aac8-ea1718afcd20"
	seedSPL  = "e84b3c74-f742-11ee-9f6e-acde48001122"
)

// writeGzipFile writes data gzip-compressed to path, creating directories.
func writeGzipFile(t *testing.T, path string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTwoRegionTree writes six hours of CloudTrail and invocation logs for
// two regions in AWS's S3 layout, five-minute files each, with bursts for
// both seed rules (the denied-models bursts only pass the threshold when
// both regions' events are counted together), and one file three days later whose events close every window. It
// returns the number of records.
func writeTwoRegionTree(t *testing.T, root string) int {
	t.Helper()
	const account = "111122223333"
	start := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC) // older than a day: event time alone closes windows
	regions := []string{"us-west-2", "eu-west-1"}
	total := 0
	ct := func(at time.Time, region, name, user, ip, errCode string, n int) string {
		errPart := ""
		if errCode != "" {
			errPart = fmt.Sprintf(`,"errorCode":%q,"errorMessage":"User is not authorized to perform: bedrock:%s"`, errCode, name)
		}
		return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":%q,"accountId":%q,"arn":"arn:aws:iam::%s:user/%s"},`+
			`"eventTime":%q,"eventSource":"bedrock.amazonaws.com","eventName":%q,"awsRegion":%q,"sourceIPAddress":%q,"userAgent":"aws-cli/2.15.0",`+
			`"eventID":"%s-%d","recipientAccountId":%q%s}`,
			user, account, account, user, at.Format(time.RFC3339), name, region, ip, region, n, account, errPart)
	}
	inv := func(at time.Time, region, user, model, errCode string, n int) string {
		errPart := ""
		if errCode != "" {
			errPart = fmt.Sprintf(`,"errorCode":%q`, errCode)
		}
		return fmt.Sprintf(`{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":%q,"accountId":%q,`+
			`"identity":{"arn":"arn:aws:sts::%s:assumed-role/app/%s"},"region":%q,"requestId":"%s-%d","operation":"InvokeModel","modelId":%q%s}`,
			at.Format(time.RFC3339), account, account, user, region, region, n, model, errPart)
	}
	n := 0
	for ri, region := range regions {
		for f := 0; f < 72; f++ {
			t0 := start.Add(time.Duration(f) * 5 * time.Minute)
			end := t0.Add(5 * time.Minute)
			var recs []string
			for i := 0; i < 5; i++ {
				n++
				recs = append(recs, ct(t0.Add(time.Duration(i)*time.Minute), region, "ListFoundationModels", fmt.Sprintf("dev%d", i), "10.0.0.1", "", n))
			}
			// Recon: in every other hour, a caller fails twelve times in
			// each region (the rule counts per region).
			if f%4 == ri && (f/12)%2 == 0 {
				for i := 0; i < 4; i++ {
					n++
					recs = append(recs, ct(t0.Add(time.Duration(40+i*50)*time.Second), region, "ListFoundationModels", fmt.Sprintf("recon%d", f/24), "203.0.113.9", "AccessDenied", n))
				}
			}
			total += len(recs)
			name := fmt.Sprintf("%s_CloudTrail_%s_%s_%04x.json.gz", account, region, end.Format("20060102T1504Z"), f)
			writeGzipFile(t, filepath.Join(root, "AWSLogs", account, "CloudTrail", region, end.Format("2006/01/02"), name),
				[]byte(`{"Records":[`+strings.Join(recs, ",")+`]}`))

			var lines []string
			for i := 0; i < 4; i++ {
				n++
				lines = append(lines, inv(t0.Add(time.Duration(i)*time.Minute), region, fmt.Sprintf("svc%d", i), "model-ok", "", n))
			}
			// Denials: two per region in one half hour, the same caller
			// and model in both regions; only together are they "> 3".
			if f%6 == 1 || f%6 == 3 {
				n++
				lines = append(lines, inv(t0.Add(time.Duration(90+ri*30)*time.Second), region, fmt.Sprintf("caller%d", f/6%5), fmt.Sprintf("model-%d", f/12), "AccessDeniedException", n))
			}
			total += len(lines)
			written := end.Add(-time.Duration(ri+1) * 17 * time.Second)
			invName := written.Format("20060102T150405") + "123Z_" + fmt.Sprintf("%016x", f*2+ri) + ".json.gz"
			writeGzipFile(t, filepath.Join(root, "AWSLogs", account, "BedrockModelInvocationLogs", region, written.Format("2006/01/02/15"), invName),
				[]byte(strings.Join(lines, "\n")+"\n"))
		}
	}
	// Three days later, one quiet event of each kind closes every window.
	late := start.Add(72 * time.Hour)
	n++
	writeGzipFile(t, filepath.Join(root, "AWSLogs", account, "CloudTrail", regions[0], late.Format("2006/01/02"),
		fmt.Sprintf("%s_CloudTrail_%s_%s_last.json.gz", account, regions[0], late.Format("20060102T1504Z"))),
		[]byte(`{"Records":[`+ct(late, regions[0], "ListFoundationModels", "dev0", "10.0.0.1", "", n)+`]}`))
	n++
	writeGzipFile(t, filepath.Join(root, "AWSLogs", account, "BedrockModelInvocationLogs", regions[0], late.Format("2006/01/02/15"),
		late.Format("20060102T150405")+"000Z_ffffffffffffffff.json.gz"),
		[]byte(inv(late, regions[0], "svc0", "model-ok", "", n)+"\n"))
	return total + 2
}

// metricValue sums the samples of a metric family on /metrics.
func (p *serveProc) metricValue(name string) float64 {
	resp, err := http.Get("http://" + p.addr + "/metrics")
	if err != nil {
		p.t.Fatalf("cannot read metrics: %v", err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		metric := line[:strings.LastIndexByte(line, ' ')]
		if metric == name || strings.HasPrefix(metric, name+"{") {
			v, _ := strconv.ParseFloat(line[len(metric)+1:], 64)
			sum += v
		}
	}
	return sum
}

// alertLines reads NDJSON alerts and returns, sorted, one line per alert
// of the given rules (all rules when none is given): the first eight
// characters of its rule id, its id, event count and group.
func alertLines(t *testing.T, ndjson []byte, rules ...string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(ndjson))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a struct {
			ID   string `json:"id"`
			Rule struct {
				ID string `json:"id"`
			} `json:"rule"`
			EventCount int             `json:"event_count"`
			Group      json.RawMessage `json:"group"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("cannot decode alert: %v\n%s", err, sc.Bytes())
		}
		if len(rules) == 0 || slices.Contains(rules, a.Rule.ID) {
			out = append(out, fmt.Sprintf("%.8s %s events=%d %s", a.Rule.ID, a.ID, a.EventCount, a.Group))
		}
	}
	sort.Strings(out)
	return out
}

// TestServeBackfillTwoRegions points serve at an existing tree laid out
// region by region and checks that no event arrives late and that the
// seed rules raise what hunt raises over the same tree.
func TestServeBackfillTwoRegions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	tree := t.TempDir()
	total := writeTwoRegionTree(t, tree)

	cmd := exec.Command(bin, "hunt", "--format", "ndjson", tree)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitAlert) {
		t.Fatalf("hunt: %v\n%s", err, stderr.String())
	}
	want := alertLines(t, out, seedESQL, seedSPL)
	perRule := map[string]int{}
	for _, l := range want {
		perRule[l[:8]]++
	}
	if perRule[seedESQL[:8]] == 0 || perRule[seedSPL[:8]] == 0 {
		t.Fatalf("hunt raised %v; the tree should make both seed rules fire, or the test proves nothing", want)
	}

	data := t.TempDir()
	p := startServe(t, bin, data, tree)
	if n := p.waitStable(total); n != total {
		t.Fatalf("serve processed %d events, want %d", n, total)
	}
	if late := p.metricValue("tripline_late_events_dropped_total"); late != 0 {
		t.Errorf("serve dropped %v late events from a backfill, want 0", late)
	}
	p.stop()
	listed, err := exec.Command(bin, "alerts", "list", "--data", data, "--format", "ndjson").Output()
	if err != nil {
		t.Fatalf("alerts list: %v", err)
	}
	got := alertLines(t, listed, seedESQL, seedSPL)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("serve over the backfill stored:\n  %s\nhunt raised:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
