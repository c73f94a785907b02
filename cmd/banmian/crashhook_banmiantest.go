//go:build banmiantest

package main

import (
	"fmt"
	"os"
	"time"
)

// In the test build, $BANMIAN_TEST_CRASH_AT names a publish step (files,
// build, index, store or committed): the server prints a line naming it
// to standard error when a publish reaches it and stops there, so the test
// can kill the process with SIGKILL at exactly that point. After 30
// seconds it exits with status 137 itself.
//
// It also prints a line to standard error when the search index has caught
// up with the site after the start (see indexSyncedHook).
func init() {
	indexSyncedHook = func(err error) {
		fmt.Fprintf(os.Stderr, "BANMIAN_TEST: search index synced (err %v)\n", err)
	}
	at := os.Getenv("BANMIAN_TEST_CRASH_AT")
	if at == "" {
		return
	}
	publishHook = func(step string) error {
		if step == at {
			fmt.Fprintf(os.Stderr, "BANMIAN_TEST_CRASH_AT: reached %s, waiting to be killed\n", step)
			time.Sleep(30 * time.Second)
			os.Exit(137)
		}
		return nil
	}
}
