package benchutil

import (
	"runtime"
	"testing"
)

func TestPeakRSS(t *testing.T) {
	peak := PeakRSS()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	runtime.KeepAlive(buf)
	if runtime.GOOS == "linux" && peak() < 64 {
		t.Errorf("peak RSS %.0f MiB after touching 64 MiB", peak())
	}
}
