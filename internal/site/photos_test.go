package site

import (
	"regexp"
	"strings"
	"testing"
)

// TestPhotosInPlaceCreditLast: a photo the writer put in the body stays
// there (with a URL that works on the edition page too), the other photos
// follow the body on the story page, and the 供稿 credit line is always
// last.
func TestPhotosInPlaceCreditLast(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "photos.txtar")
	s.build()
	for _, page := range []string{"stories/shitang/index.html", "editions/2025-06-24/index.html"} {
		html := s.read(page)
		if i := strings.Index(html, `class="story-body"`); i >= 0 {
			html = html[i:] // past the meta description
		}
		inline := strings.Index(html, `<img src="/stories/shitang/1.jpg" alt="居民排队就餐"`)
		open, rest := strings.Index(html, "六月一日"), strings.Index(html, "上午十点开门")
		credit := strings.Index(html, "长征镇 供稿")
		if !(open >= 0 && open < inline && inline < rest && rest < credit) {
			t.Errorf("%s: text %d, photo 1 %d, text %d, credit %d (want increasing)\n%s", page, open, inline, rest, credit, html)
		}
		if n := strings.Count(html, "/stories/shitang/1.jpg"); n != 1 {
			t.Errorf("%s: photo 1 shown %d times", page, n)
		}
		if listed := strings.Index(html, `<img src="/stories/shitang/2.jpg"`); listed >= 0 && !(rest < listed && listed < credit) {
			t.Errorf("%s: photo 2 at %d, not between the body (%d) and the credit (%d)", page, listed, rest, credit)
		}
	}
	if !strings.Contains(s.read("stories/shitang/index.html"), `<img src="/stories/shitang/2.jpg"`) {
		t.Errorf("the story page does not list photo 2")
	}
}

// TestHeadlinesAndCaptionsTypeset: the build gives 引题, 主题, 副题 and
// photo captions the house style it gives the body.
func TestHeadlinesAndCaptionsTypeset(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "photos.txtar")
	s.build()
	// Headlines carry break opportunities (<wbr>, kept-together spans):
	// compare their text.
	html := regexp.MustCompile(`<wbr>|</?span[^>]*>`).ReplaceAllString(s.read("stories/shitang/index.html"), "")
	for _, want := range []string{`<p class="kicker">家门口的“幸福”</p>`, "<figcaption>食堂后厨，干净整洁</figcaption>"} {
		if !strings.Contains(html, want) {
			t.Errorf("story page lacks %q", want)
		}
	}
}
