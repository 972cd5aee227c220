package main

import (
	"fmt"
	"io"
	"time"

	"github.com/tripline/tripline/internal/logs"
)

// progressLine shows, on one line of a terminal, how far a read has got:
// files and bytes, records a second and the time left at that rate. It
// redraws every tick until stopped, then clears its line.
type progressLine struct {
	w     io.Writer // the terminal, unwrapped: the line is ours alone
	p     *logs.Progress
	start time.Time
	stop  chan struct{}
	done  chan struct{}
}

func startProgress(w io.Writer, p *logs.Progress, every time.Duration) *progressLine {
	pl := &progressLine{w: w, p: p, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(pl.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-pl.stop:
				fmt.Fprint(pl.w, "\r\x1b[K")
				return
			case <-t.C:
				fmt.Fprint(pl.w, "\r\x1b[K"+pl.text(time.Since(pl.start)))
			}
		}
	}()
	return pl
}

// Stop clears the line; the summary takes its place.
func (pl *progressLine) Stop() {
	close(pl.stop)
	<-pl.done
}

// text renders the line after elapsed: "read 12/40 files, 310 MB of
// 1.2 GB (26%), 48 MB/s, 61,000 records/s, about 19s left".
func (pl *progressLine) text(elapsed time.Duration) string {
	files, done := pl.p.Files.Load(), pl.p.FilesDone.Load()
	total, read := pl.p.Bytes.Load(), pl.p.BytesRead.Load()
	s := fmt.Sprintf("read %d/%d files, %s", done, files, megabytes(read))
	if total > 0 {
		s += fmt.Sprintf(" of %s (%d%%)", megabytes(total), min(100, read*100/total))
	}
	if secs := elapsed.Seconds(); secs > 0 && read > 0 {
		rate := float64(read) / secs
		s += fmt.Sprintf(", %s/s", megabytes(int64(rate)))
		if recs := pl.p.Records.Load(); recs > 0 {
			s += fmt.Sprintf(", %d records/s", int64(float64(recs)/secs))
		}
		if left := total - read; total > 0 && left > 0 {
			s += fmt.Sprintf(", about %s left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	return s
}

func megabytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}
