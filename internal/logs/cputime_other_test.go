//go:build !unix

package logs

import "time"

// cpuTime is not measured here; the benchmark then skips records/cpu-s.
func cpuTime() time.Duration { return 0 }
