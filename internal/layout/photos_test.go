package layout

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/banmian/banmian/internal/browsertest"
	"github.com/banmian/banmian/internal/content"
)

// pngOf is a w×h PNG.
func pngOf(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), 120, uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// photoPage is the sample with a story that has a photo in its copy and
// one more only in its front matter.
func photoPage(t *testing.T) (*content.Content, *content.Edition, fstest.MapFS) {
	c, e := withStories(t)
	s := &content.Story{Slug: "shitang", Title: "社区食堂开张", Credit: "长征镇", Path: "stories/2025/shitang/index.md",
		Date: time.Date(2025, 6, 17, 0, 0, 0, 0, time.UTC),
		Body: []byte("第一段写食堂开张的情形。\n\n![居民在食堂用餐](1.png)\n\n第二段写居民的评价。\n"),
		Params: map[string]any{"photos": []any{
			map[string]any{"file": "1.png", "caption": "居民在食堂用餐"},
			map[string]any{"file": "2.png", "caption": "食堂外景"},
		}},
	}
	c.Stories = append(c.Stories, s)
	e.Items = append(e.Items, content.Item{Story: s.Slug})
	assets := fstest.MapFS{
		"stories/2025/shitang/1.png": {Data: pngOf(t, 160, 120)},
		"stories/2025/shitang/2.png": {Data: pngOf(t, 120, 160)},
	}
	return c, e, assets
}

func TestPhotosInPreview(t *testing.T) {
	t.Parallel()
	c, e, assets := photoPage(t)
	html, rep, err := Preview(c, e, Options{Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	start := strings.Index(h, `data-item="shitang"`)
	if start < 0 {
		t.Fatal("no module for the photo story")
	}
	h = h[start:]
	h = h[:strings.Index(h, "</article>")]
	order := []string{"第一段写食堂开张", `<figure class="photo"><img src="data:image/png;base64,`, "<figcaption>居民在食堂用餐</figcaption>",
		"第二段写居民的评价", "<figcaption>食堂外景</figcaption>", `class="credit">长征镇 供稿<`}
	at := 0
	for _, want := range order {
		i := strings.Index(h[at:], want)
		if i < 0 {
			t.Fatalf("after position %d the module lacks %q (photos where the writer put them, credit last):\n%s", at, want, h)
		}
		at += i + len(want)
	}
	if strings.Count(h, "<figure") != 2 {
		t.Errorf("%d figures, want 2", strings.Count(h, "<figure"))
	}

	// The photos take lines: without the files they are placeholders of
	// the default shape, and the portrait photo is taller than that.
	with := rep.Module("shitang").LinesNeeded
	_, rep0, err := Preview(c, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if without := rep0.Module("shitang").LinesNeeded; with <= without || with < 20 {
		t.Errorf("lines needed with photos %d, with placeholders %d: the photos should take their height", with, without)
	}
	html0, _, _ := Preview(c, e, Options{})
	if !bytes.Contains(html0, []byte("照片缺失：1.png")) {
		t.Error("a missing photo file is not marked in the preview")
	}
}

func TestPhotosInPDF(t *testing.T) {
	t.Parallel()
	p := mustPrinter(t)
	if !browsertest.Tool(t, "pdfimages") {
		t.Skip("skipping: pdfimages (poppler-utils) is missing")
	}
	c, e, assets := photoPage(t)
	html, _, err := Preview(c, e, Options{Clean: true, Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pdf, err := p.PDF(ctx, html)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "page.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	sizes := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && ((f[3] == "160" && f[4] == "120") || (f[3] == "120" && f[4] == "160")) {
			sizes++
		}
	}
	if sizes < 2 {
		t.Errorf("the PDF holds %d of the 2 photos:\n%s", sizes, out)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.ReplaceAll(string(text), " ", "")
	if !strings.Contains(flat, "居民在食堂用餐") || !strings.Contains(flat, "食堂外景") {
		t.Errorf("the PDF lacks the captions")
	}
}
