package static

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzStoryLines: parseStoryLines never panics; what it accepts, written
// again and read again, is the same; and what appendStoryLines writes is
// read back as written.
func FuzzStoryLines(f *testing.F) {
	f.Add([]byte("chang-zheng-zhen 9f3a 20230\n-\nxiao-qu-guan-dao 1b2c 20180\n"))
	f.Add([]byte("a b -5\n"))
	f.Add([]byte("a  b 1\n"))
	f.Add([]byte("长征镇 x 1\n\n"))
	f.Add([]byte("-"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := parseStoryLines(data)
		if err != nil {
			if !errors.Is(err, errNoStories) {
				t.Fatalf("error %v", err)
			}
			return
		}
		again, err := parseStoryLines(appendStoryLines(nil, lines))
		if err != nil || !slices.Equal(again, lines) {
			t.Fatalf("written again and read: %v, %v; want %v", again, err, lines)
		}
	})
}

// TestStoryLinesHostile: damaged or hostile stories.txt files are refused
// (the index is then written whole), and a large one reads in linear time.
func TestStoryLinesHostile(t *testing.T) {
	for _, c := range []struct{ name, data string }{
		{"an empty line", "a h 1\n\nb h 2\n"},
		{"a missing day", "a h\n"},
		{"a day that is no number", "a h 一\n"},
		{"a slug with no hash", "a\n"},
		{"a NUL line", "\x00\n"},
		{"an empty slug", " h 1\n"},
	} {
		if _, err := parseStoryLines([]byte(c.data)); !errors.Is(err, errNoStories) {
			t.Errorf("%s: error %v, want errNoStories", c.name, err)
		}
	}
	const n = 500_000
	big := bytes.Repeat([]byte("xiao-qu-guan-dao-tian-du 0123456789abcdef 20180\n"), n)
	done := make(chan error, 1)
	go func() {
		lines, err := parseStoryLines(big)
		if err == nil && len(lines) != n {
			err = errors.New("wrong count")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second): // a backstop against a hang, not a speed target
		t.Fatalf("%d lines did not parse in 30 s", n)
	}
	if got, err := parseStoryLines([]byte(strings.Repeat("-\n", 3))); err != nil || len(got) != 3 {
		t.Errorf("removed stories: %v, %v", got, err)
	}
}
