package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/testpg"
)

// copyFiles copies the regular files of src into dst.
func copyFiles(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeOwnInput writes a denial burst of one caller, seen by one instance
// only, and a record a day after the shared input that closes every
// window. It returns the number of records.
func writeOwnInput(t *testing.T, dir, caller string) int {
	t.Helper()
	at := time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC) // after the shared input: delivered last, in time order
	var b bytes.Buffer
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/%s"},"region":"us-east-1","requestId":"%s-%d","operation":"InvokeModel","modelId":"model-x","errorCode":"AccessDeniedException"}`+"\n",
			at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), caller, caller, i)
	}
	fmt.Fprintf(&b, `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/quiet"},"region":"us-east-1","requestId":"%s-last","operation":"InvokeModel","modelId":"model-x"}`+"\n",
		at.Add(24*time.Hour).Format(time.RFC3339), caller)
	if err := os.WriteFile(filepath.Join(dir, "zz-own.json"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return 6
}

// huntAlerts runs hunt over dir and returns its alerts as alertLines does.
func huntAlerts(t *testing.T, bin, dir string) []string {
	t.Helper()
	cmd := exec.Command(bin, "hunt", "--format", "ndjson", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitAlert) {
		t.Fatalf("hunt: %v\n%s", err, stderr.String())
	}
	return alertLines(t, out)
}

// TestServePostgresShared runs two serve instances on one PostgreSQL store
// over watch directories that share most of their input: every alert is
// stored once under its content id, the alerts of both instances are
// there, and tripline alerts list reads them from the shared store.
func TestServePostgresShared(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and PostgreSQL")
	}
	dsn := testpg.StartPostgres(t)
	bin := buildBinary(t)
	shared, dirA, dirB := t.TempDir(), t.TempDir(), t.TempDir()
	common := writeInput(t, shared, 24)
	copyFiles(t, shared, dirA)
	copyFiles(t, shared, dirB)
	totalA := common + writeOwnInput(t, dirA, "only-a")
	totalB := common + writeOwnInput(t, dirB, "only-b")

	// What each instance should raise on its own, as hunt raises it.
	want := map[string]bool{}
	for _, dir := range []string{dirA, dirB} {
		for _, l := range huntAlerts(t, bin, dir) {
			want[l] = true
		}
	}
	wantLines := make([]string, 0, len(want))
	for l := range want {
		wantLines = append(wantLines, l)
	}
	sort.Strings(wantLines)
	for _, who := range []string{"only-a", "only-b", "caller0"} {
		if !strings.Contains(strings.Join(wantLines, "\n"), "assumed-role/app/"+who) {
			t.Fatalf("hunt raised no alert for %s; the test would prove nothing:\n%s", who, strings.Join(wantLines, "\n"))
		}
	}

	dataA := t.TempDir()
	a := startServeWith(t, bin, dataA, dirA, "--store", dsn)
	b := startServeWith(t, bin, t.TempDir(), dirB, "--store", dsn)
	if n := a.waitStable(totalA); n != totalA {
		t.Errorf("instance A processed %d events, want %d", n, totalA)
	}
	if n := b.waitStable(totalB); n != totalB {
		t.Errorf("instance B processed %d events, want %d", n, totalB)
	}
	a.stop()
	b.stop() // B checkpoints last

	// A restarts from its own checkpoint, not B's: it reads only what was
	// added to its directory since.
	later := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	var more bytes.Buffer
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&more, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/later-a"},"region":"us-east-1","requestId":"later-%d","operation":"InvokeModel","modelId":"model-x","errorCode":"AccessDeniedException"}`+"\n",
			later.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
	}
	fmt.Fprintf(&more, `{"schemaType":"ModelInvocationLog","timestamp":%q,"accountId":"111122223333","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/quiet"},"region":"us-east-1","requestId":"later-last","operation":"InvokeModel","modelId":"model-x"}`+"\n",
		later.Add(24*time.Hour).Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(dirA, "zzz-later.json"), more.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	moreDir := t.TempDir()
	copyFiles(t, dirA, moreDir)
	for _, l := range huntAlerts(t, bin, moreDir) {
		if strings.Contains(l, "later-a") {
			wantLines = append(wantLines, l)
		}
	}
	sort.Strings(wantLines)
	a = startServeWith(t, bin, dataA, dirA, "--store", dsn)
	if n := a.waitStable(6); n != 6 {
		t.Errorf("instance A restarted processed %d events, want the 6 added since it stopped", n)
	}
	if late := a.metricValue("tripline_late_events_dropped_total"); late != 0 {
		t.Errorf("instance A restarted dropped %v late events, want 0", late)
	}
	a.stop()

	out, err := exec.Command(bin, "alerts", "list", "--store", dsn, "--format", "ndjson").Output()
	if err != nil {
		t.Fatalf("alerts list --store: %v", err)
	}
	all := alertLines(t, out)
	var got []string
	ids := map[string]int{}
	for _, l := range all {
		f := strings.Fields(l)
		ids[f[1]]++
		if !strings.HasPrefix(engine.RiskRuleID, f[0]) { // hunt raises no risk incidents
			got = append(got, l)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("alert %s listed %d times", id, n)
		}
	}
	if strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("the shared store holds:\n  %s\nthe instances' inputs raise (hunt):\n  %s", strings.Join(got, "\n  "), strings.Join(wantLines, "\n  "))
	}
}
