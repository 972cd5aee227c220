package generate

import (
	"fmt"
	"os"
	"path/filepath"
)

// BenchDays describes the generated days the engine's benchmarks and the
// DuckDB comparison in bench/ run over: N consecutive days from
// DefaultDay (day i seeded i+1), one folder per day, kept in the temp
// directory so that a machine generates them once.
type BenchDays struct {
	N          int
	Principals int
	Background float64
}

// Dir is where the days are kept.
func (b BenchDays) Dir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("tripline-bench-days-%d-%d-v1", b.Principals, b.N))
}

// Ready reports whether the days were written in full: the marker is
// written last.
func (b BenchDays) Ready() bool {
	_, err := os.Stat(filepath.Join(b.Dir(), "done"))
	return err == nil
}

// Ensure writes the days unless they are ready, into a temporary folder
// renamed into place at the end, and returns their directory.
func (b BenchDays) Ensure() (string, error) {
	dir := b.Dir()
	if b.Ready() {
		return dir, nil
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	for i := 0; i < b.N; i++ {
		day := DefaultDay.AddDate(0, 0, i)
		_, err := Day(Options{
			Out: filepath.Join(tmp, day.Format("2006-01-02")), Seed: int64(i + 1), Day: day,
			Principals: b.Principals, Background: b.Background,
		})
		if err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "done"), nil, 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}
