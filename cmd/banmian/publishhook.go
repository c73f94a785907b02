package main

// publishHook is passed to the server as its publish step hook. It is nil
// in a normal build; the banmiantest build (crashhook_banmiantest.go) sets
// it for the kill -9 crash test.
var publishHook func(step string) error

// indexSyncedHook is called when serve's background sync of the search
// index at start-up ends, with its error. It is nil in a normal build; the
// banmiantest build sets it so the crash test waits for the sync instead
// of polling the index.
var indexSyncedHook func(err error)
