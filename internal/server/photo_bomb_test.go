package server

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// pngBomb is a valid w×h PNG of 16-bit RGBA pixels, all zero: a few
// hundred KB that decode to w×h×8 bytes.
func pngBomb(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 16, 6, 0, 0, 0) // 16-bit, RGBA, deflate, no filter method, no interlace
	chunk("IHDR", ihdr)
	// Each row is a filter byte (0, none) and zero pixels: all zeros.
	chunk("IDAT", zlibZeros(t, h*(1+w*8)))
	chunk("IEND", nil)
	return out.Bytes()
}

// zlibZeros is a zlib stream of n zero bytes, built without compressing
// them all: once the window holds only zeros, the compressed form of the
// next MB of zeros (a flushed, non-final deflate block) decodes to the
// same MB wherever it stands, so it is repeated.
func zlibZeros(t testing.TB, n int) []byte {
	t.Helper()
	const mb = 1 << 20
	zeros := make([]byte, mb)
	var raw, out bytes.Buffer
	out.Write([]byte{0x78, 0x01}) // zlib header: deflate, 32 KB window, no dictionary
	fw, err := flate.NewWriter(&raw, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	left := n
	if left > 2*mb {
		fw.Write(zeros)
		fw.Flush()
		fw.Write(zeros)
		fw.Flush()
		left -= 2 * mb
		first := bytes.Clone(raw.Bytes())
		raw.Reset()
		fw.Write(zeros)
		fw.Flush()
		block := bytes.Clone(raw.Bytes())
		raw.Reset()
		left -= mb
		out.Write(first)
		out.Write(block)
		for ; left > mb; left -= mb {
			out.Write(block)
		}
	}
	for ; left > 0; left -= min(left, mb) {
		fw.Write(zeros[:min(left, mb)])
	}
	fw.Close()
	out.Write(raw.Bytes())
	// Adler-32 of n zeros: s1 stays 1, s2 adds 1 per byte.
	return binary.BigEndian.AppendUint32(out.Bytes(), uint32(n%65521)<<16|1)
}

// allocated is the bytes the Go heap has allocated since the program
// started; its growth over a stretch bounds the peak heap growth.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestPhotoBombs: eight concurrent uploads of a 7200×7200 16-bit PNG
// (about 400 KB, 415 MB decoded; one drove the old server to 822 MB, four
// to 3.1 GB) are refused from their header with a Chinese 413, and the
// server allocates less than 300 MB in all, so its peak memory grows by
// less than that.
func TestPhotoBombs(t *testing.T) {
	bomb := pngBomb(t, 7200, 7200)
	if cfg, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || cfg.Width != 7200 {
		t.Fatalf("bomb header: %+v %v", cfg, err)
	}
	t.Logf("bomb: %d KB", len(bomb)>>10)
	e := newEnv(t)
	c, token := e.login("changzheng")
	id := e.mustSubmission("changzheng", "长征镇", "有照片", "正文。", store.StatusDraft)
	runtime.GC()
	before := allocated()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, body := postMultipart(t, e, c, "/desk/submissions/"+id+"/photos", map[string]string{"csrf": token}, "photo", "bomb.png", bomb)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "照片尺寸过大") {
				t.Errorf("bomb upload: %d %.200s", resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	grew := allocated() - before
	t.Logf("8 concurrent bombs: %d MB allocated", grew>>20)
	if grew > 300<<20 {
		t.Errorf("8 concurrent bombs allocated %d MB, want under 300 MB", grew>>20)
	}
	if sub, _ := e.st.Submission(id); len(sub.Photos) != 0 {
		t.Errorf("a bomb was stored: %+v", sub.Photos)
	}
}

// TestPhotoDecodeBudget: images under the pixel cap still decode one
// budget at a time: eight concurrent 300×200 16-bit PNGs (480 KB decoded
// each) with a budget for one never hold more than the budget, and all
// are processed. A PNG under 40 MP whose 16-bit pixels would not fit in
// the budget at all is refused undecoded.
func TestPhotoDecodeBudget(t *testing.T) {
	t.Parallel()
	img := pngBomb(t, 300, 200)
	one := decodedBytes(300, 200, image.NewNRGBA64(image.Rect(0, 0, 1, 1)).ColorModel()) + 300*200*4
	budget := newByteBudget(one + one/2)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			p, err := processPhotoContext(context.Background(), img, budget)
			if err != nil {
				t.Error(err)
				return
			}
			if p.Type != "image/png" || p.Width != 300 || p.Height != 200 {
				t.Errorf("got %s %d×%d", p.Type, p.Width, p.Height)
			}
		})
	}
	wg.Wait()
	if budget.peak > budget.size || budget.peak < one || budget.used != 0 {
		t.Errorf("budget %d: peak %d, still used %d", budget.size, budget.peak, budget.used)
	}
	// 6000×6000 is 36 MP, under the pixel cap, but 16-bit it is 288 MB.
	_, err := processPhotoContext(context.Background(), pngBomb(t, 6000, 6000), photoDecodes)
	if st, msg := statusOf(err); st != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "解码后过大") {
		t.Errorf("a 36 MP 16-bit PNG: %d %s", st, msg)
	}
	// A waiting decode gives up when its request does.
	full := newByteBudget(one)
	full.acquire(context.Background(), one)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := processPhotoContext(ctx, img, full); err == nil {
		t.Error("a decode waiting for the budget ignored its cancelled context")
	}
}

func TestZlibZeros(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1000, 1<<20 + 7, 4<<20 + 5} {
		r, err := zlib.NewReader(bytes.NewReader(zlibZeros(t, n)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err == nil {
			err = r.Close()
		}
		if err != nil || len(got) != n || bytes.ContainsFunc(got, func(r rune) bool { return r != 0 }) {
			t.Errorf("n=%d: %d bytes, %v", n, len(got), err)
		}
	}
}
