package content

import (
	"testing"
	"time"
)

// Break 7: one credit line rule for the proof, the web, the feed and
// search: 供稿 by default, kept as written when the credit already ends in
// 摄, 报道, 供稿, 文 or 图.
func TestCreditLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"长征镇", "长征镇 供稿"},
		{" 虹桥镇 ", "虹桥镇 供稿"},
		{"佘山镇 供稿", "佘山镇 供稿"},
		{"张三 摄", "张三 摄"},
		{"本报记者 张三 摄", "本报记者 张三 摄"},
		{"真如镇 报道", "真如镇 报道"},
		{"李四 文", "李四 文"},
		{"王五 图", "王五 图"},
		{"", ""},
	} {
		if got := CreditLine(c.in); got != c.want {
			t.Errorf("CreditLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChineseDateAndNewsroomZone(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 21 May is 22 May in Shanghai.
	d := time.Date(2025, 5, 21, 23, 30, 0, 0, time.UTC).In(Newsroom)
	if got := ChineseDate(d); got != "2025年5月22日" {
		t.Errorf("ChineseDate = %q", got)
	}
	e, err := EditionDate("2025-06-24")
	if err != nil || e.Format(time.RFC3339) != "2025-06-24T00:00:00+08:00" {
		t.Errorf("EditionDate = %v, %v", e, err)
	}
}

func TestReaderURLScheme(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ base, root string }{
		{"", "/"}, {"/", "/"}, {"https://duowei.example.com/", "/"},
		{"https://example.com/duowei", "/duowei/"}, {"duowei/", "/duowei/"},
	} {
		if got := SiteRoot(c.base); got != c.root {
			t.Errorf("SiteRoot(%q) = %q, want %q", c.base, got, c.root)
		}
	}
	if got := StoryURL("https://example.com/duowei/", "chang-zheng"); got != "/duowei/stories/chang-zheng/" {
		t.Errorf("StoryURL = %q", got)
	}
	for got, want := range map[string]string{
		EditionPath("2025-06-24"): "editions/2025-06-24/", CreditPath("chang-zheng-zhen"): "credits/chang-zheng-zhen/",
		TagPath("wang-ge"): "tags/wang-ge/",
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
}
