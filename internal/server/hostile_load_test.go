package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// hostileLoad is the outcome of runHostileLoad.
type hostileLoad struct {
	normal   []time.Duration // latency of each normal request
	byKind   [4][]time.Duration
	accepted []string // submissions answered 201, normal and hostile
	hostile  int      // hostile requests sent
	errs     []string // failed normal requests
}

// runHostileLoad runs clients normal clients (reader pages, small
// submissions, searches) for d on loopback, and each at least one of
// each, while one more sends hostile bodies without pause: each shape just under the body cap as a submission and
// as a preview, and at 1.9 MB (refused). It returns once every client is
// done.
func runHostileLoad(tb testing.TB, e *testEnv, clients int, d time.Duration) *hostileLoad {
	tb.Helper()
	c := loadClient()
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	out := &hostileLoad{}
	accept := func(status int, body string) {
		if status != http.StatusCreated {
			return
		}
		var r struct{ ID string }
		if json.Unmarshal([]byte(body), &r) == nil && r.ID != "" {
			mu.Lock()
			out.accepted = append(out.accepted, r.ID)
			mu.Unlock()
		}
	}
	send := func(method, path, user, ctype, body string) (int, string, error) {
		req, _ := http.NewRequest(method, e.base+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	underSize, overSize := hostileSizes()
	var under, over []string
	for _, hb := range hostileBodies {
		if !hb.deep {
			under = append(under, hb.gen(underSize))
		}
		over = append(over, hb.gen(overSize))
	}
	var wg sync.WaitGroup
	for h := range 1 {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				var status int
				var body string
				var err error
				switch n % 3 {
				case 0:
					status, body, err = send("POST", "/api/submissions", "hongqiao", "application/json",
						mustJSON(tb, map[string]string{"title": fmt.Sprintf("恶意稿件%d-%d", h, n), "body": under[n%len(under)]}))
					accept(status, body)
				case 1:
					status, _, err = send("POST", "/desk/preview", "hongqiao", "application/json", mustJSON(tb, map[string]string{"body": under[n%len(under)]}))
				case 2:
					status, _, err = send("POST", "/desk/preview", "hongqiao", "application/json", mustJSON(tb, map[string]string{"body": over[n%len(over)]}))
					if status == http.StatusBadRequest {
						status = http.StatusOK // refused, as it should be
					}
				}
				mu.Lock()
				out.hostile++
				mu.Unlock()
				if err != nil || status >= 400 {
					tb.Errorf("hostile request %d: %d %v", n, status, err)
				}
			}
		})
	}
	for i := range clients {
		wg.Go(func() {
			user := []string{"changzheng", "hongqiao"}[i%2]
			var lat []time.Duration
			var kinds [4][]time.Duration
			var errs []string
			// Each client makes every kind of request at least once.
			for n := 0; n < 4 || time.Now().Before(deadline); n++ {
				start := time.Now()
				var status int
				var body string
				var err error
				switch n % 4 {
				case 0:
					status, err = get(c, e.base+"/")
				case 1:
					status, body, err = send("POST", "/api/submissions?submit=1", user, "application/json",
						fmt.Sprintf(`{"title":"压力测试%d-%d","body":"长征镇居民积极参与垃圾分类，第%d次。"}`, i, n, n))
					accept(status, body)
				case 2:
					status, body, err = send("GET", "/api/submissions?q="+url.QueryEscape("长征"), user, "", "")
				case 3:
					status, err = get(c, e.base+"/stories/changzheng-guandao/")
				}
				lat = append(lat, time.Since(start))
				kinds[n%4] = append(kinds[n%4], time.Since(start))
				if err != nil || status >= 400 {
					errs = append(errs, fmt.Sprintf("client %d request %d: %d %v %.100s", i, n, status, err, body))
				}
			}
			mu.Lock()
			out.normal = append(out.normal, lat...)
			for k := range kinds {
				out.byKind[k] = append(out.byKind[k], kinds[k]...)
			}
			out.errs = append(out.errs, errs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// lost counts the submissions answered 201 that are not in the store.
func (l *hostileLoad) lost(tb testing.TB, e *testEnv) int {
	tb.Helper()
	subs, err := e.st.Submissions(store.SubmissionFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	stored := map[string]bool{}
	for _, s := range subs {
		stored[s.ID] = true
	}
	lost := 0
	for _, id := range l.accepted {
		if !stored[id] {
			lost++
		}
	}
	return lost
}

// TestLoadWithHostileBodies: 50 clients for 4 s on loopback while another
// sends hostile bodies. No normal request fails, every accepted submission
// is in the store and found by search, and the latency of normal requests
// is reported. The latency assertion is a generous 10 s at the 99th
// percentile, because this runs under -race on shared 2-core machines
// where wall-clock targets flake; the old server failed it by far (one
// hostile body held the preview, and the index worker with every search
// waiting for it, for 20 s to minutes). The 100 ms target is checked by
// BenchmarkLoadWithHostileBodies.
func TestLoadWithHostileBodies(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes, c.RenderTimeout = 16<<20, time.Minute })
	l := runHostileLoad(t, e, 50, 4*time.Second)
	for _, msg := range l.errs[:min(len(l.errs), 10)] {
		t.Error(msg)
	}
	lost := l.lost(t, e)
	if lost > 0 || len(l.accepted) == 0 {
		t.Errorf("%d of %d accepted submissions are not in the store", lost, len(l.accepted))
	}
	// Every submission, hostile ones included, reached the index.
	if got := e.listIDs("editor", url.Values{"q": {"垃圾分类"}}); len(got) == 0 {
		t.Error("search finds none of the submissions made under load")
	}
	p50, p99 := percentile(l.normal, 0.50), percentile(l.normal, 0.99)
	t.Logf("%d normal requests (p50 %v, p99 %v, max %v), %d hostile, %d submissions accepted, %d lost",
		len(l.normal), p50, p99, slices.Max(l.normal), l.hostile, len(l.accepted), lost)
	for k, name := range []string{"home page", "submission", "search", "story page"} {
		t.Logf("%s: %d requests, p50 %v, p99 %v", name, len(l.byKind[k]), percentile(l.byKind[k], 0.5), percentile(l.byKind[k], 0.99))
	}
	if p99 > 10*time.Second {
		t.Errorf("p99 of normal requests %v, over 10 s", p99)
	}
}

// BenchmarkLoadWithHostileBodies reports the normal requests' p50 and p99
// under the hostile load of TestLoadWithHostileBodies, and the accepted
// submissions missing from the store. It fails on a lost submission, and
// on a p99 above 100 ms (run it without -race, on a machine that is
// otherwise idle). The figures are logged too, since a failed benchmark
// prints no metrics.
func BenchmarkLoadWithHostileBodies(b *testing.B) {
	e := newEnv(b, func(c *Config) { c.MaxBodyBytes = 16 << 20 })
	var all []time.Duration
	var byKind [4][]time.Duration
	lost, accepted, hostile := 0, 0, 0
	for b.Loop() {
		l := runHostileLoad(b, e, 50, 4*time.Second)
		all = append(all, l.normal...)
		for k := range byKind {
			byKind[k] = append(byKind[k], l.byKind[k]...)
		}
		for _, msg := range l.errs[:min(len(l.errs), 10)] {
			b.Error(msg)
		}
		lost += l.lost(b, e)
		accepted += len(l.accepted)
		hostile += l.hostile
	}
	p50, p99 := percentile(all, 0.50), percentile(all, 0.99)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(lost), "lost")
	b.Logf("%d normal requests (p50 %v, p99 %v), %d hostile, %d submissions accepted, %d lost",
		len(all), p50, p99, hostile, accepted, lost)
	for k, name := range []string{"home page", "submission", "search", "story page"} {
		b.Logf("%s: %d requests, p50 %v, p99 %v", name, len(byKind[k]), percentile(byKind[k], 0.5), percentile(byKind[k], 0.99))
	}
	if lost > 0 || accepted == 0 {
		b.Errorf("%d of %d accepted submissions are not in the store", lost, accepted)
	}
	if p99 > 100*time.Millisecond {
		b.Errorf("p99 of normal requests %v, over 100 ms", p99)
	}
}
