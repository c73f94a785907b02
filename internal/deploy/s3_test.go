package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/banmian/banmian/internal/content"
	"github.com/minio/minio-go/v7"
)

func env(key, secret string) func(string) string {
	return func(k string) string {
		switch k {
		case "AWS_ACCESS_KEY_ID":
			return key
		case "AWS_SECRET_ACCESS_KEY":
			return secret
		}
		return ""
	}
}

// s3Target parses the target the way site.yaml gives it.
func s3Target(t testing.TB, endpoint, bucket, prefix string, gz bool) *Target {
	t.Helper()
	u := "s3://" + bucket + "/" + prefix + "?endpoint=http://" + endpoint + "&region=us-east-1"
	yes := true
	tg, err := ParseTarget(content.DeployTarget{Name: "oss", URL: u, PathStyle: &yes, Gzip: gz})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func opts(s *testSite, tg *Target) Options {
	return Options{Dir: s.out, Target: tg, Getenv: env(testKey, testSecret), RetryWait: 10e6}
}

// bucketObjects lists the site paths in a bucket under prefix with their
// ETags, the manifest left out.
func bucketObjects(t *testing.T, c *minio.Client, bucket, prefix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if p := strings.TrimPrefix(o.Key, prefix); p != ManifestName {
			out[p] = o.ETag
		}
	}
	return out
}

func keys[M ~map[string]V, V any](m M) []string {
	l := make([]string, 0, len(m))
	for k := range m {
		l = append(l, k)
	}
	sort.Strings(l)
	return l
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	sort.Strings(l)
	return l
}

// TestS3Incremental: a first deploy uploads the whole site; a second with
// nothing changed uploads nothing; one story changed uploads exactly the
// files whose bytes changed; a story removed has its pages deleted.
func TestS3Incremental(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	c := w.client(testKey, testSecret)
	bucket := w.bucket(t)
	s := newTestSite(t, 12)
	v1 := s.build()
	tg := s3Target(t, w.endpoint, bucket, "site", false)
	ctx := context.Background()

	t.Run("首次部署", func(t *testing.T) {
		st, err := Run(ctx, opts(s, tg))
		if err != nil {
			t.Fatal(err)
		}
		if st.Uploaded != len(v1) || st.Unchanged != 0 || st.Deleted != 0 {
			t.Fatalf("first deploy: %s; want %d uploads", st, len(v1))
		}
		got := bucketObjects(t, c, bucket, "site/")
		if !slices.Equal(keys(got), keys(v1)) {
			t.Fatalf("bucket holds %v\nwant %v", keys(got), keys(v1))
		}
		for _, p := range []string{"index.html", "stories/story-003/index.html", "search/meta.json"} {
			o, err := c.GetObject(ctx, bucket, "site/"+p, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(o)
			o.Close()
			if err != nil || string(b) != v1[p] {
				t.Fatalf("%s in the bucket differs from the site (%v)", p, err)
			}
		}
		if _, err := c.StatObject(ctx, bucket, "site/"+ManifestName, minio.StatObjectOptions{}); err != nil {
			t.Fatalf("no manifest: %v", err)
		}
		if _, err := c.StatObject(ctx, bucket, "site/.banmian-build", minio.StatObjectOptions{}); err == nil {
			t.Fatal("the build's own state file was deployed")
		}
	})

	t.Run("没有变化", func(t *testing.T) {
		st, err := Run(ctx, opts(s, tg))
		if err != nil {
			t.Fatal(err)
		}
		if st.Uploaded != 0 || st.Deleted != 0 || st.Unchanged != len(v1) || st.Bytes != 0 {
			t.Fatalf("no-change deploy: %s", st)
		}
	})

	t.Run("改一篇稿件", func(t *testing.T) {
		s.story(5, "社区治理第6篇：小区管道“添堵”，“多格合一”舒心", "改过的正文：居民议事会三天内疏通了管道，还装上了新的隔油池。")
		v2 := s.build()
		want := changed(v1, v2)
		if len(want) == 0 || len(want) >= len(v2)/2 {
			t.Fatalf("the change touched %d of %d files; the fixture is wrong", len(want), len(v2))
		}
		st, err := Run(ctx, opts(s, tg))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sorted(st.Uploads), sorted(want)) {
			t.Fatalf("uploaded %v\nwant exactly the changed files %v", sorted(st.Uploads), sorted(want))
		}
		if !slices.Contains(st.Uploads, "stories/story-005/index.html") || slices.Contains(st.Uploads, "stories/story-004/index.html") {
			t.Fatalf("uploads %v", st.Uploads)
		}
		if !slices.ContainsFunc(st.Uploads, func(p string) bool { return strings.HasPrefix(p, "search/s/") }) {
			t.Fatalf("no search shard uploaded for a changed body: %v", st.Uploads)
		}
		if st.Unchanged != len(v2)-len(want) || st.Deleted != 0 {
			t.Fatalf("one story changed: %s", st)
		}
		v1 = v2
	})

	t.Run("删一篇稿件", func(t *testing.T) {
		s.remove(7)
		v3 := s.build()
		if _, ok := v3["stories/story-007/index.html"]; ok {
			t.Fatal("the build kept the removed story")
		}
		st, err := Run(ctx, opts(s, tg))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(st.Deletes, "stories/story-007/index.html") || st.Deleted != len(st.Deletes) {
			t.Fatalf("deletes %v", st.Deletes)
		}
		got := bucketObjects(t, c, bucket, "site/")
		if !slices.Equal(keys(got), keys(v3)) {
			t.Fatalf("bucket holds %v\nwant %v", keys(got), keys(v3))
		}
	})
}

