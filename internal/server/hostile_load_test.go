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

// loadModel is how runHostileLoad's normal clients send their requests.
//
// With Rate 0 the loop is closed: each client sends its next request as
// soon as the last is answered, with no think time. On two cores that is
// saturation, and latency mostly measures the queue (by Little's law the
// mean latency is Clients divided by the throughput), whatever else runs.
//
// With Rate > 0 the load is open: each client has a schedule of Rate
// requests a second (clients evenly staggered), the way wrk2 and k6's
// constant-arrival-rate executor send, and each request's latency is
// measured from its scheduled start, not from when it was sent. A client
// that falls behind sends at once, and its lateness counts as latency: a
// slow server cannot slow the load down and hide its own queue
// (coordinated omission).
type loadModel struct {
	Clients  int
	Duration time.Duration
	Rate     float64 // each normal client's requests a second; 0: closed loop
	Hostile  bool    // one more client sends hostile bodies without pause
}

// pacedRate is each normal client's rate in the paced load model: 50
// clients at 5 requests a second are 250 requests a second, a quarter of
// them submissions (about 60 a second) and a quarter searches of the
// desk. A district newspaper's desk has a few dozen users and its reader
// site some thousands of readers a day, a few requests a second in a busy
// minute; 250 a second is far above that, and an eighth to a quarter of
// what the server answers at saturation on two cores with the hostile
// stream (BenchmarkLoadWithHostileBodies/saturated reports it; the
// figure moves with what else the machine runs).
const pacedRate = 5

// loadKinds names the kinds of normal request, in the order each client
// cycles through them.
var loadKinds = [...]string{"home page", "submission", "search", "story page"}

// hostileLoad is the outcome of runHostileLoad.
type hostileLoad struct {
	normal   []time.Duration // latency of each normal request
	byKind   [len(loadKinds)][]time.Duration
	accepted []string // submissions answered 201, normal and hostile
	hostile  int      // hostile requests sent
	errs     []string // failed normal requests
	elapsed  time.Duration
}

