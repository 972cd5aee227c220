//go:build !unix

package datadir

import (
	"errors"
	"os"
)

// Elsewhere the directory is not locked: serve runs on Linux.
var errWouldBlock = errors.New("locked")

func flock(*os.File) error { return nil }
func funlock(*os.File)     {}