// TestS3MaxDeletes: a deploy deleting more than -max-deletes changes
// nothing and says so; -force goes ahead.
func TestS3MaxDeletes(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	c := w.client(testKey, testSecret)
	bucket := w.bucket(t)
	s := newTestSite(t, 8)
	s.build()
	tg := s3Target(t, w.endpoint, bucket, "", false)
	ctx := context.Background()
	if _, err := Run(ctx, opts(s, tg)); err != nil {
		t.Fatal(err)
	}
	before := bucketObjects(t, c, bucket, "")
	for _, i := range []int{1, 2, 3} {
		s.remove(i)
	}
	after := s.build()

	o := opts(s, tg)
	o.MaxDeletes = 2
	st, err := Run(ctx, o)
	if !errors.Is(err, ErrTooManyDeletes) {
		t.Fatalf("err = %v, want ErrTooManyDeletes", err)
	}
	for _, want := range []string{"超过上限 2", "-force", "more than the limit of 2", "nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if st.Uploaded != 0 || !maps(before, bucketObjects(t, c, bucket, "")) {
		t.Fatalf("the refused deploy changed the bucket (%s)", st)
	}

	o.Force = true
	st, err = Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deleted < 3 || !slices.Equal(keys(bucketObjects(t, c, bucket, "")), keys(after)) {
		t.Fatalf("forced deploy: %s", st)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestS3Headers reads Content-Type, Cache-Control and Content-Encoding
// back from the server, with gzip on.
func TestS3Headers(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	c := w.client(testKey, testSecret)
	bucket := w.bucket(t)
	s := newTestSite(t, 3)
	files := s.build()
	// A fingerprinted asset, as a theme with hashed names would have.
	if err := os.WriteFile(filepath.Join(s.out, "assets", "app.3f2a9c1b.js"), []byte("console.log(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := Run(ctx, opts(s, s3Target(t, w.endpoint, bucket, "www", true))); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, ctype, cache, enc string }{
		{"index.html", "text/html; charset=utf-8", CacheShort, "gzip"},
		{"stories/story-001/index.html", "text/html; charset=utf-8", CacheShort, "gzip"},
		{"feed.xml", "application/atom+xml; charset=utf-8", CacheShort, "gzip"},
		{"sitemap.xml", "application/xml; charset=utf-8", CacheShort, "gzip"},
		{"assets/site.css", "text/css; charset=utf-8", CacheShort, "gzip"},
		{"assets/app.3f2a9c1b.js", "text/javascript; charset=utf-8", CacheImmutable, "gzip"},
		{"search/meta.json", "application/json", CacheShort, "gzip"},
	}
	for p := range files {
		if strings.HasPrefix(p, "search/s/") {
			cases = append(cases, struct{ path, ctype, cache, enc string }{p, "application/octet-stream", CacheShort, ""})
			break
		}
	}
	if len(cases) != 8 {
		t.Fatal("the site has no search shard")
	}
	for _, cs := range cases {
		t.Run(cs.path, func(t *testing.T) {
			info, err := c.StatObject(ctx, bucket, "www/"+cs.path, minio.StatObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if info.ContentType != cs.ctype {
				t.Errorf("Content-Type %q, want %q", info.ContentType, cs.ctype)
			}
			if got := info.Metadata.Get("Cache-Control"); got != cs.cache {
				t.Errorf("Cache-Control %q, want %q", got, cs.cache)
			}
			if got := info.Metadata.Get("Content-Encoding"); got != cs.enc {
				t.Errorf("Content-Encoding %q, want %q", got, cs.enc)
			}
		})
	}
	// The stored bytes are the page, gzipped.
	o, err := c.GetObject(ctx, bucket, "www/index.html", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(o)
	o.Close()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("index.html is not stored gzipped: %v", err)
	}
	page, _ := io.ReadAll(zr)
	if string(page) != files["index.html"] {
		t.Fatal("gunzipped index.html differs from the site's")
	}
}

// recorder is a proxy in front of SeaweedFS that records the requests it
// passes and can fail the first attempt at some keys with a 503.
type recorder struct {
	mu      sync.Mutex
	log     []string        // "PUT key", "DELETE", …
	fail503 map[string]bool // once
	down    map[string]bool // every time
	failed  []string
}

func (rc *recorder) start(t *testing.T, backend string) string {
	t.Helper()
	u, _ := url.Parse("http://" + backend)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/")
		rc.mu.Lock()
		if r.Method == http.MethodPut && (rc.fail503[key] || rc.down[key]) {
			delete(rc.fail503, key)
			rc.failed = append(rc.failed, key)
			rc.mu.Unlock()
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>try again</Message></Error>`)
			return
		}
		switch {
		case r.Method == http.MethodPut:
			rc.log = append(rc.log, "PUT "+key)
		case r.Method == http.MethodPost && r.URL.Query().Has("delete"):
			rc.log = append(rc.log, "DELETE")
		}
		rc.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestS3UploadOrder checks, at the server, that every asset and shard
// arrives before the search index files, those before any page, pages
// before the home page, feed and sitemap, and deletes after all; a 503 is
// retried.
func TestS3UploadOrder(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	bucket := w.bucket(t)
	s := newTestSite(t, 10)
	s.build()
	ctx := context.Background()
	// Something to delete on the second deploy.
	if _, err := Run(ctx, opts(s, s3Target(t, w.endpoint, bucket, "", false))); err != nil {
		t.Fatal(err)
	}
	s.remove(4)
	s.story(6, "社区治理第7篇：改过的标题", "改过的正文。")
	s.build()
	if err := os.WriteFile(filepath.Join(s.out, "assets", "extra.css"), []byte("p{}"), 0o644); err != nil {
		t.Fatal(err)
	}

	rc := &recorder{fail503: map[string]bool{bucket + "/index.html": true, bucket + "/search/meta.json": true}}
	addr := rc.start(t, w.endpoint)
	st, err := Run(ctx, opts(s, s3Target(t, addr, bucket, "", false)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.failed) != 2 {
		t.Fatalf("the proxy failed %v, want index.html and search/meta.json once each", rc.failed)
	}
	if st.Deleted == 0 {
		t.Fatal("nothing deleted")
	}
	last := -1 // highest tier seen so far
	sawDelete := false
	var puts []string
	for _, e := range rc.log {
		if e == "DELETE" {
			sawDelete = true
			continue
		}
		p := strings.TrimPrefix(strings.TrimPrefix(e, "PUT "), bucket+"/")
		if p == ManifestName {
			if !sawDelete {
				t.Error("the manifest was written before the deletes")
			}
			continue
		}
		puts = append(puts, p)
		if sawDelete {
			t.Errorf("%s uploaded after a delete", p)
		}
		tier := TierOf(p)
		if tier < last {
			t.Errorf("%s (tier %d) uploaded after a file of tier %d; order: %v", p, tier, last, puts)
		}
		last = max(last, tier)
	}
	for _, want := range []string{"assets/extra.css", "stories/story-006/index.html", "index.html", "search/meta.json"} {
		if !slices.Contains(puts, want) {
			t.Errorf("%s not uploaded; uploads %v", want, puts)
		}
	}
	if !sawDelete || rc.log[len(rc.log)-1] != "PUT "+bucket+"/"+ManifestName {
		t.Errorf("want deletes, then the manifest last: %v", rc.log)
	}
}

// TestS3Refusals: bad or missing credentials and a missing bucket fail
// at once with a Chinese and English message.
func TestS3Refusals(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	bucket := w.bucket(t)
	s := newTestSite(t, 2)
	s.build()
	ctx := context.Background()
	cases := []struct {
		name   string
		bucket string
		getenv func(string) string
		kind   error
		zh, en string
	}{
		{"密钥错误", bucket, env(testKey, "wrong-secret"), ErrCredentials, "访问密钥被", "credentials were refused"},
		{"密钥不存在", bucket, env("nobody", "wrong-secret"), ErrCredentials, "访问密钥被", "credentials were refused"},
		{"没有密钥", bucket, env("", ""), ErrCredentials, "没有找到访问密钥", "no credentials"},
		{"只有一半密钥", bucket, env(testKey, ""), ErrCredentials, "要同时设置", "set both"},
		{"存储桶不存在", "no-such-bucket-here", env(testKey, testSecret), ErrNoBucket, "存储桶 no-such-bucket-here", "does not exist"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			o := opts(s, s3Target(t, w.endpoint, cs.bucket, "", false))
			o.Getenv = cs.getenv
			_, err := Run(ctx, o)
			if !errors.Is(err, cs.kind) {
				t.Fatalf("err = %v, want %v", err, cs.kind)
			}
			if !strings.Contains(err.Error(), cs.zh) || !strings.Contains(err.Error(), cs.en) {
				t.Fatalf("message %q lacks %q or %q", err, cs.zh, cs.en)
			}
			if r := Reason(err); !strings.Contains(r, cs.zh) || strings.Contains(r, cs.en) {
				t.Fatalf("Reason = %q, want the Chinese half only", r)
			}
		})
	}
	if objs := bucketObjects(t, w.client(testKey, testSecret), bucket, ""); len(objs) != 0 {
		t.Fatalf("a refused deploy wrote %v", keys(objs))
	}
}

// TestS3CredentialsFile: keys from an AWS-style credentials file, by
// profile, when the environment has none.
func TestS3CredentialsFile(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	bucket := w.bucket(t)
	s := newTestSite(t, 2)
	files := s.build()
	cred := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(cred, []byte("[default]\naws_access_key_id = x\naws_secret_access_key = y\n\n[banmian]\naws_access_key_id = "+testKey+"\naws_secret_access_key = "+testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := "s3://" + bucket + "?endpoint=http://" + w.endpoint + "&region=us-east-1&pathStyle=true"
	tg, err := ParseTarget(content.DeployTarget{Name: "oss", URL: u, Credentials: cred, Profile: "banmian"})
	if err != nil {
		t.Fatal(err)
	}
	o := opts(s, tg)
	o.Getenv = env("", "")
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != len(files) {
		t.Fatalf("%s", st)
	}
}

// TestS3DryRun changes nothing.
func TestS3DryRun(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	bucket := w.bucket(t)
	s := newTestSite(t, 3)
	files := s.build()
	o := opts(s, s3Target(t, w.endpoint, bucket, "", false))
	o.DryRun = true
	st, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != len(files) || !st.DryRun || !strings.Contains(st.String(), "would upload") {
		t.Fatalf("%s", st)
	}
	if objs := bucketObjects(t, w.client(testKey, testSecret), bucket, ""); len(objs) != 0 {
		t.Fatalf("a dry run wrote %v", keys(objs))
	}
}

// TestS3ResumeAfterFailure: a deploy that fails for good on the home page
// has deleted nothing and leaves the manifest; the next deploy sends only
// what is still missing.
func TestS3ResumeAfterFailure(t *testing.T) {
	t.Parallel()
	w := mustS3(t)
	c := w.client(testKey, testSecret)
	bucket := w.bucket(t)
	s := newTestSite(t, 6)
	s.build()
	ctx := context.Background()
	if _, err := Run(ctx, opts(s, s3Target(t, w.endpoint, bucket, "", false))); err != nil {
		t.Fatal(err)
	}
	s.story(1, "社区治理第2篇：改过的标题", "改过的正文。")
	s.remove(3)
	s.build()
	rc := &recorder{down: map[string]bool{bucket + "/index.html": true}}
	addr := rc.start(t, w.endpoint)
	o := opts(s, s3Target(t, addr, bucket, "", false))
	o.Retries = 2
	if _, err := Run(ctx, o); err == nil || !strings.Contains(err.Error(), "上传 index.html失败") {
		t.Fatalf("err = %v, want the home page upload to fail", err)
	}
	if len(rc.failed) != 3 {
		t.Fatalf("index.html was tried %d times, want 3", len(rc.failed))
	}
	if _, err := c.StatObject(ctx, bucket, "stories/story-003/index.html", minio.StatObjectOptions{}); err != nil {
		t.Fatal("the failed deploy deleted a page")
	}
	st, err := Run(ctx, opts(s, s3Target(t, w.endpoint, bucket, "", false)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Uploads {
		if TierOf(p) != TierRoots {
			t.Errorf("%s uploaded again though the failed deploy had sent it", p)
		}
	}
	if !slices.Contains(st.Uploads, "index.html") || !slices.Contains(st.Deletes, "stories/story-003/index.html") {
		t.Fatalf("resumed deploy: uploads %v deletes %v", st.Uploads, st.Deletes)
	}
}
