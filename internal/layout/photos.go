package layout

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"image"
	_ "image/gif" // photo sizes
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"math"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/banmian/banmian/internal/content"
)

// Photos on the print page: a photo sits in one text column where the
// writer put it in the copy (![说明](1.jpg)), as wide as the column, its
// caption under it; photos listed in the story's front matter ("photos":
// [{file, caption}]) but not placed in the copy follow the last
// paragraph. The credit line stays last. Photo files are read from
// Options.Assets (the content folder) next to the story's file and
// embedded in the preview as data: URLs, so the PDF needs nothing else.

// maxPhotoBytes caps one embedded photo.
const maxPhotoBytes = 16 << 20

// defaultAspect is height/width for a photo whose file is missing.
const defaultAspect = 0.75

// imgPara is the paragraph the Markdown renderer makes of an image alone
// on its line.
var imgPara = regexp.MustCompile(`<p><img src="([^"]*)" alt="([^"]*)"\s*/?></p>`)

// photo is one photo of a story.
type photo struct {
	src, caption string
	aspect       float64 // height / width
	dataURL      string  // "" when the file is missing
}

// storyPhotos replaces the photo paragraphs of body with figures, adds the
// front matter's unplaced photos at its end, and returns the estimator
// blocks with a Photo block in place of each caption line.
func storyPhotos(s *content.Story, body template.HTML, blocks []Block, assets fs.FS) (template.HTML, []Block) {
	seen := map[string]bool{}
	var placedPhotos []*photo
	out := imgPara.ReplaceAllStringFunc(string(body), func(m string) string {
		sm := imgPara.FindStringSubmatch(m)
		src, alt := html.UnescapeString(sm[1]), html.UnescapeString(sm[2])
		ph := loadPhoto(s, src, alt, assets)
		seen[src] = true
		placedPhotos = append(placedPhotos, ph)
		return ph.figure()
	})
	// Caption lines of placed photos become Photo blocks, in order.
	var bl []Block
	k := 0
	for _, b := range blocks {
		if k < len(placedPhotos) && b.Kind == Paragraph && b.Text == strings.TrimSpace(placedPhotos[k].caption) {
			bl = append(bl, Block{Kind: Photo, Text: placedPhotos[k].caption, Aspect: placedPhotos[k].aspect})
			k++
			continue
		}
		bl = append(bl, b)
	}
	list, _ := s.Params["photos"].([]any)
	var tail strings.Builder
	for _, it := range list {
		m, _ := it.(map[string]any)
		file, _ := m["file"].(string)
		if file == "" || seen[file] {
			continue
		}
		caption, _ := m["caption"].(string)
		ph := loadPhoto(s, file, caption, assets)
		seen[file] = true
		tail.WriteString(ph.figure())
		bl = append(bl, Block{Kind: Photo, Text: caption, Aspect: ph.aspect})
	}
	return template.HTML(out + tail.String()), bl
}

// loadPhoto reads a photo next to story s, if it is there and an image.
func loadPhoto(s *content.Story, src, caption string, assets fs.FS) *photo {
	ph := &photo{src: src, caption: caption, aspect: defaultAspect}
	if ph.caption == "" {
		ph.caption = photoCaption(s, src)
	}
	name := path.Join(path.Dir(s.Path), src)
	if assets == nil || strings.Contains(src, ":") || strings.HasPrefix(src, "/") || !fs.ValidPath(name) {
		return ph
	}
	st, err := fs.Stat(assets, name)
	if err != nil || st.Size() > maxPhotoBytes || st.IsDir() {
		return ph
	}
	data, err := fs.ReadFile(assets, name)
	if err != nil {
		return ph
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return ph
	}
	ph.aspect = float64(cfg.Height) / float64(cfg.Width)
	ph.dataURL = "data:" + http.DetectContentType(data) + ";base64," + base64.StdEncoding.EncodeToString(data)
	return ph
}

// photoCaption is a photo's caption from the story's "photos" front matter.
func photoCaption(s *content.Story, file string) string {
	list, _ := s.Params["photos"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		if f, _ := m["file"].(string); f == file {
			c, _ := m["caption"].(string)
			return c
		}
	}
	return ""
}

// figure is the photo's HTML in the print preview.
func (ph *photo) figure() string {
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.WriteString(`<figure class="photo">`)
	if ph.dataURL != "" {
		fmt.Fprintf(&b, `<img src="%s" alt="%s">`, ph.dataURL, esc(ph.caption))
	} else {
		fmt.Fprintf(&b, `<div class="photo-missing" style="aspect-ratio: 1 / %.3f">照片缺失：%s</div>`, ph.aspect, esc(ph.src))
	}
	if ph.caption != "" {
		fmt.Fprintf(&b, `<figcaption>%s</figcaption>`, esc(ph.caption))
	}
	b.WriteString(`</figure>`)
	return b.String()
}

// photoLines is the body lines a photo block takes in one text column:
// the picture, column-wide, then its caption in small type, then a line
// of space.
func (g *Grid) photoLines(b Block) int {
	pic := g.ColumnWidth * b.Aspect
	lines := int(math.Ceil(pic/g.Leading - 1e-9))
	if strings.TrimSpace(b.Text) != "" {
		lines += CountLines(b.Text, measureEm(g.ColumnWidth, math.Max(g.BodySize-0.5, 7)), 0)
	}
	return lines + 1
}

// bodyLines is the lines blocks take in one base column of the grid,
// photos included.
func (g *Grid) bodyLines(blocks []Block) int {
	measure := measureEm(g.ColumnWidth, g.BodySize)
	n := 0
	for _, b := range blocks {
		if b.Kind == Photo {
			n += g.photoLines(b)
			continue
		}
		n += BlockLines(b, measure)
	}
	return n
}
