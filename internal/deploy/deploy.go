package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxDeletes is how many files a deploy may delete without Force.
const DefaultMaxDeletes = 256

// ManifestName is the manifest's name beside the deployed site.
const ManifestName = ".banmian-deploy.json"

// Options configure one deploy.
type Options struct {
	// Dir is the built site (banmian build's -out).
	Dir    string
	Target *Target
	// DryRun computes and reports what would change, changing nothing.
	DryRun bool
	// MaxDeletes caps the files one deploy deletes (0: DefaultMaxDeletes;
	// negative: none); Force lifts the cap.
	MaxDeletes int
	Force      bool
	// Progress, when set, is called as files are uploaded.
	Progress func(done, total int)
	// Getenv reads the environment for credentials (nil: os.Getenv).
	Getenv func(string) string
	// Workers is how many uploads run at once within a tier (0: 8).
	Workers int
	// Retries is how often a request failing with a 5xx, throttling or a
	// timeout is retried (0: 5), first after RetryWait (0: 250ms), then
	// doubling.
	Retries   int
	RetryWait time.Duration
}

// Stats describe a finished (or, with DryRun, planned) deploy.
type Stats struct {
	Uploaded  int
	Unchanged int
	Deleted   int
	Bytes     int64 // bytes uploaded
	Duration  time.Duration
	DryRun    bool
	// Uploads and Deletes are the paths, in the order they were sent
	// (within a tier, in parallel).
	Uploads []string
	Deletes []string
}

