package search

import (
	"testing"
	"time"

	"github.com/banmian/banmian/internal/content"
)

func TestFromTexts(t *testing.T) {
	t.Parallel()
	c := &content.Content{Site: content.Site{BaseURL: "https://example.com/duowei/"}, Stories: []*content.Story{
		{Slug: "a", Title: "小区管道“添堵”", Credit: "长征镇", Tags: []string{"网格"}, Date: time.Date(2025, 5, 22, 0, 0, 0, 0, time.UTC)},
		{Slug: "b", Title: "三位一体", Credit: "佘山镇"},
	}}
	docs := FromTexts(c, []string{"正文甲。", "正文乙。"})
	if len(docs) != 2 || docs[0].Body != "正文甲。" || docs[1].Body != "正文乙。" || docs[0].Credit != "长征镇" || docs[0].URL != "/duowei/stories/a/" {
		t.Errorf("docs: %+v", docs)
	}
	c.Stories[0].Tags[0] = "改"
	if docs[0].Tags[0] != "网格" {
		t.Error("a Doc shares its tags with the story")
	}
}
