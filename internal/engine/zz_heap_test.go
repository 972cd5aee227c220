package engine

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestZZHeapPeak(t *testing.T) {
	want := os.Getenv("ZZ_RULE")
	if want == "" {
		t.Skip()
	}
	var rs []*Compiled
	for _, c := range builtinRules(t) {
		if want == "all" || strings.Contains(c.Rule.Name, want) || (strings.HasPrefix(want, "-") && !strings.Contains(c.Rule.Name, want[1:])) {
			rs = append(rs, c)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var peak uint64
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Second):
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak {
				peak = ms.HeapAlloc
				f, _ := os.Create("/tmp/zzheap.pprof")
				pprof.WriteHeapProfile(f)
				f.Close()
				t.Logf("peak live heap %d MB", peak>>20)
			}
		}
	}()
	_, err := Hunt(context.Background(), rs, []string{os.Getenv("ZZ_DIR")}, HuntOptions{})
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkZZRule(b *testing.B) {
	want := os.Getenv("ZZ_RULE")
	var rs []*Compiled
	for _, c := range builtinRules(b) {
		if want == "all" || strings.Contains(c.Rule.Name, want) {
			rs = append(rs, c)
		}
	}
	for i := 0; i < b.N; i++ {
		if _, err := Hunt(context.Background(), rs, []string{os.Getenv("ZZ_DIR")}, HuntOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
