package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds tripline once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tripline")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build tripline: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// writeInput writes files of invocation and CloudTrail records, five
// minutes each and in time order, with denial bursts for several callers
// spread so that alerts open, continue and close across files.
func writeInput(t *testing.T, dir string, files int) int {
	t.Helper()
	start := time.Date(2026, 10, 3, 6, 0, 0, 0, time.UTC) // older than a day: event time alone closes windows
	total := 0
	for f := 0; f < files; f++ {
		var b bytes.Buffer
		t0 := start.Add(time.Duration(f) * 5 * time.Minute)
		for i := 0; i < 30; i++ {
			at := t0.Add(time.Duration(i*10) * time.Second)
			fmt.Fprintf(&b, `{"eventVersion":"1.09","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.%d","userAgent":"boto3","userIdentity":{"type":"IAMUser","userName":"svc%d","accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/svc%d"},"eventID":"n-%d-%d","recipientAccountId":"111122223333"}`+"\n",
				at.Format(time.RFC3339), i%7, i%5, i%5, f, i)
			total++
		}
		for i := 0; i < 4; i++ {
			at := t0.Add(time.Duration(30+i*60) * time.Second)
			user := fmt.Sprintf("caller%d", (f/3)%4)
			fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/%s"},"region":"us-east-1","requestId":"d-%d-%d","operation":"InvokeModel","modelId":"model-%d","errorCode":"AccessDeniedException"}`+"\n",
				at.Format(time.RFC3339), user, f, i, f%2)
			total++
		}
		name := filepath.Join(dir, fmt.Sprintf("part-%03d.json", f))
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return total
}

type serveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	log  *lockedBuffer
}

// lockedBuffer is the serve process's stderr, written by exec's copying
// goroutine while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServeWith starts serve over data and watch, with extra flags, and
// waits until its API answers.
func startServeWith(t *testing.T, bin, data, watch string, extra ...string) *serveProc {
	t.Helper()
	addr := freePort(t)
	args := append([]string{"serve", "--data", data, "--watch", watch, "--listen", addr, "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TRIPLINE_POLL_INTERVAL=100ms", "TRIPLINE_CHECKPOINT_EVERY=0.2s")
	log := &lockedBuffer{}
	cmd.Stderr = log
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{t: t, cmd: cmd, addr: addr, log: log}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve did not come up: %s", log.String())
	return nil
}

func startServe(t *testing.T, bin, data, watch string) *serveProc {
	t.Helper()
	return startServeWith(t, bin, data, watch)
}

// events returns the events processed so far by this process.
func (p *serveProc) events() int {
	resp, err := http.Get("http://" + p.addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "tripline_events_total{") {
			f, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			n += int(f)
		}
	}
	return n
}

// waitStable waits until the processed count stops moving for a second.
func (p *serveProc) waitStable(min int) int {
	last, since := -1, time.Now()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		n := p.events()
		if n != last {
			last, since = n, time.Now()
		} else if n >= min && time.Since(since) > time.Second {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("processing did not settle (last count %d): %s", last, p.log.String())
	return 0
}

func (p *serveProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Fatalf("serve exited with %v: %s", err, p.log.String())
		}
	case <-time.After(20 * time.Second):
		p.t.Fatal("serve did not stop on SIGTERM")
	}
}

