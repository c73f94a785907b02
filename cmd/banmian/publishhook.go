package main

// publishHook is passed to the server as its publish step hook. It is nil
// in a normal build; the banmiantest build (crashhook_banmiantest.go) sets
// it for the kill -9 crash test.
var publishHook func(step string) error
