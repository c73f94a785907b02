package content

import (
	"strings"
	"testing"
)

func TestParseSiteDeploy(t *testing.T) {
	t.Parallel()
	// The exact form of issue 18 must parse.
	src := `title: 多维世界
deploy:
  targets:
    - name: oss
      url: "s3://banmian/site?endpoint=http://127.0.0.1:8333&region=us-east-1"
      pathStyle: true
`
	s, errs := ParseSite("site.yaml", []byte(src))
	if errs.Err() != nil {
		t.Fatal(errs.Err())
	}
	tg := s.Deploy.Target("oss")
	if tg == nil || tg.URL != "s3://banmian/site?endpoint=http://127.0.0.1:8333&region=us-east-1" || tg.PathStyle == nil || !*tg.PathStyle {
		t.Fatalf("target = %+v", tg)
	}
	if s.Deploy.Target("cos") != nil {
		t.Error("a missing target was found")
	}

	bad := []struct{ name, src, want string }{
		{"密钥写进配置", "deploy:\n  targets:\n    - name: oss\n      url: s3://b\n      secretAccessKey: abc\n", "credentials never go in site.yaml"},
		{"没有名字", "deploy:\n  targets:\n    - url: s3://b\n", "has no name"},
		{"重名", "deploy:\n  targets:\n    - {name: a, url: s3://b}\n    - {name: a, url: s3://c}\n", "two deploy targets"},
		{"没有网址", "deploy:\n  targets:\n    - name: a\n", "has no url"},
		{"自动部署目标不存在", "deploy:\n  auto: cos\n  targets:\n    - {name: oss, url: s3://b}\n", `auto names target "cos"`},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, errs := ParseSite("site.yaml", []byte(c.src))
			if err := errs.Err(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// TOML targets are checked for secrets too.
	_, errs = ParseSite("site.toml", []byte("[[deploy.targets]]\nname = \"oss\"\nurl = \"s3://b\"\naccessKey = \"x\"\n"))
	if err := errs.Err(); err == nil || !strings.Contains(err.Error(), "credentials never go") {
		t.Fatalf("toml: err = %v", err)
	}
}
