package deploy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/content"
)

func TestHeadersAndTiers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path, ctype, cache string
		tier               int
	}{
		{"index.html", "text/html; charset=utf-8", CacheShort, TierRoots},
		{"feed.xml", "application/atom+xml; charset=utf-8", CacheShort, TierRoots},
		{"sitemap.xml", "application/xml; charset=utf-8", CacheShort, TierRoots},
		{"robots.txt", "text/plain; charset=utf-8", CacheShort, TierRoots},
		{"stories/xiao-qu-guan-dao/index.html", "text/html; charset=utf-8", CacheShort, TierPages},
		{"tags/社区治理/page/2/index.html", "text/html; charset=utf-8", CacheShort, TierPages},
		{"404.html", "text/html; charset=utf-8", CacheShort, TierPages},
		{"search/meta.json", "application/json", CacheShort, TierSearchIndex},
		{"search/docs.bin", "application/octet-stream", CacheShort, TierSearchIndex},
		{"search/docs-0.bin", "application/octet-stream", CacheShort, TierSearchIndex},
		{"search/s/0-00f.bin", "application/octet-stream", CacheShort, TierAssets},
		{"search/s/000f.bin", "application/octet-stream", CacheShort, TierAssets},
		{"search/d/0.json", "application/json", CacheShort, TierAssets},
		{"search/s/3f2a9c1b0d.bin", "application/octet-stream", CacheImmutable, TierAssets},
		{"assets/site.css", "text/css; charset=utf-8", CacheShort, TierAssets},
		{"assets/site.3f2a9c1b.css", "text/css; charset=utf-8", CacheImmutable, TierAssets},
		{"assets/app-0a1b2c3d4e5f.js", "text/javascript; charset=utf-8", CacheImmutable, TierAssets},
		{"stories/长征镇/IMG_20250522.jpg", "image/jpeg", CacheShort, TierAssets}, // a date is no fingerprint
		{"stories/长征镇/photo.webp", "image/webp", CacheShort, TierAssets},
		{"stories/a/deadbeef.html", "text/html; charset=utf-8", CacheShort, TierPages}, // pages are never immutable
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			if got := ContentType(c.path); got != c.ctype {
				t.Errorf("ContentType = %q, want %q", got, c.ctype)
			}
			if got := CacheControl(c.path); got != c.cache {
				t.Errorf("CacheControl = %q, want %q", got, c.cache)
			}
			if got := TierOf(c.path); got != c.tier {
				t.Errorf("TierOf = %d, want %d", got, c.tier)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	good := []struct {
		name, url string
		want      Target
	}{
		{"议题里的写法", "s3://banmian/site?endpoint=http://127.0.0.1:8333&region=us-east-1",
			Target{Kind: KindS3, Bucket: "banmian", Prefix: "site/", Endpoint: "127.0.0.1:8333", Region: "us-east-1"}},
		{"阿里云", "s3://paper-www?endpoint=https://oss-cn-shanghai.aliyuncs.com&region=cn-shanghai",
			Target{Kind: KindS3, Bucket: "paper-www", Endpoint: "oss-cn-shanghai.aliyuncs.com", Secure: true, Region: "cn-shanghai"}},
		{"腾讯云", "s3://www-1250000000/duowei/?endpoint=https://cos.ap-shanghai.myqcloud.com&region=ap-shanghai&gzip=true&pathStyle=false",
			Target{Kind: KindS3, Bucket: "www-1250000000", Prefix: "duowei/", Endpoint: "cos.ap-shanghai.myqcloud.com", Secure: true, Region: "ap-shanghai", Gzip: true, Addressing: "virtual"}},
		{"路径式", "s3://banmian?endpoint=http://127.0.0.1:9000&pathStyle=true",
			Target{Kind: KindS3, Bucket: "banmian", Endpoint: "127.0.0.1:9000", Addressing: "path"}},
		{"AWS", "s3://bucket/a/b", Target{Kind: KindS3, Bucket: "bucket", Prefix: "a/b/", Endpoint: "s3.amazonaws.com", Secure: true}},
		{"文件夹", "file:///srv/www/banmian", Target{Kind: KindFolder, Dir: "/srv/www/banmian"}},
		{"路径", "/srv/www/banmian/", Target{Kind: KindFolder, Dir: "/srv/www/banmian"}},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTarget(content.DeployTarget{Name: "x", URL: c.url})
			if err != nil {
				t.Fatal(err)
			}
			c.want.Name = "x"
			if *got != c.want {
				t.Fatalf("got %+v\nwant %+v", *got, c.want)
			}
		})
	}
	bad := []struct{ name, url, msg string }{
		{"空", "", "没有填写 url"},
		{"未知协议", "ftp://host/x", "不认识的地址类型"},
		{"没有桶", "s3:///x", "没有存储桶名"},
		{"前缀越界", "s3://b/../x", "不规范"},
		{"endpoint 带路径", "s3://b?endpoint=https://host/path", "endpoint"},
		{"endpoint 无协议", "s3://b?endpoint=host:9000", "endpoint"},
		{"远程文件", "file://otherhost/x", "本机"},
		{"布尔值", "s3://b?gzip=yes", "true 或 false"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTarget(content.DeployTarget{Name: "x", URL: c.url})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want ErrConfig with %q", err, c.msg)
			}
		})
	}
}

