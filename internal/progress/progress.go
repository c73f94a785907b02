// Package progress shows how far long work has come: a one-line bar with
// counts, rate and time left on a terminal, nothing while it runs
// elsewhere (a pipe, a CI log), where the command prints its own summary
// line at the end.
//
// It is a few lines over the standard library rather than a progress-bar
// library: the bar is one line redrawn with a carriage return, which every
// terminal banmian runs in understands, and the libraries on offer bring
// colour, spinners and terminal probing the commands do not need.
//
// A Bar is safe for concurrent use; a nil *Bar does nothing, so callers
// need not check whether one is shown.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Bar draws one progress line on a terminal.
type Bar struct {
	w     io.Writer
	label string
	now   func() time.Time
	every time.Duration

	mu      sync.Mutex
	start   time.Time
	last    time.Time
	drawn   bool
	stopped bool
}

// New returns a bar labelled label (e.g. 构建) drawing on w, or nil when
// w is not a terminal or the command is quiet: then Update and Done do
// nothing.
func New(w io.Writer, label string, terminal bool) *Bar {
	if !terminal || w == nil {
		return nil
	}
	return &Bar{w: w, label: label, now: time.Now, every: 100 * time.Millisecond}
}

// Update reports that done of total units are finished. It redraws at
// most ten times a second, and always for the last unit.
func (b *Bar) Update(done, total int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	t := b.now()
	if b.start.IsZero() {
		b.start = t
	}
	if b.drawn && done < total && t.Sub(b.last) < b.every {
		return
	}
	b.last = t
	b.drawn = true
	fmt.Fprintf(b.w, "\r\033[K%s", Line(b.label, done, total, t.Sub(b.start)))
}

// Done clears the line, so a summary or an error starts on a clean one.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
	b.stopped = true
}

// Func returns Update as a callback for packages that report progress as
// func(done, total int); nil for a nil bar.
func (b *Bar) Func() func(done, total int) {
	if b == nil {
		return nil
	}
	return b.Update
}

// Line formats one progress line: label, bar, counts, percentage and,
// once there is a rate to go by, the time left in Chinese.
func Line(label string, done, total int, elapsed time.Duration) string {
	const width = 24
	done = min(max(done, 0), max(total, 0))
	filled := 0
	pct := 100
	if total > 0 {
		filled = width * done / total
		pct = 100 * done / total
	}
	s := fmt.Sprintf("%s [%s%s] %d/%d %3d%%", label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, pct)
	if done > 0 && done < total && elapsed >= time.Second/2 {
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		s += " 剩余约 " + Duration(left)
	}
	return s
}

// Duration says d in Chinese to the second: 8 秒, 2 分 05 秒, 1 小时 02 分.
func Duration(d time.Duration) string {
	sec := int((d + time.Second/2) / time.Second)
	switch {
	case sec < 60:
		return fmt.Sprintf("%d 秒", sec)
	case sec < 3600:
		return fmt.Sprintf("%d 分 %02d 秒", sec/60, sec%60)
	default:
		return fmt.Sprintf("%d 小时 %02d 分", sec/3600, sec%3600/60)
	}
}