// runHostileLoad runs m.Clients normal clients (reader pages, small
// submissions, searches of the desk) on loopback for m.Duration, each at
// least one of each kind, while with m.Hostile one more sends hostile
// bodies without pause: each shape just under the body cap as a
// submission and as a preview, and at 1.9 MB (refused: with a
// Config.MaxBodyBytes over it, as the benchmark sets, unread since it is
// over storyRequestMax). It returns once
// every client is done.
func runHostileLoad(tb testing.TB, e *testEnv, m loadModel) *hostileLoad {
	tb.Helper()
	c := loadClient()
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
		// Enough for an error or a new submission's ID; the rest (a
		// preview of a hostile body is megabytes) is read and dropped,
		// so that the generator does little work.
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		return resp.StatusCode, string(b), err
	}
	under, over := hostileJSON()
	preview := func(body string) string { return `{"body":` + body + `}` }
	underPreview, overPreview := make([]string, len(under)), make([]string, len(over))
	for i := range under {
		underPreview[i] = preview(under[i])
	}
	for i := range over {
		overPreview[i] = preview(over[i])
	}
	start := time.Now()
	deadline := start.Add(m.Duration)
	var wg sync.WaitGroup
	if m.Hostile {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				var status int
				var body string
				var err error
				switch n % 3 {
				case 0:
					status, body, err = send("POST", "/api/submissions", "hongqiao", "application/json",
						fmt.Sprintf(`{"title":"恶意稿件%d","body":%s}`, n, under[n%len(under)]))
					accept(status, body)
				case 1:
					status, _, err = send("POST", "/desk/preview", "hongqiao", "application/json", underPreview[n%len(under)])
				case 2:
					status, _, err = send("POST", "/desk/preview", "hongqiao", "application/json", overPreview[n%len(over)])
					if status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge {
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
	for i := range m.Clients {
		wg.Go(func() {
			user := []string{"changzheng", "hongqiao"}[i%2]
			var lat []time.Duration
			var kinds [len(loadKinds)][]time.Duration
			var errs []string
			var interval time.Duration
			var pace *time.Timer
			if m.Rate > 0 {
				interval = time.Duration(float64(time.Second) / m.Rate)
				pace = time.NewTimer(0)
				defer pace.Stop()
			}
			// Each client makes every kind of request at least once.
			for n := 0; ; n++ {
				sent := time.Now() // closed loop: when it is sent
				if m.Rate > 0 {
					// Open loop: when it is due. Client i of k starts
					// i/k of an interval after the first.
					sent = start.Add(interval*time.Duration(n) + interval*time.Duration(i)/time.Duration(m.Clients))
					if wait := time.Until(sent); wait > 0 {
						pace.Reset(wait)
						<-pace.C
					}
				}
				if n >= len(loadKinds) && !sent.Before(deadline) {
					break
				}
				var status int
				var body string
				var err error
				k := n % len(loadKinds)
				switch k {
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
				d := time.Since(sent)
				lat = append(lat, d)
				kinds[k] = append(kinds[k], d)
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
	out.elapsed = time.Since(start)
	return out
}

// hostileJSON returns the hostile bodies as JSON strings: each shape just
// under the body cap (under), and each at 1.9 MB (over; see
// hostileSizes). They are encoded once per test binary, so that the load
// generator's own work (in the server's process, on the same cores) does
// not count against the server.
var hostileJSON = sync.OnceValues(func() (under, over []string) {
	underSize, overSize := hostileSizes()
	enc := func(s string) string {
		b, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	for _, hb := range hostileBodies {
		if !hb.deep {
			under = append(under, enc(hb.gen(underSize)))
		}
		over = append(over, enc(hb.gen(overSize)))
	}
	return under, over
})

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

// TestLoadWithHostileBodies: 50 clients, each at pacedRate (a fifth of it
// under -race), for 4 s on loopback while another sends hostile bodies
// without pause. No normal request fails, every accepted submission is in
// the store and found by search, and the latency of normal requests is
// reported. The latency assertion is a generous 10 s at the 99th
// percentile, because this runs under -race on shared 2-core machines
// where wall-clock targets flake; the old server failed it by far (one
// hostile body held the preview, and the index worker with every search
// waiting for it, for 20 s to minutes). The 100 ms target is checked by
// BenchmarkLoadWithHostileBodies.
func TestLoadWithHostileBodies(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes, c.RenderTimeout = 16<<20, time.Minute })
	rate := float64(pacedRate)
	if raceEnabled {
		// The race detector slows the server 5-10 times: past
		// saturation, an open loop measures only how far behind it
		// falls.
		rate /= 5
	}
	l := runHostileLoad(t, e, loadModel{Clients: 50, Duration: 4 * time.Second, Rate: rate, Hostile: true})
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
	for k, name := range loadKinds {
		t.Logf("%s: %d requests, p50 %v, p99 %v", name, len(l.byKind[k]), percentile(l.byKind[k], 0.5), percentile(l.byKind[k], 0.99))
	}
	if p99 > 10*time.Second {
		t.Errorf("p99 of normal requests %v, over 10 s", p99)
	}
}

// BenchmarkLoadWithHostileBodies reports the normal requests' p50 and p99
// (all, and by kind), their rate, the hostile requests' rate and the
// accepted submissions missing from the store, for 50 clients over 4 s in
// four load models:
//
//   - paced: each client at pacedRate, with the hostile stream. It fails
//     on a p99 above 100 ms (run it without -race, on a machine that is
//     otherwise idle).
//   - paced-quiet: the same without the hostile stream, so that the
//     hostile bodies' cost shows.
//   - paced-double: twice pacedRate with the hostile stream, to show how
//     close the target is to the knee. It fails on no latency.
//   - saturated and saturated-quiet: closed loops with no think time,
//     which measure the most the server answers (req/s), and the queue
//     that makes at saturation. They fail on no latency.
//
// Every model fails on a lost submission or a failed normal request. The
// figures are logged too, since a failed benchmark prints no metrics.
//
//	go test ./internal/server -run XXX -bench LoadWithHostileBodies -benchtime 1x
func BenchmarkLoadWithHostileBodies(b *testing.B) {
	for _, bm := range []struct {
		name  string
		model loadModel
		p99   time.Duration // the target, if any
	}{
		{"paced", loadModel{Rate: pacedRate, Hostile: true}, 100 * time.Millisecond},
		{"paced-quiet", loadModel{Rate: pacedRate}, 0},
		{"paced-double", loadModel{Rate: 2 * pacedRate, Hostile: true}, 0},
		{"saturated", loadModel{Hostile: true}, 0},
		{"saturated-quiet", loadModel{}, 0},
	} {
		b.Run(bm.name, func(b *testing.B) {
			m := bm.model
			m.Clients, m.Duration = 50, 4*time.Second
			benchmarkLoad(b, m, bm.p99)
		})
	}
}

// benchmarkLoad runs runHostileLoad b.N times on one server and reports
// what BenchmarkLoadWithHostileBodies says, failing on a p99 above target
// (if not 0).
func benchmarkLoad(b *testing.B, m loadModel, target time.Duration) {
	e := newEnv(b, func(c *Config) { c.MaxBodyBytes = 16 << 20 })
	var all []time.Duration
	var byKind [len(loadKinds)][]time.Duration
	lost, accepted, hostile := 0, 0, 0
	var elapsed time.Duration
	hostileJSON()
	for b.Loop() {
		l := runHostileLoad(b, e, m)
		elapsed += l.elapsed
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
	secs := elapsed.Seconds()
	p50, p99 := percentile(all, 0.50), percentile(all, 0.99)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	for k, unit := range []string{"home", "submit", "search", "story"} {
		b.ReportMetric(ms(percentile(byKind[k], 0.99)), unit+"-p99-ms")
	}
	b.ReportMetric(float64(len(all))/secs, "req/s")
	b.ReportMetric(float64(hostile)/secs, "hostile/s")
	b.ReportMetric(float64(lost), "lost")
	b.Logf("%d normal requests (p50 %v, p99 %v, %.0f req/s), %d hostile (%.1f/s), %d submissions accepted, %d lost",
		len(all), p50, p99, float64(len(all))/secs, hostile, float64(hostile)/secs, accepted, lost)
	for k, name := range loadKinds {
		b.Logf("%s: %d requests, p50 %v, p99 %v", name, len(byKind[k]), percentile(byKind[k], 0.5), percentile(byKind[k], 0.99))
	}
	if lost > 0 || accepted == 0 {
		b.Errorf("%d of %d accepted submissions are not in the store", lost, accepted)
	}
	if target > 0 && p99 > target {
		b.Errorf("p99 of normal requests %v, over %v", p99, target)
	}
}
