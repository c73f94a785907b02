package content

import (
	"slices"
	"testing"
)

func TestFrontMatterText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fm     string
		format Format
		want   []string
	}{
		{"普通标题", "title: 小区管道\"添堵\"\ndate: 2025-05-22\n", YAML, []string{`小区管道"添堵"`}},
		{"引题副题与注释", "kicker: 长征镇为网格赋能 # 引题\nsubtitle: 多格合一\nslug: a-b\n", YAML, []string{"长征镇为网格赋能", "多格合一"}},
		{"双引号转义", "title: \"他说\\\"好\\\"\"\n", YAML, []string{"他说", "好"}},
		{"单引号成对", "title: '居民''心声'\n", YAML, []string{"居民", "心声"}},
		{"块标量", "summary: |\n  第一行，\n  第二行。\ncredit: 长征镇\n", YAML, []string{"第一行，", "第二行。"}},
		{"续行", "title: 上半句\n  下半句\n", YAML, []string{"上半句", "下半句"}},
		{"流式集合不碰", "title: [a, b]\n", YAML, nil},
		{"非正文键不碰", "credit: 长征镇\ntags: [社区治理]\n", YAML, nil},
		{"TOML", "title = \"社区里的新年\"\ncredit = \"长征镇\"\n", TOML, []string{"社区里的新年"}},
		{"TOML 多行字符串不碰", "title = \"\"\"\n新年\n\"\"\"\n", TOML, nil},
		{"未闭合引号不碰", "title: \"没有结尾\n", YAML, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range FrontMatterText([]byte(tt.fm), tt.format) {
				got = append(got, tt.fm[s.Start:s.End])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("FrontMatterText = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzFrontMatterText(f *testing.F) {
	f.Add("title: 小区\nkicker: \"引\\\"题\"\nsummary: |\n  一\n", true)
	f.Add("title = '新年'\n", false)
	f.Fuzz(func(t *testing.T, fm string, yaml bool) {
		format := TOML
		if yaml {
			format = YAML
		}
		last := 0
		for _, s := range FrontMatterText([]byte(fm), format) {
			if s.Start < last || s.End < s.Start || s.End > len(fm) {
				t.Fatalf("span %+v out of order or range (last %d, len %d)", s, last, len(fm))
			}
			last = s.End
		}
	})
}
