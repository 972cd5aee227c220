package generate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Day writes one day of CloudTrail and Bedrock invocation logs under
// opt.Out in the S3 layout AWS delivers, and expected.ndjson beside them,
// one Expected per line. The same Options give byte-identical files.
func Day(opt Options) (Summary, error) {
	return day(opt, 1)
}

// day is Day with a multiplier of benign volume below Scale's granularity,
// so that tests can make a small but complete day.
func day(opt Options, benign float64) (Summary, error) {
	return write(opt, benign, (*world).plant)
}

// write generates a day whose planted records come from plant, with benign
// volume multiplied by benign (and by Options.Scale and Background).
func write(opt Options, benign float64, plant func(*world, time.Time) *planted) (Summary, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	w := newWorld(opt.Seed, opt.Account, opt.Principals, benign*float64(opt.Scale)*opt.Background)
	pl := plant(w, opt.Day)
	g := &dayGen{w: w, day: opt.Day, out: opt.Out, pl: pl}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("cannot create output directory: %w", err)
	}
	if err := g.run(); err != nil {
		return Summary{}, err
	}
	sum := Summary{
		Files:             int(g.files.Load()),
		CloudTrailRecords: int(g.ctRecords.Load()),
		InvocationRecords: int(g.invRecords.Load()),
		Expected:          pl.expected,
	}
	if err := writeExpected(filepath.Join(opt.Out, "expected.ndjson"), pl.expected); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func writeExpected(path string, exp []Expected) error {
	var b []byte
	for _, e := range exp {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("cannot encode expected alert: %w", err)
		}
		b = append(append(b, line...), '\n')
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("cannot write expected alerts: %w", err)
	}
	return nil
}

// dayGen runs the per-file jobs of one day.
type dayGen struct {
	w   *world
	day time.Time
	out string
	pl  *planted

	files, ctRecords, invRecords atomic.Int64
}

type job struct {
	inv          bool
	region, slot int
}

// worker holds buffers reused from file to file.
type worker struct {
	buf  []byte
	gz   *gzip.Writer
	bw   *bufio.Writer
	evs  []ctEvent
	mask []int
	dirs map[string]bool // directories already created
}

