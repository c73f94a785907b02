//go:build unix

package site

import "syscall"

// syncFS flushes the file system caches to disk.
func syncFS() { syscall.Sync() }