func (s Stats) String() string {
	verb := "uploaded"
	if s.DryRun {
		verb = "would upload"
	}
	return fmt.Sprintf("%s %d files (%s), %d unchanged, %d deleted in %s",
		verb, s.Uploaded, humanBytes(s.Bytes), s.Unchanged, s.Deleted, s.Duration.Round(time.Millisecond))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// manifest records what was uploaded: per site path, the MD5 of the bytes
// as uploaded, the ETag the target gave them and their headers.
type manifest struct {
	Version string                   `json:"version"`
	Files   map[string]manifestEntry `json:"files"`
}

type manifestEntry struct {
	MD5    string `json:"md5"`
	ETag   string `json:"etag,omitempty"`
	Header string `json:"header"`
}

const manifestVersion = "banmian-deploy-1"

// remote is a deploy target as the engine sees it.
type remote interface {
	// objects lists the site paths the target holds, with their ETags
	// ("" when unknown), the manifest left out.
	objects(ctx context.Context) (map[string]string, error)
	// manifest reads the manifest; a missing one is empty, not an error.
	manifest(ctx context.Context) ([]byte, error)
	// put uploads f and returns its ETag.
	put(ctx context.Context, f *File) (string, error)
	// keep carries an unchanged file over (a folder target's new copy).
	keep(ctx context.Context, f *File) error
	// remove deletes site paths.
	remove(ctx context.Context, paths []string) error
	// commit writes the manifest and finishes the deploy; abort undoes
	// what can be undone after a failure.
	commit(ctx context.Context, manifest []byte) error
	abort()
}

// Run deploys the site in opt.Dir to opt.Target.
//
// Errors: ErrNoSite, ErrConfig, ErrCredentials, ErrNoBucket,
// ErrTooManyDeletes (nothing was changed), and transfer errors after the
// retries. A failed S3 deploy may have uploaded some new files, never
// deleted any, and left the manifest as it was, so the next deploy
// uploads what is still missing.
func Run(ctx context.Context, opt Options) (Stats, error) {
	start := time.Now()
	var st Stats
	st.DryRun = opt.DryRun
	if opt.Target == nil {
		return st, newError(ErrConfig, nil, "没有部署目标", "no deploy target")
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if opt.MaxDeletes == 0 {
		opt.MaxDeletes = DefaultMaxDeletes
	}
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.Retries <= 0 {
		opt.Retries = 5
	}
	if opt.RetryWait <= 0 {
		opt.RetryWait = 250 * time.Millisecond
	}
	if fi, err := os.Stat(opt.Dir); err != nil || !fi.IsDir() {
		return st, newError(ErrNoSite, err, "找不到构建好的网站 %s，请先运行 banmian build", "built site %s not found; run banmian build first", opt.Dir)
	}
	files, err := scan(opt.Dir, opt.Target.Gzip && opt.Target.Kind == KindS3)
	if err != nil {
		return st, newError(ErrNoSite, err, "读取网站文件出错", "reading the built site")
	}
	if len(files) == 0 {
		return st, newError(ErrNoSite, nil, "网站文件夹 %s 是空的，请先运行 banmian build", "site folder %s is empty; run banmian build first", opt.Dir)
	}
	var r remote
	switch opt.Target.Kind {
	case KindS3:
		r, err = newS3Remote(opt.Target, opt)
	case KindFolder:
		r, err = newFolderRemote(opt.Target, opt)
	default:
		err = newError(ErrConfig, nil, "不认识的部署目标类型 %q", "unknown target kind %q", opt.Target.Kind)
	}
	if err != nil {
		return st, err
	}
	defer func() {
		if err != nil {
			r.abort()
		}
	}()
	rt := retrier{tries: opt.Retries, wait: opt.RetryWait}

	var objs map[string]string
	if err = rt.do(ctx, func() (err error) { objs, err = r.objects(ctx); return }); err != nil {
		return st, err
	}
	var raw []byte
	if err = rt.do(ctx, func() (err error) { raw, err = r.manifest(ctx); return }); err != nil {
		return st, err
	}
	old := manifest{Files: map[string]manifestEntry{}}
	if len(raw) > 0 {
		var m manifest
		if json.Unmarshal(raw, &m) == nil && m.Version == manifestVersion && m.Files != nil {
			old = m
		}
	}

	// Plan: what to upload, what to keep, what to delete.
	next := manifest{Version: manifestVersion, Files: map[string]manifestEntry{}}
	var todo, keep []*File
	local := map[string]bool{}
	for _, f := range files {
		local[f.Path] = true
		e, known := old.Files[f.Path]
		etag, exists := objs[f.Path]
		// Unchanged: the headers are the ones recorded, and the object's
		// ETag is the MD5 of the bytes (also after a deploy that failed
		// before writing the manifest) or the ETag recorded for them.
		same := known && exists && e.Header == f.header() &&
			(strings.EqualFold(etag, f.MD5) || e.MD5 == f.MD5 && (etag == "" || strings.EqualFold(e.ETag, etag)))
		if same {
			keep = append(keep, f)
			next.Files[f.Path] = manifestEntry{MD5: f.MD5, ETag: etag, Header: e.Header}
			continue
		}
		todo = append(todo, f)
	}
	var dels []string
	for p := range objs {
		if !local[p] {
			dels = append(dels, p)
		}
	}
	slices.Sort(dels)
	if limit := max(opt.MaxDeletes, 0); len(dels) > limit && !opt.Force {
		err = newError(ErrTooManyDeletes, nil,
			"这次部署要删除 %d 个文件，超过上限 %d；什么都没有改动。确认无误后用 -force 或调大 -max-deletes 再部署",
			"this deploy would delete %d files, more than the limit of %d; nothing was changed. If that is right, deploy again with -force or a larger -max-deletes",
			len(dels), limit)
		return st, err
	}
	st.Unchanged = len(keep)
	for _, f := range todo {
		st.Uploads = append(st.Uploads, f.Path)
		st.Bytes += f.Size
	}
	st.Deletes = dels
	st.Uploaded, st.Deleted = len(todo), len(dels)
	if opt.DryRun {
		r.abort()
		st.Duration = time.Since(start)
		return st, nil
	}

	for _, f := range keep {
		if err = r.keep(ctx, f); err != nil {
			return st, err
		}
	}
	var done atomic.Int64
	total := len(todo) + len(dels)
	if opt.Progress != nil {
		opt.Progress(0, total)
	}
	var mu sync.Mutex
	for tier := range numTiers {
		var batch []*File
		for _, f := range todo {
			if f.Tier == tier {
				batch = append(batch, f)
			}
		}
		err = parallelN(len(batch), opt.Workers, func(i int) error {
			f := batch[i]
			var etag string
			if err := rt.do(ctx, func() (err error) { etag, err = r.put(ctx, f); return }); err != nil {
				return err
			}
			mu.Lock()
			next.Files[f.Path] = manifestEntry{MD5: f.MD5, ETag: strings.Trim(etag, `"`), Header: f.header()}
			mu.Unlock()
			if opt.Progress != nil {
				opt.Progress(int(done.Add(1)), total)
			}
			return nil
		})
		if err != nil {
			return st, err
		}
	}
	const batchSize = 1000 // S3's DeleteObjects limit
	for i := 0; i < len(dels); i += batchSize {
		chunk := dels[i:min(i+batchSize, len(dels))]
		if err = rt.do(ctx, func() error { return r.remove(ctx, chunk) }); err != nil {
			return st, err
		}
		if opt.Progress != nil {
			opt.Progress(int(done.Add(int64(len(chunk)))), total)
		}
	}
	mf, _ := json.Marshal(next)
	if err = rt.do(ctx, func() error { return r.commit(ctx, mf) }); err != nil {
		return st, err
	}
	st.Duration = time.Since(start)
	return st, nil
}

// retrier retries transient failures with exponential backoff.
type retrier struct {
	tries int
	wait  time.Duration
}

// do runs f until it succeeds, fails for good, or tries run out.
func (r retrier) do(ctx context.Context, f func() error) error {
	wait := r.wait
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt >= r.tries || !transient(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// transientError marks a failure worth retrying.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

func transient(err error) bool {
	var t *transientError
	return errors.As(err, &t)
}

// parallelN runs f for 0..n-1 on up to workers goroutines and returns the
// first error; after one, the remaining items are skipped.
func parallelN(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// parallel is parallelN with one worker per CPU.
func parallel(n int, f func(i int) error) error { return parallelN(n, runtime.GOMAXPROCS(0), f) }

// readFile reads a file of at most limit bytes.
func readFile(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, nil
}