func storedAlerts(t *testing.T, bin, data string) []string {
	t.Helper()
	out, err := exec.Command(bin, "alerts", "list", "--data", data, "--format", "ndjson").Output()
	if err != nil {
		t.Fatalf("alerts list: %v", err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var a struct {
			ID         string          `json:"id"`
			EventCount int             `json:"event_count"`
			Group      json.RawMessage `json:"group"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s events=%d %s", a.ID, a.EventCount, a.Group))
	}
	sort.Strings(lines)
	return lines
}

// TestServeKillAndRestart kills serve with SIGKILL in the middle of its
// input, restarts it, and compares the stored alerts with those of an
// uninterrupted run over the same input: nothing lost, nothing twice.
func TestServeKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	input := t.TempDir()
	total := writeInput(t, input, 60)

	whole := t.TempDir()
	p := startServe(t, bin, whole, input)
	if n := p.waitStable(total); n != total {
		t.Fatalf("uninterrupted run processed %d events, want %d", n, total)
	}
	p.stop()
	want := storedAlerts(t, bin, whole)
	if len(want) == 0 {
		t.Fatal("the uninterrupted run raised no alerts; the test would prove nothing")
	}

	crashed := t.TempDir()
	p = startServe(t, bin, crashed, input)
	deadline := time.Now().Add(30 * time.Second)
	for p.events() < total/3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := p.events(); n >= total {
		t.Logf("warning: the kill came after all %d events were processed", n)
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p = startServe(t, bin, crashed, input)
	p.waitStable(1)
	p.stop()
	got := storedAlerts(t, bin, crashed)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after kill -9 and restart:\n  %s\nuninterrupted:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestServeIngestAndAPI posts records to the ingest endpoint and reads the
// alert back through the API and the CLI; the alert's log drilldown runs
// over the event archive, before and after a restart.
func TestServeIngestAndAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data, watch := t.TempDir(), t.TempDir()
	p := startServe(t, bin, data, watch)
	var body bytes.Buffer
	at := time.Date(2026, 10, 3, 6, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&body, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/x"},"region":"us-east-1","requestId":"r%d","operation":"InvokeModel","modelId":"m1","errorCode":"AccessDeniedException"}`+"\n",
			at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
		if i > 0 { // and four other models, for the rule on their variety
			fmt.Fprintf(&body, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/x"},"region":"us-east-1","requestId":"v%d","operation":"InvokeModel","modelId":"m%d","errorCode":"AccessDeniedException"}`+"\n",
				at.Add(time.Duration(i)*time.Minute+30*time.Second).Format(time.RFC3339), i, i+1)
		}
	}
	// A later record closes the windows that hold the burst.
	fmt.Fprintf(&body, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:iam::111122223333:user/y"},"region":"us-east-1","requestId":"late","operation":"InvokeModel","modelId":"m2"}`+"\n",
		at.Add(3*time.Hour).Format(time.RFC3339))
	sent := body.String()
	resp, err := http.Post("http://"+p.addr+"/api/v1/ingest", "application/x-ndjson", &body)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Accepted, Bad int }
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || res.Accepted != 10 {
		t.Fatalf("ingest answered %d with %+v", resp.StatusCode, res)
	}
	p.waitStable(10)
	// The same body again: the engine has read it, and the answer says so.
	resp, err = http.Post("http://"+p.addr+"/api/v1/ingest", "application/x-ndjson", strings.NewReader(sent))
	if err != nil {
		t.Fatal(err)
	}
	var again struct{ Accepted, Duplicates int }
	json.NewDecoder(resp.Body).Decode(&again)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || again.Accepted != 0 || again.Duplicates != 10 {
		t.Errorf("the same body again: %d %+v, want 202 with 10 duplicates", resp.StatusCode, again)
	}
	alertOf(t, p.addr, "?severity=high", "Denied Models")
	variety := alertOf(t, p.addr, "", "Access Denied Across Many Models")
	if rows := drilldownRows(t, p.addr, variety, 2); rows != 9 {
		t.Errorf("the denials drilldown over the archive gave %d rows, want one per model and minute (9)\n%s", rows, p.log.String())
	}
	out, err := exec.Command(bin, "risk", "--data", data, "--since", "10000h", "--format", "json").Output()
	if err != nil || !strings.Contains(string(out), "arn:aws:iam::111122223333:user/x") {
		t.Errorf("risk does not show the caller: %v %s", err, out)
	}
	p.stop()
	p = startServe(t, bin, data, watch)
	if rows := drilldownRows(t, p.addr, variety, 2); rows != 9 {
		t.Errorf("after a restart the denials drilldown gave %d rows, want 9\n%s", rows, p.log.String())
	}
	p.stop()
}

// alertOf returns the id of the first alert the API lists (with the
// filters of query) of a rule whose name contains name.
func alertOf(t *testing.T, addr, query, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/api/v1/alerts"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Alerts []struct {
			ID   string `json:"id"`
			Rule struct {
				Name string `json:"name"`
			} `json:"rule"`
		} `json:"alerts"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	for _, a := range list.Alerts {
		if strings.Contains(a.Rule.Name, name) {
			return a.ID
		}
	}
	t.Fatalf("no alert of %q in %+v", name, list)
	return ""
}

// drilldownRows runs drilldown n of an alert through the API and counts
// its rows.
func drilldownRows(t *testing.T, addr, id string, n int) int {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://%s/api/v1/alerts/%s/drilldowns/%d", addr, id, n))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Rows []json.RawMessage `json:"rows"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &res) != nil {
		t.Fatalf("drilldown %d of %s: %d %s", n, id, resp.StatusCode, b)
	}
	return len(res.Rows)
}

