package site

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// validator returns the path of an XML validator (xmllint, jing), or
// skips the test when it is not installed, unless
// BANMIAN_REQUIRE_BROWSER=1 (CI installs it).
func validator(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BANMIAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("BANMIAN_REQUIRE_BROWSER=1 but %s is missing (apt-get install libxml2-utils jing): %v", name, err)
		}
		t.Skipf("skipping schema validation: %s not installed (apt-get install libxml2-utils jing)", name)
	}
	return p
}

// validate runs xmllint against the sitemaps.org XSD and jing against the
// RFC 4287 RELAX NG schema; it returns their complaints.
func validate(t *testing.T, site string) (sitemapErr, feedErr error) {
	t.Helper()
	xmllint, jing := validator(t, "xmllint"), validator(t, "jing")
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "schema", "sitemap.xsd"), filepath.Join(site, "sitemap.xml")).CombinedOutput()
	if err != nil {
		sitemapErr = errors.New(string(out))
	}
	out, err = exec.Command(jing, "-c", filepath.Join("testdata", "schema", "atom.rnc"), filepath.Join(site, "feed.xml")).Output()
	if err != nil {
		feedErr = errors.New(string(out) + err.Error())
	}
	return sitemapErr, feedErr
}

// copySample copies the repository's sample content folder with baseURL
// set to base.
func copySample(t *testing.T, base string) string {
	t.Helper()
	src := filepath.Join("..", "..", "content")
	dst := filepath.Join(t.TempDir(), "content")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "site.yaml" {
			b = regexp.MustCompile(`(?m)^baseURL:.*$`).ReplaceAll(b, []byte("baseURL: "+base))
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSchemasValidate builds the sample site and the basic fixture with
// absolute base URLs, one with a path, and validates sitemap.xml against
// the sitemaps.org XSD and feed.xml against the RFC 4287 schema; every
// URL that must be absolute is.
func TestSchemasValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base string
		sample     bool
	}{
		{"样例·根目录", "https://duowei.example.com/", true},
		{"样例·子路径", "https://example.org/duowei/", true},
		{"基本·子路径", "https://example.org/duowei/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src string
			if tc.sample {
				src = copySample(t, tc.base)
			} else {
				s := newTestSite(t, "basic.txtar")
				s.write("site.yaml", strings.Replace(s.readSrc("site.yaml"), "https://duowei.example.com/", tc.base, 1))
				src = s.src
			}
			out := filepath.Join(t.TempDir(), "public")
			st, err := New(Options{Source: os.DirFS(src), OutDir: out}).Build(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range st.Warnings {
				if strings.Contains(w, "baseURL") {
					t.Errorf("warning for an absolute baseURL: %s", w)
				}
			}
			if serr, ferr := validate(t, out); serr != nil || ferr != nil {
				t.Fatalf("sitemap.xml: %v\nfeed.xml: %v", serr, ferr)
			}
			read := func(name string) string {
				b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			sitemap := read("sitemap.xml")
			locs := regexp.MustCompile(`<loc>([^<]*)</loc>`).FindAllStringSubmatch(sitemap, -1)
			if len(locs) < 8 {
				t.Fatalf("%d sitemap locations", len(locs))
			}
			for _, l := range locs {
				if !strings.HasPrefix(l[1], tc.base) {
					t.Errorf("sitemap <loc>%s</loc> is not under %s", l[1], tc.base)
				}
			}
			if robots := read("robots.txt"); !strings.Contains(robots, "Sitemap: "+tc.base+"sitemap.xml\n") {
				t.Errorf("robots.txt = %q", robots)
			}
			feed := read("feed.xml")
			for _, id := range regexp.MustCompile(`<id>([^<]*)</id>`).FindAllStringSubmatch(feed, -1) {
				if !tagURI.MatchString(id[1]) {
					t.Errorf("Atom id %q is not a tag: URI (RFC 4151)", id[1])
				}
			}
			for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(feed, -1) {
				if !strings.HasPrefix(href[1], tc.base) {
					t.Errorf("feed link %q is not absolute under %s", href[1], tc.base)
				}
			}
			// Story pages: canonical, og:url and JSON-LD urls absolute.
			stories, _ := filepath.Glob(filepath.Join(out, "stories", "*", "index.html"))
			for _, p := range stories {
				rel, _ := filepath.Rel(out, filepath.Dir(p))
				want := tc.base + filepath.ToSlash(rel) + "/"
				page := read(filepath.ToSlash(rel) + "/index.html")
				for _, w := range []string{`<link rel="canonical" href="` + want + `">`, `<meta property="og:url" content="` + want + `">`} {
					if !strings.Contains(page, w) {
						t.Errorf("%s lacks %s", rel, w)
					}
				}
				ld := jsonLDOf(t, page)
				if ld["url"] != want || ld["mainEntityOfPage"].(map[string]any)["@id"] != want {
					t.Errorf("%s JSON-LD url %v, mainEntityOfPage %v; want %s", rel, ld["url"], ld["mainEntityOfPage"], want)
				}
				pub := ld["publisher"].(map[string]any)
				if pub["url"] != tc.base || pub["logo"].(map[string]any)["url"] != tc.base+"assets/logo.png" {
					t.Errorf("%s publisher %v", rel, pub)
				}
			}
		})
	}
}

// tagURI is the syntax of an RFC 4151 tag: URI with a DNS name or email
// address.
var tagURI = regexp.MustCompile(`^tag:([a-z0-9.-]+|[^@,\s]+@[a-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[!-~]*$`)

// jsonLDOf returns the JSON-LD object of a page.
func jsonLDOf(t *testing.T, page string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no JSON-LD in the page")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
		t.Fatalf("JSON-LD: %v", err)
	}
	return v
}

