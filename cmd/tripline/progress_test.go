package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/logs"
)

func TestProgressText(t *testing.T) {
	p := &logs.Progress{}
	p.Files.Store(40)
	p.FilesDone.Store(12)
	p.Bytes.Store(1000 << 20)
	p.BytesRead.Store(250 << 20)
	p.Records.Store(300000)
	pl := &progressLine{p: p}
	got := pl.text(5 * time.Second)
	for _, want := range []string{"read 12/40 files", "250 MB of 1000 MB (25%)", "50 MB/s", "60000 records/s", "about 15s left"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}

// The line redraws in place and is cleared when the read ends, so the
// summary that follows starts on a clean line.
func TestProgressClearsItsLine(t *testing.T) {
	var buf bytes.Buffer
	p := &logs.Progress{}
	p.Files.Store(1)
	pl := startProgress(&buf, p, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	pl.Stop()
	out := buf.String()
	if !strings.HasPrefix(out, "\r\x1b[Kread 0/1 files") || !strings.HasSuffix(out, "\r\x1b[K") || strings.Contains(out, "\n") {
		t.Errorf("progress output %q", out)
	}
}

// Off the terminal there is no progress line: a pipe or a file gets
// only the summary.
func TestNoProgressOffTerminal(t *testing.T) {
	_, _, stderr := runCLI(t, "", "hunt", "--format", "ndjson", denials(t))
	if strings.Contains(stderr, "\r") || strings.Contains(stderr, "read 0/") {
		t.Errorf("progress on a non-terminal: %q", stderr)
	}
}