// Gzip bodies that inflate far past the body limit (a few hundred KB that
// would become gigabytes) are cut off as they stream: four at once leave
// serve small, answering 413, and still serving.
func TestServeSurvivesGzipBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	p := startServe(t, bin, t.TempDir(), t.TempDir())
	defer p.stop()
	// 1 GiB of one record repeated compresses to about a megabyte.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	line := []byte(`{"eventVersion":"1.08","eventTime":"2026-10-03T06:00:00Z","eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","eventID":"bomb"}` + "\n")
	block := bytes.Repeat(line, (1<<20)/len(line))
	for written := 0; written < 1<<30; written += len(block) {
		zw.Write(block)
	}
	zw.Close()
	body := gz.Bytes()
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v1/ingest", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-ndjson")
			req.Header.Set("Content-Encoding", "gzip")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusRequestEntityTooLarge {
			t.Errorf("bomb %d: %d, want 413", i, c)
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("cannot read the process's peak memory: %v", err)
	}
	var peakKB int
	for _, ln := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(ln, "VmHWM:") {
			fmt.Sscan(strings.TrimPrefix(ln, "VmHWM:"), &peakKB)
		}
	}
	t.Logf("%d KB gzip bodies inflating to 1 GiB, four at once: serve peaked at %d MB", len(body)>>10, peakKB>>10)
	if peakKB == 0 || peakKB > 400<<10 {
		t.Errorf("serve peaked at %d MB, want under 400", peakKB>>10)
	}
	resp, err := http.Get("http://" + p.addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("serve is not healthy after the bombs: %v %v", err, resp)
	}
}

// A second serve on the same data directory stops at once and says who
// holds it, instead of reading the same spool and notifying twice.
func TestServeRefusesASecondProcessOnItsData(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data, t.TempDir())
	defer p.stop()
	out, err := exec.Command(bin, "serve", "--data", data, "--watch", t.TempDir(), "--listen", freePort(t)).CombinedOutput()
	if err == nil {
		t.Fatalf("the second serve ran:\n%s", out)
	}
	if !strings.Contains(string(out), "data directory in use") || !strings.Contains(string(out), strconv.Itoa(p.cmd.Process.Pid)) {
		t.Errorf("the second serve does not say the data is in use by process %d:\n%s", p.cmd.Process.Pid, out)
	}
}

