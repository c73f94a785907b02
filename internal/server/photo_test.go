package server

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

func jpegBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 Exif segment holding a GPS marker after SOI.
func withEXIF(j []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte("GPSLatitude=31.2304N;GPSLongitude=121.4737E")...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, j[2:]...)
}

func postMultipart(t testing.TB, e *testEnv, c *http.Client, path string, fields map[string]string, fileField, fileName string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(fileField, fileName)
	fw.Write(data)
	mw.Close()
	return e.do(c, "POST", path, mw.FormDataContentType(), &buf)
}

func TestProcessPhoto(t *testing.T) {
	t.Parallel()
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 3000, 1000)))
	for _, tc := range []struct {
		name       string
		data       []byte
		typ        string
		w, h       int
		wantStatus int
	}{
		{"大照片带GPS", withEXIF(jpegBytes(t, 2000, 1500)), "image/jpeg", 1600, 1200, 0},
		{"小照片", jpegBytes(t, 300, 200), "image/jpeg", 300, 200, 0},
		{"宽PNG", pngBuf.Bytes(), "image/png", 1600, 533, 0},
		{"冒充图片的文本", []byte("<html><script>alert(1)</script>"), "", 0, 0, 415},
		{"损坏的JPEG", jpegBytes(t, 50, 50)[:40], "", 0, 0, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := processPhoto(tc.data)
			if tc.wantStatus != 0 {
				st, _ := statusOf(err)
				if st != tc.wantStatus {
					t.Fatalf("status %d (%v), want %d", st, err, tc.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tc.typ || p.Width != tc.w || p.Height != tc.h {
				t.Errorf("got %s %dx%d", p.Type, p.Width, p.Height)
			}
			if bytes.Contains(p.Data, []byte("Exif")) || bytes.Contains(p.Data, []byte("GPS")) {
				t.Errorf("metadata survived re-encoding")
			}
		})
	}
}

func TestPhotoUploadStripsMetadata(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, token := e.login("changzheng")
	id := e.mustSubmission("changzheng", "长征镇", "有照片", "正文。", store.StatusDraft)
	resp, body := postMultipart(t, e, c, "/desk/submissions/"+id+"/photos", map[string]string{"csrf": token, "caption": "食堂一角"}, "photo", "x.jpg", withEXIF(jpegBytes(t, 2400, 1200)))
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	sub, _ := e.st.Submission(id)
	if len(sub.Photos) != 1 || sub.Photos[0].Width != 1600 || sub.Photos[0].Caption != "食堂一角" {
		t.Fatalf("photos: %+v", sub.Photos)
	}
	resp, data := e.do(c, "GET", "/desk/submissions/"+id+"/photos/"+sub.Photos[0].Name, "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || bytes.Contains([]byte(data), []byte("GPS")) {
		t.Errorf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Another office cannot see it.
	hc, _ := e.login("hongqiao")
	if resp, _ := e.do(hc, "GET", "/desk/submissions/"+id+"/photos/"+sub.Photos[0].Name, "", nil); resp.StatusCode != 404 {
		t.Errorf("other office sees the photo: %d", resp.StatusCode)
	}
}
