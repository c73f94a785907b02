package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $BANMIAN_CPUPROFILE and a heap
// profile to $BANMIAN_MEMPROFILE, when set, for measuring what users run
// (go tool pprof). The returned function stops them.
func startProfiles() (stop func()) {
	var stops []func()
	if p := os.Getenv("BANMIAN_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		} else {
			fmt.Fprintf(os.Stderr, "banmian: CPU profile %s: %v\n", p, err)
		}
	}
	if p := os.Getenv("BANMIAN_MEMPROFILE"); p != "" {
		stops = append(stops, func() {
			f, err := os.Create(p)
			if err != nil {
				fmt.Fprintf(os.Stderr, "banmian: heap profile %s: %v\n", p, err)
				return
			}
			runtime.GC()
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
