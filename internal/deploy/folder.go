package deploy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/banmian/banmian/internal/site"
)

// folderRemote deploys to a local folder: the new site is put together in
// a sibling folder (unchanged files hard-linked from the old one) and
// swapped in with one rename, so the web server never serves a mix.
type folderRemote struct {
	t     *Target
	dir   string // the live folder
	stage string // the new folder being put together; "" until needed
	src   string // the built site

	mu sync.Mutex // guards stage: uploads run in parallel
}

func newFolderRemote(t *Target, opt Options) (*folderRemote, error) {
	dir, err := filepath.Abs(t.Dir)
	if err != nil {
		return nil, newError(ErrConfig, err, "部署文件夹 %s 无效", "bad deploy folder %s", t.Dir)
	}
	src, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, err
	}
	if dir == src || strings.HasPrefix(dir, src+string(filepath.Separator)) || strings.HasPrefix(src, dir+string(filepath.Separator)) {
		return nil, newError(ErrConfig, nil, "部署文件夹 %s 不能与网站文件夹 %s 重叠", "deploy folder %s must not overlap the site folder %s", dir, src)
	}
	if fi, err := os.Stat(filepath.Dir(dir)); err != nil || !fi.IsDir() {
		return nil, newError(ErrConfig, err, "部署文件夹的上级 %s 不存在", "the parent of deploy folder, %s, does not exist", filepath.Dir(dir))
	}
	return &folderRemote{t: t, dir: dir, src: src}, nil
}

// objects hashes what the live folder holds: a file changed by hand on the
// host is uploaded again.
func (r *folderRemote) objects(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	var paths []string
	err := filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == r.dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(r.dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && hidden(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			paths = append(paths, rel)
		}
		return nil
	})
	if err != nil {
		return nil, newError(nil, err, "读取部署文件夹 %s 出错", "reading deploy folder %s", r.dir)
	}
	sums := make([]string, len(paths))
	err = parallel(len(paths), func(i int) error {
		f, err := os.Open(filepath.Join(r.dir, filepath.FromSlash(paths[i])))
		if err != nil {
			return err
		}
		defer f.Close()
		h := md5.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sums[i] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		return nil, newError(nil, err, "读取部署文件夹 %s 出错", "reading deploy folder %s", r.dir)
	}
	for i, p := range paths {
		out[p] = sums[i]
	}
	return out, nil
}

func (r *folderRemote) manifest(ctx context.Context) ([]byte, error) {
	b, err := readFile(filepath.Join(r.dir, ManifestName), 256<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// stageDir makes the folder the new site is put together in.
func (r *folderRemote) stageDir() (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stage != "" {
		return r.stage, nil
	}
	d, err := os.MkdirTemp(filepath.Dir(r.dir), "."+filepath.Base(r.dir)+".deploy-"+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", newError(nil, err, "无法在 %s 旁建临时文件夹", "cannot make a folder beside %s", r.dir)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		return "", err
	}
	r.stage = d
	return d, nil
}

func (r *folderRemote) target(p string) (string, error) {
	stage, err := r.stageDir()
	if err != nil {
		return "", err
	}
	name := filepath.Join(stage, filepath.FromSlash(p))
	return name, os.MkdirAll(filepath.Dir(name), 0o755)
}

func (r *folderRemote) put(ctx context.Context, f *File) (string, error) {
	name, err := r.target(f.Path)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(name, f.Body, 0o644); err != nil {
		return "", newError(nil, err, "写入 %s 出错", "writing %s", name)
	}
	return f.MD5, nil
}

// keep hard-links an unchanged file from the live folder (copying it
// where links are not possible). Live files are never written in place,
// only swapped out whole, so sharing their inodes is safe.
func (r *folderRemote) keep(ctx context.Context, f *File) error {
	name, err := r.target(f.Path)
	if err != nil {
		return err
	}
	if os.Link(filepath.Join(r.dir, filepath.FromSlash(f.Path)), name) == nil {
		return nil
	}
	if err := os.WriteFile(name, f.Body, 0o644); err != nil {
		return newError(nil, err, "写入 %s 出错", "writing %s", name)
	}
	return nil
}

// remove does nothing: a file not carried over is gone once the new
// folder is swapped in.
func (r *folderRemote) remove(ctx context.Context, paths []string) error { return nil }

func (r *folderRemote) commit(ctx context.Context, mf []byte) error {
	stage, err := r.stageDir()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(stage, ManifestName), mf, 0o644); err != nil {
		return newError(nil, err, "写入部署清单出错", "writing the deploy manifest")
	}
	if err := site.SwapDir(stage, r.dir); err != nil {
		return newError(nil, err, "替换部署文件夹 %s 出错，原来的网站未动", "swapping in deploy folder %s failed; the old site is as it was", r.dir)
	}
	r.mu.Lock()
	r.stage = ""
	r.mu.Unlock()
	return nil
}

func (r *folderRemote) abort() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stage != "" {
		os.RemoveAll(r.stage)
		r.stage = ""
	}
}
