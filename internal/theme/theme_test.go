package theme

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/banmian/banmian/themes"
)

func minimalTheme() fstest.MapFS {
	fsys := fstest.MapFS{
		"layouts/_base.html":  {Data: []byte(`<html lang="zh-Hans">{{block "main" .}}{{end}}</html>`)},
		"partials/hello.html": {Data: []byte(`你好，{{.}}`)},
		"static/site.css":     {Data: []byte(`body{}`)},
	}
	for _, k := range Kinds {
		fsys["layouts/"+k+".html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}` + k + `：{{template "hello.html" .}}{{end}}`)}
	}
	return fsys
}

func TestLoadAndExecute(t *testing.T) {
	t.Parallel()
	th, err := Load("mini", minimalTheme())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := th.Execute(&buf, "story", "长征镇"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != `<html lang="zh-Hans">story：你好，长征镇</html>` {
		t.Errorf("got %q", got)
	}
	if err := th.Execute(&buf, "nope", nil); err == nil || !strings.Contains(err.Error(), `no layout for "nope"`) {
		t.Errorf("unknown kind: %v", err)
	}
	if b, err := th.Render("home", "<b>"); err != nil || !strings.Contains(string(b), "&lt;b&gt;") {
		t.Errorf("Render escapes: %q %v", b, err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	missing := minimalTheme()
	delete(missing, "layouts/story.html")
	broken := minimalTheme()
	broken["layouts/edition.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{.Oops}`)}
	noBase := minimalTheme()
	delete(noBase, "layouts/_base.html")
	for name, tt := range map[string]struct {
		fsys fstest.MapFS
		want string
	}{
		"missing layout": {missing, "missing layouts/story.html"},
		"syntax error":   {broken, "layouts/edition.html"},
		"no base":        {noBase, "layouts/_base.html"},
	} {
		if _, err := Load("t", tt.fsys); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to name %q", name, err, tt.want)
		}
	}
}

func TestDefaultThemeLoads(t *testing.T) {
	t.Parallel()
	th, err := Load("default", themes.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := th.Static().Open("assets/site.css"); err != nil {
		t.Errorf("default theme static: %v", err)
	}
}

func TestPartial(t *testing.T) {
	t.Parallel()
	fsys := minimalTheme()
	fsys["partials/siteheader.html"] = &fstest.MapFile{Data: []byte(`<header>{{.Title}}</header>`)}
	th, err := Load("mini", fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := th.Partial("siteheader.html", struct{ Title string }{"多维世界<"}); err != nil || got != "<header>多维世界&lt;</header>" {
		t.Errorf("got %q %v", got, err)
	}
	if got, err := th.Partial("sitefooter.html", nil); err != nil || got != "" {
		t.Errorf("missing partial: %q %v", got, err)
	}
	if _, err := th.Partial("siteheader.html", 42); err == nil || !strings.Contains(err.Error(), "partials/siteheader.html") {
		t.Errorf("bad data: %v", err)
	}
}
