package content

import (
	"testing"
	"testing/fstest"
)

// Load returns values its caller owns: changing what one Load returned
// (a tag, a correction, a nested front matter value, the body, an edition
// item) must not show in the next Load through the same cache.
func TestLoadCacheReturnsOwnedValues(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"stories/a.md":             {Data: []byte("---\ntitle: 小区管道“添堵”\nslug: a\ncredit: 长征镇\ndate: 2025-05-22\ntags: [社区治理, 网格]\ncorrections:\n  - date: 2025-05-23\n    note: 更正错字\nphotos:\n  - file: 1.jpg\n    caption: 居民议事\n---\n正文。\n")},
		"editions/2025-05-22.yaml": {Data: []byte("date: 2025-05-22\npage: 14\nitems:\n  - story: a\n")},
	}
	cache := NewCache()
	load := func() *Content {
		t.Helper()
		c, err := Load(fsys, LoadOptions{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := load()
	s, e := first.Story("a"), first.Editions[0]
	s.Tags[0] = "改掉的标签"
	s.Corrections[0].Note = "改掉的更正"
	s.Params["photos"].([]any)[0].(map[string]any)["caption"] = "改掉的图说"
	s.Body[0] = 'X'
	s.Title = "改掉的标题"
	e.Items[0].Story = "changed"
	e.Page = 99

	second := load()
	s2, e2 := second.Story("a"), second.Editions[0]
	if s2 == nil {
		t.Fatal("story a is gone")
	}
	if s2.Tags[0] != "社区治理" || s2.Corrections[0].Note != "更正错字" || s2.Title != "小区管道“添堵”" || string(s2.Body) != "正文。\n" {
		t.Errorf("the cache shares a story with its caller: %+v", s2)
	}
	if c := s2.Params["photos"].([]any)[0].(map[string]any)["caption"]; c != "居民议事" {
		t.Errorf("the cache shares front matter params: caption %v", c)
	}
	if e2.Items[0].Story != "a" || e2.Page != 14 {
		t.Errorf("the cache shares an edition: %+v", e2)
	}
}
