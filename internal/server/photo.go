package server

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Photo limits.
const (
	photoMaxSide   = 1600     // longest side after resizing, pixels
	photoMaxPixels = 50 << 20 // refuse images claiming more pixels (decompression bombs)
	photoQuality   = 85
)

// processedPhoto is an uploaded photo made safe for the web.
type processedPhoto struct {
	Data          []byte
	Type, Ext     string
	Width, Height int
}

// processPhoto sniffs the type of an uploaded image (JPEG, PNG or WebP,
// whatever its name says), decodes it, scales it down to photoMaxSide and
// encodes it again, which drops every metadata block (EXIF with GPS, XMP,
// comments). PNG stays PNG (line art, transparency); the rest become JPEG.
func processPhoto(data []byte) (*processedPhoto, error) {
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
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > photoMaxPixels {
		return nil, errorf(http.StatusRequestEntityTooLarge, "照片尺寸过大（%d×%d 像素）", cfg.Width, cfg.Height)
	}
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
