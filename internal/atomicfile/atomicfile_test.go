package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		write func(string, []byte) error
	}{{"Write", Write}, {"WriteDurable", WriteDurable}, {"WriteWith", func(name string, data []byte) error {
		return WriteWith(name, func(w io.Writer) error { _, err := w.Write(data); return err })
	}}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "小区管道.md")
			if err := tt.write(name, []byte("第一版")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(name); err != nil || fi.Mode().Perm()&0o600 != 0o600 {
				t.Fatalf("new file: %v %v", fi, err)
			}
			// A replaced file keeps its mode.
			if err := os.Chmod(name, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := tt.write(name, []byte("第二版")); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(name)
			fi, _ := os.Stat(name)
			if string(got) != "第二版" || fi.Mode().Perm() != 0o640 {
				t.Errorf("after replace: %q mode %v", got, fi.Mode().Perm())
			}
			assertNoTemp(t, dir)
		})
	}
}

// A symbolic link stays a link; the file it points to is replaced.
func TestWriteThroughSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "real.md")
	link := filepath.Join(dir, "link.md")
	os.WriteFile(real, []byte("旧"), 0o600)
	if err := os.Symlink("real.md", link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := WriteDurable(link, []byte("新")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	got, _ := os.ReadFile(real)
	fi, _ := os.Stat(real)
	if string(got) != "新" || fi.Mode().Perm() != 0o600 {
		t.Errorf("target: %q mode %v", got, fi.Mode().Perm())
	}
	assertNoTemp(t, dir)
}

// On failure the target is untouched and no temporary file is left.
func TestWriteErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "稿件")
	os.Mkdir(sub, 0o755)
	err := Write(sub, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "稿件") {
		t.Errorf("writing over a folder: %v", err)
	}
	if err := Write(filepath.Join(dir, "无此目录", "a.md"), []byte("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	assertNoTemp(t, dir)
}

// Concurrent writers of one file leave one whole version, never a mix.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "index.html")
	versions := []string{strings.Repeat("甲", 50000), strings.Repeat("乙", 50000), strings.Repeat("丙", 50000)}
	var wg sync.WaitGroup
	for _, v := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := Write(name, []byte(v)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, _ := os.ReadFile(name)
	ok := false
	for _, v := range versions {
		ok = ok || string(got) == v
	}
	if !ok {
		t.Error("the file holds a mix of versions")
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// A WriteWith whose writer fails leaves the old file and no temporary.
func TestWriteWithFailureLeavesOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "缓存")
	os.WriteFile(name, []byte("旧"), 0o644)
	boom := errors.New("boom")
	err := WriteWith(name, func(w io.Writer) error {
		w.Write([]byte("半截"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "旧" {
		t.Errorf("file now %q", got)
	}
	assertNoTemp(t, dir)
}