// TestSchemasRejectRelative: with the sample's baseURL "/" the sitemap
// fails the XSD (its short relative locations) and the build warns,
// naming the outputs that will be wrong; robots.txt has no Sitemap line.
func TestSchemasRejectRelative(t *testing.T) {
	t.Parallel()
	src := copySample(t, "/")
	out := filepath.Join(t.TempDir(), "public")
	st, err := New(Options{Source: os.DirFS(src), OutDir: out}).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Warnings) != 1 {
		t.Fatalf("warnings = %q, want one about baseURL", st.Warnings)
	}
	for _, w := range []string{`baseURL "/"`, "sitemap.xml", "canonical", "og:url", "JSON-LD", "feed.xml", "robots.txt", "Atom ids"} {
		if !strings.Contains(st.Warnings[0], w) {
			t.Errorf("the warning does not name %s: %s", w, st.Warnings[0])
		}
	}
	serr, _ := validate(t, out)
	if serr == nil {
		t.Errorf("a sitemap with relative locations passed the XSD")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "robots.txt")); strings.Contains(string(b), "Sitemap:") {
		t.Errorf("robots.txt has a relative Sitemap line: %q", b)
	}
}

// readSrc reads a file of the content folder.
func (s *testSite) readSrc(name string) string {
	s.tb.Helper()
	b, err := os.ReadFile(filepath.Join(s.src, filepath.FromSlash(name)))
	if err != nil {
		s.tb.Fatal(err)
	}
	return string(b)
}

