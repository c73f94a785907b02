//go:build unix

package search

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockIndex takes an exclusive advisory lock on path (the file beside an
// index directory), without waiting: ErrLocked when another process
// holds it, told apart by the error the system returns (EWOULDBLOCK).
func lockIndex(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return f, nil
}
