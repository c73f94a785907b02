package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		done, total   int
		elapsed       time.Duration
		want, without string
	}{
		{"开始", 0, 10000, 0, "构建 [                        ] 0/10000   0%", "剩余"},
		{"过半，有剩余时间", 5000, 10000, 10 * time.Second, "构建 [============            ] 5000/10000  50% 剩余约 10 秒", ""},
		{"太早不估", 10, 10000, time.Millisecond, "10/10000   0%", "剩余"},
		{"完成不估", 10000, 10000, time.Minute, "10000/10000 100%", "剩余"},
		{"超过总数按总数", 12, 10, time.Second, "10/10 100%", ""},
		{"总数为零", 0, 0, time.Second, "0/0 100%", "剩余"},
		{"分钟", 100, 1000, 15 * time.Second, "剩余约 2 分 15 秒", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line("构建", tt.done, tt.total, tt.elapsed)
			if !strings.Contains(got, tt.want) {
				t.Errorf("Line = %q, want it to contain %q", got, tt.want)
			}
			if tt.without != "" && strings.Contains(got, tt.without) {
				t.Errorf("Line = %q, want no %q", got, tt.without)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                               "0 秒",
		59 * time.Second:                "59 秒",
		61 * time.Second:                "1 分 01 秒",
		time.Hour + 2*time.Minute + 3e9: "1 小时 02 分",
		1499 * time.Millisecond:         "1 秒",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// A bar off a terminal is nil and prints nothing; calls on it are safe.
func TestNotTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := New(&buf, "索引", false)
	if b != nil {
		t.Fatal("New on a non-terminal returned a bar")
	}
	b.Update(1, 2)
	b.Done()
	if f := b.Func(); f != nil {
		t.Error("Func of a nil bar is not nil")
	}
	if buf.Len() != 0 {
		t.Errorf("printed %q off a terminal", buf.String())
	}
}

// On a terminal the bar redraws at most once per interval, always draws
// the last unit, and Done clears the line and stops later draws.
func TestThrottleAndDone(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := New(&buf, "导入", true)
	clock := time.Date(2025, 5, 22, 8, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	for i := 1; i < 100; i++ {
		b.Update(i, 100)
	}
	if n := strings.Count(buf.String(), "\r\033[K"); n != 1 {
		t.Errorf("%d draws within one interval, want 1", n)
	}
	clock = clock.Add(time.Second)
	b.Update(100, 100)
	if !strings.HasSuffix(buf.String(), "100/100 100%") {
		t.Errorf("last unit not drawn: %q", buf.String())
	}
	b.Done()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Errorf("Done did not clear the line: %q", buf.String())
	}
	n := buf.Len()
	b.Update(100, 100)
	if buf.Len() != n {
		t.Error("a bar drew after Done")
	}
}

// Concurrent updates are safe (run with -race).
func TestConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := New(&buf, "构建", true)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				b.Update(i, 200)
			}
		}()
	}
	wg.Wait()
	b.Done()
}
