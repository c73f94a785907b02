//go:build !unix

package search

import "os"

// lockIndex does nothing where flock is missing: bleve's own lock (a
// timeout opening its root file) still keeps a second process out.
func lockIndex(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}