// Ctrl-C stops hunt with "interrupted" and the shell's status 130, here
// while it reads a stream that has not ended.
func TestHuntInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "hunt", "--format", "ndjson", "-")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	go func() {
		at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			fmt.Fprintf(in, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"1","identity":{"arn":"arn:aws:iam::1:user/x"},"region":"us-east-1","requestId":"r%d","operation":"InvokeModel","modelId":"m1"}`+"\n",
				at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i)
		}
	}()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("hunt did not stop within 10s of Ctrl-C")
	}
	close(stop)
	in.Close()
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d (%v), stderr %q; want 130 and \"interrupted\"", code, err, stderr.String())
	}
}

// TestServeCrashLoop kills serve with SIGKILL twenty times at random
// moments while it reads a watched directory and ingested bodies, then
// lets it finish: the stored alerts are those of a run never interrupted.
func TestServeCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	input := t.TempDir()
	total := writeInput(t, input, 40)
	// Ingest bodies: the same shape with ids of their own.
	spare := t.TempDir()
	writeInput(t, spare, 20)
	var bodies [][]byte
	files, _ := filepath.Glob(filepath.Join(spare, "*.json"))
	sort.Strings(files)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte(`"n-`), []byte(`"in-`)), []byte(`"d-`), []byte(`"id-`))
		b = bytes.ReplaceAll(b, []byte("caller"), []byte("poster"))
		// A day after the directory's logs: a stream that starts when the
		// directory's windows have been evaluated would have its events
		// counted late (and reported), which is not what this test is about.
		b = bytes.ReplaceAll(b, []byte("2026-10-03T"), []byte("2026-10-04T"))
		bodies = append(bodies, b)
		total += bytes.Count(b, []byte("\n"))
	}
	post := func(p *serveProc, body []byte) bool {
		resp, err := http.Post("http://"+p.addr+"/api/v1/ingest?stream=shipper", "application/x-ndjson", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	}

	whole := t.TempDir()
	p := startServe(t, bin, whole, input)
	for _, b := range bodies {
		for !post(p, b) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if n := p.waitStable(total); n != total {
		t.Fatalf("uninterrupted run processed %d events, want %d", n, total)
	}
	p.stop()
	want := storedAlerts(t, bin, whole)
	if len(want) < 3 {
		t.Fatalf("the uninterrupted run raised %d alerts; the test would prove little", len(want))
	}

	crashed := t.TempDir()
	notices := filepath.Join(t.TempDir(), "notices.ndjson")
	rng := rand.New(rand.NewPCG(7, 11))
	next, kills := 0, 0
	for ; kills < 20; kills++ {
		p = startServeWith(t, bin, crashed, input, "--sink", "file:"+notices)
		// Post a body or two, then kill at a random moment while the
		// engine reads them and the directory.
		// The last body is kept for the final process, which must have
		// something of its own to process before the test reads the
		// store: the killed ones may have finished everything else.
		for k := 0; k < 2 && next < len(bodies)-1; k++ {
			if post(p, bodies[next]) {
				next++
			}
		}
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
	p = startServeWith(t, bin, crashed, input, "--sink", "file:"+notices)
	for next < len(bodies) {
		if post(p, bodies[next]) {
			next++
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	p.waitStable(1)
	p.stop()
	got := storedAlerts(t, bin, crashed)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after %d kills:\n  %s\nuninterrupted:\n  %s", kills, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// No notice was posted twice: what the sinks were sent is recorded
	// before it is sent, so alerts raised again on replay stay quiet.
	data, err := os.ReadFile(notices)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, ln := range lines {
		var n struct {
			ID         string `json:"id"`
			Update     bool   `json:"update"`
			EventCount int    `json:"event_count"`
		}
		if err := json.Unmarshal([]byte(ln), &n); err != nil {
			continue // a line cut by a kill
		}
		key := fmt.Sprintf("%s update=%v events=%d", n.ID, n.Update, n.EventCount)
		if !n.Update {
			key = n.ID + " new"
		}
		if seen[key] {
			t.Errorf("notified twice: %s", key)
		}
		seen[key] = true
	}
	if len(seen) == 0 {
		t.Error("no notice was written; the check proves nothing")
	}
}

// demo --ui generates the story and serves it: the web UI answers at the
// address it prints, and the planted alerts reach it as serve reads the
// logs.
func TestDemoUI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	addr := freePort(t)
	cmd := exec.Command(bin, "demo", "--ui", "--listen", addr, "--keep", t.TempDir())
	log := &lockedBuffer{}
	cmd.Stderr, cmd.Stdout = log, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second)
	alerts := 0
	for time.Now().Before(deadline) && alerts == 0 {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/api/v1/alerts")
		if err != nil {
			continue
		}
		var list struct{ Alerts []json.RawMessage }
		json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		alerts = len(list.Alerts)
	}
	if alerts == 0 {
		t.Fatalf("no alert reached serve within 90s:\n%s", log.String())
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "AWS Bedrock") {
		t.Errorf("the UI's queue: %d, %d bytes, no alert of the pack in it", resp.StatusCode, len(page))
	}
	if !strings.Contains(log.String(), "serving the web UI at http://"+addr+"/") {
		t.Errorf("demo --ui does not print the address:\n%s", log.String())
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil && !strings.Contains(err.Error(), "exit status 130") {
		t.Errorf("demo --ui did not stop cleanly on Ctrl-C: %v\n%s", err, log.String())
	}
}
