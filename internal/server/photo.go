package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"sync"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Photo limits. A decoded image takes its pixel count times the bytes per
// pixel of its colour model in memory: a 394 KB PNG of 7200×7200 16-bit
// pixels decodes to 415 MB. The header gives both before decoding, so an
// image is refused before it costs anything, and the decodes running at
// once share photoDecodeBudget.
const (
	photoMaxSide      = 1600       // longest side after resizing, pixels
	photoMaxPixels    = 40_000_000 // 40 MP: refuse images claiming more
	photoDecodeBudget = 128 << 20  // bytes of decoded pixels, all decodes at once
	photoQuality      = 85
)

// photoDecodes holds the decoded-pixel memory of the photos being
// processed; every upload waits for its share.
var photoDecodes = newByteBudget(photoDecodeBudget)

// decodedBytes is the memory a decoder allocates for a w×h image in colour
// model m: its pixels times the bytes per pixel (JPEG's Y'CbCr counted as
// 4:4:4, unknown models as 16-bit RGBA).
func decodedBytes(w, h int, m color.Model) int64 {
	bpp := int64(8)
	switch m {
	case color.GrayModel, color.AlphaModel:
		bpp = 1
	case color.Gray16Model, color.Alpha16Model:
		bpp = 2
	case color.YCbCrModel, color.NYCbCrAModel:
		bpp = 4 // 3 bytes of Y'CbCr at 4:4:4, plus alpha for NYCbCrA
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		bpp = 4
	}
	if _, ok := m.(color.Palette); ok {
		bpp = 1
	}
	return int64(w) * int64(h) * bpp
}

// processedPhoto is an uploaded photo made safe for the web.
type processedPhoto struct {
	Data          []byte
	Type, Ext     string
	Width, Height int
}

// processPhoto is processPhotoContext with no deadline and the server's
// decode budget.
func processPhoto(data []byte) (*processedPhoto, error) {
	return processPhotoContext(context.Background(), data, photoDecodes)
}

// processPhotoContext sniffs the type of an uploaded image (JPEG, PNG or
// WebP, whatever its name says), decodes it, scales it down to
// photoMaxSide and encodes it again, which drops every metadata block
// (EXIF with GPS, XMP, comments). PNG stays PNG (line art, transparency);
// the rest become JPEG. The header is read first: an image over
// photoMaxPixels, or whose decoded pixels would not fit in the budget,
// is refused undecoded; otherwise the decode waits (until ctx is done)
// for its share of budget.
func processPhotoContext(ctx context.Context, data []byte, budget *byteBudget) (*processedPhoto, error) {
	kind := http.DetectContentType(data)
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch kind {
	case "image/jpeg":
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case "image/png":
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case "image/webp":
		decode = func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) }
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "只接受 JPEG、PNG 或 WebP 格式的照片（收到的是 %s）", kind)
	}
	cfg, err := config(data)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "照片文件已损坏，无法读取", Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > photoMaxPixels {
		return nil, errorf(http.StatusRequestEntityTooLarge, "照片尺寸过大（%d×%d 像素），上限为 4000 万像素，请缩小后再上传", cfg.Width, cfg.Height)
	}
	// The decoded pixels, and the scaled copy (at most photoMaxSide² RGBA).
	need := decodedBytes(cfg.Width, cfg.Height, cfg.ColorModel) + min(decodedBytes(cfg.Width, cfg.Height, color.RGBAModel), photoMaxSide*photoMaxSide*4)
	if need > budget.size {
		return nil, errorf(http.StatusRequestEntityTooLarge, "照片解码后过大（%d×%d 像素，约 %d MB），请缩小尺寸或另存为 8 位色深后再上传", cfg.Width, cfg.Height, need>>20)
	}
	if err := budget.acquire(ctx, need); err != nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Message: "服务器正忙于处理其他照片，请稍后再试", Err: err}
	}
	defer budget.release(need)
	img, err := decode(data)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "照片文件已损坏，无法读取", Err: err}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > photoMaxSide || h > photoMaxSide {
		if w >= h {
			w, h = photoMaxSide, max(1, h*photoMaxSide/w)
		} else {
			w, h = max(1, w*photoMaxSide/h), photoMaxSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	out := &processedPhoto{Width: w, Height: h}
	if kind == "image/png" {
		if err := png.Encode(&buf, dst); err != nil {
			return nil, fmt.Errorf("encoding PNG: %w", err)
		}
		out.Type, out.Ext = "image/png", ".png"
	} else {
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: photoQuality}); err != nil {
			return nil, fmt.Errorf("encoding JPEG: %w", err)
		}
		out.Type, out.Ext = "image/jpeg", ".jpg"
	}
	out.Data = buf.Bytes()
	return out, nil
}

// byteBudget is a weighted semaphore over bytes: acquire waits until n
// more bytes fit under size. Safe for concurrent use.
type byteBudget struct {
	size int64
	mu   sync.Mutex
	used int64
	peak int64         // the most held at once, for tests
	wake chan struct{} // closed and replaced whenever bytes are released
}

func newByteBudget(size int64) *byteBudget {
	return &byteBudget{size: size, wake: make(chan struct{})}
}

// acquire takes n bytes (n ≤ size), waiting until they fit or ctx is done.
func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used+n <= b.size {
			b.used += n
			b.peak = max(b.peak, b.used)
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release returns n bytes taken by acquire.
func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}
