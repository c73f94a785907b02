package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/banmian/banmian/internal/store"
)

// runBackup copies the editorial store to a file: banmian backup -data DIR
// -o FILE. The copy is consistent and is itself a data file: restore it by
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
	if *out == "-" {
		_, err := store.BackupFile(path, env.Stdout, 0)
		return err
	}
	// Write beside the target and rename, so FILE is never half written.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".banmian-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := store.BackupFile(path, tmp, 0)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
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
