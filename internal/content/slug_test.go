package content

import "testing"

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"小区管道“添堵”，“多格合一”舒心", "xiao-qu-guan-dao-tian-du-duo-ge-he-yi-shu-xin"},
		{"长征镇", "chang-zheng-zhen"},
		{"佘山镇翠鑫苑三位一体工作机制巧解社区“千千结”", "she-shan-zhen-cui-xin-yuan-san-wei-yi-ti-gong-zuo-ji-zhi-qiao"},
		{"12345热线", "12345-re-xian"},
		{"１２３４５热线", "12345-re-xian"},
		{"AB角协作机制", "ab-jiao-xie-zuo-ji-zhi"},
		{"Hello, World!", "hello-world"},
		{"“”！？", ""},
		{"行政执法队", "xing-zheng-zhi-fa-dui"},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Slugify(tt.in); got != "" && !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", tt.in, got)
		}
	}
}

func TestValidSlug(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"a": true, "abc-123": true, "": false, "-a": false, "a-": false, "a--b": false, "A": false, "长征": false, "a_b": false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}
