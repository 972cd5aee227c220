//go:build !unix

package source

import "io/fs"

// inode returns 0: the platform gives no inode to tell files apart.
func inode(fs.FileInfo) uint64 { return 0 }
