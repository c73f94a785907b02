package site

import (
	"strings"
	"testing"
)

// Break 7: the web and the feed print the credit line by the house rule,
// as the proof does: "张三 摄" stays as written, "长征镇" gets 供稿.
func TestCreditLineOnTheWeb(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.write("stories/2025/photo.md", "---\ntitle: 摄影作品\nslug: photo\ncredit: 张三 摄\ndate: 2025-05-23\n---\n正文。\n")
	s.build()
	for _, f := range []string{"stories/photo/index.html", "feed.xml", "index.html", "credits/zhang-san-she/index.html"} {
		out := s.read(f)
		if strings.Contains(out, "张三 摄 供稿") {
			t.Errorf("%s appends 供稿 to a credit ending in 摄", f)
		}
		if !strings.Contains(out, "张三 摄") {
			t.Errorf("%s does not show the credit", f)
		}
	}
	if page := s.read("feed.xml"); !strings.Contains(page, "长征镇 供稿") {
		t.Error("feed lacks 长征镇 供稿")
	}
}
