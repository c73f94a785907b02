package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/banmian/banmian/internal/store"
)

// runBackup copies the editorial store to a file: banmian backup -data DIR
// -o FILE, through banmian serve's admin socket while it runs, or from the
// file. The copy is consistent and is itself a data file: restore it by
// putting it in place of DIR/banmian.db while the server is stopped.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "backup", "[-data DIR] -o FILE")
	data := fs.String("data", "data", "data `DIR` (the editorial store)")
	out := fs.String("o", "", "write the backup to `FILE` (\"-\" for stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usageError("-o FILE is required")
	}
	path := store.DataFile(*data)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no data file at %s: %w", path, err)
	}
	// Through the running server's admin socket, or from the file.
	s, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "-" {
		_, err := s.Backup(env.Stdout)
		return err
	}
	// Write beside the target and rename, so FILE is never half written.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".banmian-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := s.Backup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The copy must open as a data file before it replaces FILE.
		var b *store.Store
		if b, err = store.Open(tmp.Name(), store.Options{ReadOnly: true}); err == nil {
			_, err = b.Schema()
			b.Close()
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stderr, "backed up %s to %s (%d bytes)\n", path, *out, n)
	return nil
}
