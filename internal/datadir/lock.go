// Package datadir guards serve's data directory: one process at a time
// may use it, since two would read the same spool and watched files,
// checkpoint over each other and notify every alert twice. It imports the
// standard library only.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked is returned by Lock when another process holds the directory.
var ErrLocked = errors.New("data directory in use")

// Lock takes the data directory dir for this process until release is
// called or the process ends (the kernel drops the lock of a killed
// process, so a crash never leaves the directory locked). When another
// process holds it the error wraps ErrLocked and names that process.
func Lock(dir string) (release func(), err error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			} else {
				who = "process " + who
			}
			return nil, fmt.Errorf("%w: %s is serving from %s; stop it, or give this one another --data", ErrLocked, who, dir)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		f.Truncate(0)
		funlock(f)
		f.Close()
	}, nil
}
