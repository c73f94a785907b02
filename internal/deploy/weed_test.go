package deploy

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The deploy tests run against a real S3 server: SeaweedFS's weed binary,
// which .ci/seaweedfs.sh builds from the Go module proxy. It is found in
// $BANMIAN_WEED, on PATH, or in the cache folder the script builds into.
const (
	testKey    = "banmiantest"
	testSecret = "banmian-test-secret-0123456789"
)

// weedServer is one SeaweedFS server (master, volume, filer and S3
// gateway in one process) on free loopback ports.
type weedServer struct {
	cmd      *exec.Cmd
	dir      string
	endpoint string // 127.0.0.1:port of the S3 gateway
	log      *os.File
	done     chan error
	ports    []int
}

var (
	weedOnce sync.Once
	weed     *weedServer
	weedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if weed != nil {
		weed.stop()
	}
	os.Exit(code)
}

// findWeed returns the path of the weed binary, or "".
func findWeed() string {
	if p := os.Getenv("BANMIAN_WEED"); p != "" {
		return p
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	cache := os.Getenv("BANMIAN_CACHE")
	if cache == "" {
		if c, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(c, "banmian")
		}
	}
	if cache != "" {
		m, _ := filepath.Glob(filepath.Join(cache, "seaweedfs-v*", "weed"))
		for i := len(m) - 1; i >= 0; i-- {
			if fi, err := os.Stat(m[i]); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return m[i]
			}
		}
	}
	return ""
}

// mustS3 returns the shared SeaweedFS server, starting it the first time.
// Without the binary the test is skipped, unless BANMIAN_REQUIRE_S3=1.
func mustS3(t testing.TB) *weedServer {
	t.Helper()
	bin := findWeed()
	if bin == "" {
		if os.Getenv("BANMIAN_REQUIRE_S3") == "1" {
			t.Fatal("BANMIAN_REQUIRE_S3=1 but the SeaweedFS binary (weed) was not found: run bash .ci/seaweedfs.sh and set BANMIAN_WEED")
		}
		t.Skip("SeaweedFS (weed) not found: build it with bash .ci/seaweedfs.sh (or set BANMIAN_WEED) to run the S3 deploy tests")
	}
	weedOnce.Do(func() { weed, weedErr = startWeed(bin) })
	if weedErr != nil {
		t.Fatalf("starting SeaweedFS: %v", weedErr)
	}
	return weed
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startWeed(bin string) (w *weedServer, err error) {
	// A short folder: the filer's and gateway's unix sockets live in it.
	dir, err := os.MkdirTemp("", "weed")
	if err != nil {
		return nil, err
	}
	defer func() {
		if w == nil {
			os.RemoveAll(dir)
		}
	}()
	ports, err := freePorts(8)
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`{"identities":[{"name":"banmian","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","Write","List","Tagging"]}]}`, testKey, testSecret)
	if err := os.WriteFile(filepath.Join(dir, "s3.json"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		return nil, err
	}
	// Each bucket is a collection that takes several volumes at once:
	// allow many small ones.
	args := []string{"-logdir=" + dir, "server",
		"-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.telemetry=false", "-master.volumeSizeLimitMB=32", "-volume.max=300",
		fmt.Sprintf("-master.port=%d", ports[0]), fmt.Sprintf("-master.port.grpc=%d", ports[1]),
		fmt.Sprintf("-volume.port=%d", ports[2]), fmt.Sprintf("-volume.port.grpc=%d", ports[3]),
		"-filer", fmt.Sprintf("-filer.port=%d", ports[4]), fmt.Sprintf("-filer.port.grpc=%d", ports[5]),
		"-filer.localSocket=" + filepath.Join(dir, "f.sock"),
		"-s3", fmt.Sprintf("-s3.port=%d", ports[6]), fmt.Sprintf("-s3.port.grpc=%d", ports[7]),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.localSocket=" + filepath.Join(dir, "s.sock"),
		"-s3.config=" + filepath.Join(dir, "s3.json"),
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	ws := &weedServer{cmd: cmd, dir: dir, endpoint: fmt.Sprintf("127.0.0.1:%d", ports[6]), log: log, done: make(chan error, 1), ports: ports}
	go func() { ws.done <- cmd.Wait() }()
	if err := ws.ready(2 * time.Minute); err != nil {
		ws.stop()
		return nil, err
	}
	return ws, nil
}

// ready waits until the gateway stores and lists an object: the master,
// volume server and filer are all up then.
func (w *weedServer) ready(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	c := w.client(testKey, testSecret)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		last = func() error {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := c.MakeBucket(ctx, "ready", minio.MakeBucketOptions{}); err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" && minio.ToErrorResponse(err).Code != "BucketAlreadyExists" {
				return err
			}
			_, err := c.PutObject(ctx, "ready", "probe", strings.NewReader("ok"), 2, minio.PutObjectOptions{SendContentMd5: true, DisableMultipart: true})
			return err
		}()
		if last == nil {
			return nil
		}
		select {
		case err := <-w.done:
			b, _ := os.ReadFile(w.log.Name())
			return fmt.Errorf("weed exited: %v\n%s", err, tail(b))
		case <-ctx.Done():
			b, _ := os.ReadFile(w.log.Name())
			return fmt.Errorf("not ready after %s: %v\n%s", limit, last, tail(b))
		case <-tick.C:
		}
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (w *weedServer) client(key, secret string) *minio.Client {
	c, err := minio.New(w.endpoint, &minio.Options{Creds: credentials.NewStaticV4(key, secret, ""), BucketLookup: minio.BucketLookupPath, Region: "us-east-1"})
	if err != nil {
		panic(err)
	}
	return c
}

func (w *weedServer) stop() {
	w.cmd.Process.Signal(os.Interrupt)
	select {
	case <-w.done:
	case <-time.After(20 * time.Second):
		w.cmd.Process.Kill()
		<-w.done
	}
	w.log.Close()
	os.RemoveAll(w.dir)
	// The master puts its gRPC socket in the system temporary folder.
	for _, p := range w.ports {
		if m, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("seaweedfs-*-%d.sock", p))); len(m) > 0 {
			for _, f := range m {
				os.Remove(f)
			}
		}
	}
}

var bucketSeq struct {
	sync.Mutex
	n int
}

// bucket makes a new empty bucket for one test.
func (w *weedServer) bucket(t testing.TB) string {
	t.Helper()
	bucketSeq.Lock()
	bucketSeq.n++
	name := fmt.Sprintf("banmian-%d", bucketSeq.n)
	bucketSeq.Unlock()
	if err := w.client(testKey, testSecret).MakeBucket(context.Background(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}