func (g *dayGen) run() error {
	var jobs []job
	for s := range slotsPerDay {
		for r := range regions {
			jobs = append(jobs, job{region: r, slot: s})
		}
		for _, r := range bedrockRegions {
			jobs = append(jobs, job{inv: true, region: r, slot: s})
		}
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool
	)
	n := min(runtime.GOMAXPROCS(0), 8)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{bw: bufio.NewWriterSize(nil, 256<<10), dirs: map[string]bool{}}
			gz, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
			wk.gz = gz
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				var err error
				if jobs[i].inv {
					err = g.invocationFile(wk, jobs[i].region, jobs[i].slot)
				} else {
					err = g.cloudTrailFiles(wk, jobs[i].region, jobs[i].slot)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// slotEvents appends the CloudTrail events of one region and slot, sorted
// by time: benign calls, mirrored model invocations and planted records.
func (w *world) slotEvents(evs []ctEvent, x *renderer, day time.Time, region, slot int, pl *planted) []ctEvent {
	start := day.Add(time.Duration(slot*slotSeconds) * time.Second)
	for _, p := range w.ps {
		share := p.shares[region]
		if share == 0 {
			continue
		}
		n := poisson(x.r, p.rate*w.benign*p.curve[slot]*share)
		for range n {
			t := start.Add(time.Duration(x.r.IntN(slotSeconds)) * time.Second)
			evs = append(evs, x.benign(p, region, t))
		}
	}
	var plantedInv []invDesc
	if pl != nil {
		evs = append(evs, pl.ct[slotKey(region, slot)]...)
		plantedInv = pl.inv[slotKey(region, slot)]
	}
	if slices.Contains(bedrockRegions, region) {
		for _, d := range w.planInvocations(day, region, slot, plantedInv) {
			evs = append(evs, ctEventFor(&d))
		}
	}
	slices.SortStableFunc(evs, func(a, b ctEvent) int { return a.t.Compare(b.t) })
	return evs
}

const recordsPerFile = 400

// cloudTrailFiles writes the CloudTrail delivery files of one region and
// slot. A busy slot is split over several files, as CloudTrail does.
func (g *dayGen) cloudTrailFiles(wk *worker, region, slot int) error {
	w := g.w
	r := newRand(w.seed, tagCloudTrail, uint64(region), uint64(slot))
	x := newRenderer(w, g.day, r)
	wk.evs = w.slotEvents(wk.evs[:0], x, g.day, region, slot, g.pl)
	if len(wk.evs) == 0 {
		return nil
	}
	nfiles := 1 + len(wk.evs)/recordsPerFile
	wk.mask = wk.mask[:0]
	for range wk.evs {
		wk.mask = append(wk.mask, r.IntN(nfiles))
	}
	end := g.day.Add(time.Duration((slot+1)*slotSeconds) * time.Second)
	for f := range nfiles {
		b := append(wk.buf[:0], `{"Records":[`...)
		n := 0
		for i := range wk.evs {
			if wk.mask[i] != f {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			b = x.render(b, &wk.evs[i])
			n++
		}
		b = append(b, "]}\n"...)
		wk.buf = b
		if n == 0 {
			continue
		}
		name := make([]byte, 0, 128)
		name = append(name, w.account...)
		name = append(name, "_CloudTrail_"...)
		name = append(name, regions[region]...)
		name = append(name, '_')
		name = end.AppendFormat(name, "20060102T1504Z")
		name = append(name, '_')
		name = appendFrom(name, r, alnum, 16)
		name = append(name, ".json.gz"...)
		dir := filepath.Join(g.out, "AWSLogs", w.account, "CloudTrail", regions[region], end.Format("2006/01/02"))
		if err := wk.writeGzip(dir, string(name), b); err != nil {
			return err
		}
		g.files.Add(1)
		g.ctRecords.Add(int64(n))
	}
	return nil
}

// invocationFile writes the model invocation log file of one region and slot.
func (g *dayGen) invocationFile(wk *worker, region, slot int) error {
	w := g.w
	descs := w.planInvocations(g.day, region, slot, g.pl.inv[slotKey(region, slot)])
	if len(descs) == 0 {
		return nil
	}
	r := newRand(w.seed, tagInvocationBody, uint64(region), uint64(slot))
	b := wk.buf[:0]
	for i := range descs {
		b = w.appendInvocation(b, r, &descs[i])
		b = append(b, '\n')
	}
	wk.buf = b
	t := g.day.Add(time.Duration((slot+1)*slotSeconds)*time.Second - time.Duration(1+r.IntN(999))*time.Millisecond)
	name := make([]byte, 0, 64)
	name = t.AppendFormat(name, "20060102T150405.000Z")
	name = append(name[:15], name[16:]...) // drop the dot: 20261121T101459123Z
	name = append(name, '_')
	name = appendHex(name, r.Uint64(), 16)
	name = append(name, ".json.gz"...)
	dir := filepath.Join(g.out, "AWSLogs", w.account, "BedrockModelInvocationLogs", regions[region], t.Format("2006/01/02/15"))
	if err := wk.writeGzip(dir, string(name), b); err != nil {
		return err
	}
	g.files.Add(1)
	g.invRecords.Add(int64(len(descs)))
	return nil
}

// writeGzip writes data gzip-compressed to dir/name.
func (wk *worker) writeGzip(dir, name string, data []byte) error {
	if !wk.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot create log directory: %w", err)
		}
		wk.dirs[dir] = true
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot create log file: %w", err)
	}
	wk.bw.Reset(f)
	wk.gz.Reset(wk.bw)
	_, err = wk.gz.Write(data)
	if err == nil {
		err = wk.gz.Close()
	}
	if err == nil {
		err = wk.bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write log file %s: %w", path, err)
	}
	return nil
}

// CloudTrailRecords writes n benign CloudTrail records to out, one JSON
// object per line, with the variety of a generated day (several regions,
// principals, services, user agents and benign errors). It is meant for
// benchmarks; the records contain no planted attacks. The same n and seed
// give the same bytes.
func CloudTrailRecords(n int, seed int64, out io.Writer) error {
	if n <= 0 {
		return nil
	}
	w := newWorld(seed, DefaultAccount, DefaultPrincipals, 1)
	bw := bufio.NewWriterSize(out, 256<<10)
	var evs []ctEvent
	var b []byte
	written := 0
	for d := 0; written < n; d++ {
		day := DefaultDay.AddDate(0, 0, d)
		for slot := 0; slot < slotsPerDay && written < n; slot++ {
			for region := 0; region < len(regions) && written < n; region++ {
				r := newRand(seed, tagBench, uint64(d), uint64(region), uint64(slot))
				x := newRenderer(w, day, r)
				evs = w.slotEvents(evs[:0], x, day, region, slot, nil)
				for i := 0; i < len(evs) && written < n; i++ {
					b = x.render(b[:0], &evs[i])
					b = append(b, '\n')
					if _, err := bw.Write(b); err != nil {
						return fmt.Errorf("cannot write CloudTrail records: %w", err)
					}
					written++
				}
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cannot write CloudTrail records: %w", err)
	}
	return nil
}
