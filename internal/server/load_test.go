package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// loadClient is an HTTP client for many concurrent requests to one host.
func loadClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100, MaxConnsPerHost: 100}}
}

func get(c *http.Client, u string, hdr ...string) (int, error) {
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func post(c *http.Client, u, token, body string) (int, error) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestLoad runs 50 concurrent clients mixing reader pages, searches and
// submissions against a server on loopback for a bounded time, then checks
// that every accepted submission is in the store.
func TestLoad(t *testing.T) {
	e := newEnv(t)
	const clients = 50
	deadline := time.Now().Add(2 * time.Second)
	c := loadClient()
	var mu sync.Mutex
	var accepted []string
	var reqs, failures atomic.Int64
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := []string{"changzheng", "hongqiao"}[i%2]
			for n := 0; time.Now().Before(deadline) && n < 200; n++ {
				var status int
				var err error
				switch n % 4 {
				case 0, 1:
					status, err = get(c, e.base+[]string{"/", "/stories/changzheng-guandao/"}[n%2])
				case 2:
					status, err = get(c, e.base+"/api/search?q="+url.QueryEscape("长征"))
				case 3:
					req, _ := http.NewRequest("POST", e.base+"/api/submissions?submit=1", strings.NewReader(fmt.Sprintf(`{"title":"压力测试%d-%d","body":"正文%d。"}`, i, n, n)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+e.tokens[user])
					resp, rerr := c.Do(req)
					if rerr != nil {
						err = rerr
						break
					}
					var body strings.Builder
					io.Copy(&body, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
					if status == 201 {
						id := strings.Split(strings.Split(body.String(), `"id":"`)[1], `"`)[0]
						mu.Lock()
						accepted = append(accepted, id)
						mu.Unlock()
					}
				}
				reqs.Add(1)
				if err != nil || status >= 400 {
					failures.Add(1)
					t.Errorf("client %d request %d: %d %v", i, n, status, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(accepted) == 0 {
		t.Fatal("no submissions accepted")
	}
	subs, err := e.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	for _, id := range accepted {
		if !slices.Contains(ids, id) {
			t.Errorf("accepted submission %s is not in the store", id)
		}
	}
	t.Logf("%d requests, %d submissions, %d failures", reqs.Load(), len(accepted), failures.Load())
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkReaderPages measures reader page requests per second over
// loopback with 50 concurrent clients.
func BenchmarkReaderPages(b *testing.B) {
	e := newEnv(b)
	c := loadClient()
	b.SetParallelism(25) // 2 cores × 25 = 50 clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if st, err := get(c, e.base+"/stories/changzheng-guandao/"); err != nil || st != 200 {
				b.Errorf("%d %v", st, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSubmissions measures API submissions per second and their p99
// latency with 50 concurrent clients (test store: bcrypt min cost, no fsync).
func BenchmarkSubmissions(b *testing.B) {
	e := newEnv(b)
	c := loadClient()
	var mu sync.Mutex
	var lat []time.Duration
	var n atomic.Int64
	b.SetParallelism(25)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := n.Add(1)
			start := time.Now()
			st, err := post(c, e.base+"/api/submissions?submit=1", e.tokens["changzheng"], fmt.Sprintf(`{"title":"基准稿件%d","body":"长征镇居民积极参与垃圾分类。"}`, i))
			mine = append(mine, time.Since(start))
			if err != nil || st != 201 {
				b.Errorf("%d %v", st, err)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "subs/s")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}