// TestAtomIDsStable: entry ids are tag: URIs that stay the same when a
// story is corrected, and when the site moves to another domain with
// tagAuthority kept; without tagAuthority they are minted on the host.
func TestAtomIDsStable(t *testing.T) {
	t.Parallel()
	ids := func(s *testSite) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<id>([^<]*)</id>`).FindAllStringSubmatch(s.read("feed.xml"), -1) {
			out = append(out, m[1])
		}
		return out
	}
	s := newTestSite(t, "basic.txtar")
	s.build()
	first := ids(s)
	if want := "tag:duowei.example.com,2025-05-22:/stories/" + czSlug + "/"; !strings.Contains(strings.Join(first, " "), want) {
		t.Errorf("ids %q lack %s", first, want)
	}
	// A correction changes <updated>, not the id.
	s.write("stories/2025/changzheng.md", strings.Replace(s.readSrc("stories/2025/changzheng.md"), "tags:", "corrections:\n  - date: 2025-05-25\n    note: 更正了一处地址。\ntags:", 1))
	s.build()
	if got := ids(s); strings.Join(got, " ") != strings.Join(first, " ") {
		t.Errorf("a correction changed the ids:\n%q\n%q", first, got)
	}
	s.assertFileContent("feed.xml", "<updated>2025-05-25T00:00:00+08:00</updated>")
	ld := jsonLDOf(t, s.read(czPage))
	if ld["dateModified"] != "2025-05-25T00:00:00+08:00" {
		t.Errorf("dateModified = %v, want the correction's date", ld["dateModified"])
	}
	// Moving domain with tagAuthority kept: same ids.
	s.write("site.yaml", strings.Replace(s.readSrc("site.yaml"), "baseURL: https://duowei.example.com/", "baseURL: https://xinmin.example.net/\ntagAuthority: duowei.example.com", 1))
	s.build()
	if got := ids(s); strings.Join(got, " ") != strings.Join(first, " ") {
		t.Errorf("moving domain changed the ids:\n%q\n%q", first, got)
	}
	s.assertFileContent("feed.xml", `href="https://xinmin.example.net/stories/`+czSlug+`/"`)
}

// TestReaderPageDetails: headings, duplicate tags, favicon, meta
// descriptions and the edition's PublicationIssue.
func TestReaderPageDetails(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "basic.txtar")
	s.write("stories/2025/sheshan.md", strings.Replace(s.readSrc("stories/2025/sheshan.md"), "tags: [社区治理, 12345热线]", "tags: [社区治理, 12345热线, 12345热线]", 1))
	st := s.build()
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "stories/2025/sheshan.md:6") {
		t.Errorf("warnings = %q, want one at stories/2025/sheshan.md:6", st.Warnings)
	}
	sheshan := s.read("stories/sheshan-cuixinyuan/index.html")
	if n := strings.Count(sheshan, ">12345热线</a>"); n != 1 {
		t.Errorf("the tag is shown %d times", n)
	}
	if kw := jsonLDOf(t, sheshan)["keywords"].([]any); len(kw) != 2 {
		t.Errorf("JSON-LD keywords %v", kw)
	}
	if n := strings.Count(s.read("tags/12345-re-xian/index.html"), "sheshan-cuixinyuan/"); n != 1 {
		t.Errorf("the tag page lists the story %d times", n)
	}
	s.assertFileContent("tags/12345-re-xian/index.html", "共 1 篇")
	// One h1 on the home and edition pages (the masthead); subheads of
	// a story one level below its h2 headline.
	for _, p := range []string{"index.html", "editions/2025-05-22/index.html"} {
		page := s.read(p)
		if n := strings.Count(page, "<h1"); n != 1 {
			t.Errorf("%s has %d h1", p, n)
		}
		if !strings.Contains(page, `<h3 id="cong-tong-dian-dao-jiao-dian-tui-dong">`) || strings.Contains(page, `<h2 id="cong-tong-dian`) {
			t.Errorf("%s: subheads are not h3 under the h2 headline", p)
		}
		for _, w := range []string{`<link rel="icon" type="image/png" href="/assets/favicon.png">`, `<meta name="description" content="`} {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %s", p, w)
			}
		}
	}
	if n := strings.Count(s.read(czPage), "<h1"); n != 1 {
		t.Errorf("the story page has %d h1", n)
	}
	s.assertFileContent(czPage, `<h2 id="cong-tong-dian-dao-jiao-dian-tui-dong">`)
	s.assertFileContent("assets/favicon.png", "PNG")
	ld := jsonLDOf(t, s.read("editions/2025-05-22/index.html"))
	parts, _ := ld["hasPart"].([]any)
	if ld["@type"] != "PublicationIssue" || ld["pagination"] != "14" || len(parts) != 2 || ld["url"] != "https://duowei.example.com/editions/2025-05-22/" {
		t.Errorf("edition JSON-LD = %v", ld)
	}
	if p := parts[0].(map[string]any); p["url"] != "https://duowei.example.com/stories/"+czSlug+"/" || p["@type"] != "NewsArticle" {
		t.Errorf("first part = %v", p)
	}
	// A story with a photo names it as its image, absolute.
	s.write("stories/2025/tupian/index.md", "---\ntitle: 图片新闻\ndate: 2025-05-20\nslug: tupian\nphotos:\n  - file: photo-1.jpg\n    caption: 居民在活动中心\n---\n图。\n")
	s.write("stories/2025/tupian/photo-1.jpg", "jpeg")
	s.build()
	img, _ := jsonLDOf(t, s.read("stories/tupian/index.html"))["image"].([]any)
	if len(img) != 1 || img[0] != "https://duowei.example.com/stories/tupian/photo-1.jpg" {
		t.Errorf("JSON-LD image = %v", img)
	}
	if _, ok := jsonLDOf(t, s.read(czPage))["image"]; ok {
		t.Errorf("a story without photos has a JSON-LD image")
	}
}

func TestBaseURLProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base string
		ok   bool
	}{
		{"https://example.org/duowei/", true},
		{"http://127.0.0.1:8080/", true},
		{"https://新民.example/多维/", true},
		{"/", false},
		{"", false},
		{"example.org/duowei/", false},
		{"//example.org/", false},
		{"ftp://example.org/", false},
		{"https:///duowei/", false},
	} {
		if got := BaseURLProblem(tc.base); (got == "") != tc.ok {
			t.Errorf("BaseURLProblem(%q) = %q, want ok=%v", tc.base, got, tc.ok)
		}
	}
	if got, want := WithOrigin("https://example.org/duowei/", "http://127.0.0.1:8080"), "http://127.0.0.1:8080/duowei/"; got != want {
		t.Errorf("WithOrigin = %q, want %q", got, want)
	}
	if got, want := WithOrigin("/", "http://127.0.0.1:8080"), "http://127.0.0.1:8080/"; got != want {
		t.Errorf("WithOrigin = %q, want %q", got, want)
	}
}