// TestAutoCoalesces: triggers during a deploy cost one more deploy, not
// one each, and a failure is kept as the status with its Chinese reason.
func TestAutoCoalesces(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	runs := 0
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	fail := true
	a := NewAuto("oss", func(ctx context.Context) (Stats, error) {
		mu.Lock()
		runs++
		mu.Unlock()
		started <- struct{}{}
		<-release
		mu.Lock()
		f := fail
		mu.Unlock()
		if f {
			return Stats{}, newError(ErrNoBucket, nil, "存储桶 x 不存在", "bucket x does not exist")
		}
		return Stats{Uploaded: 3}, nil
	}, nil)
	defer a.Close()
	if a.Status().State != StateIdle {
		t.Fatal("not idle at first")
	}
	a.Trigger()
	<-started
	if st := a.Status(); st.State != StateRunning {
		t.Fatalf("state %v while running", st.State)
	}
	a.Trigger()
	a.Trigger()
	a.Trigger()
	release <- struct{}{} // the first run fails; one more starts for the three triggers
	<-started
	mu.Lock()
	fail = false
	mu.Unlock()
	release <- struct{}{}
	a.Wait()
	mu.Lock()
	n := runs
	mu.Unlock()
	if n != 2 {
		t.Fatalf("%d runs, want 2", n)
	}
	if st := a.Status(); st.State != StateDone || st.Stats.Uploaded != 3 || st.Reason != "" || st.At.IsZero() {
		t.Fatalf("status %+v", st)
	}

	mu.Lock()
	fail = true
	mu.Unlock()
	a.Trigger()
	<-started
	release <- struct{}{}
	a.Wait()
	if st := a.Status(); st.State != StateFailed || st.Reason != "存储桶 x 不存在" {
		t.Fatalf("status %+v", st)
	}
}

// TestRetryBacksOff: transient errors are retried, waiting longer each
// time; others are not.
func TestRetryBacksOff(t *testing.T) {
	t.Parallel()
	r := retrier{tries: 3, wait: time.Millisecond}
	n := 0
	err := r.do(context.Background(), func() error {
		n++
		if n < 3 {
			return &transientError{errors.New("503")}
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("err %v after %d tries", err, n)
	}
	n = 0
	err = r.do(context.Background(), func() error { n++; return &transientError{errors.New("503")} })
	if err == nil || n != 4 {
		t.Fatalf("err %v after %d tries, want failure after 4", err, n)
	}
	n = 0
	err = r.do(context.Background(), func() error { n++; return ErrCredentials })
	if err == nil || n != 1 {
		t.Fatalf("a permanent error was retried %d times", n)
	}
}
