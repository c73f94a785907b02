//go:build race

package server

// raceEnabled: the race detector slows code down 5-10 times, so tests
// that bound time scale their inputs to it.
const raceEnabled = true
