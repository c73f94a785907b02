package site

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/parallel"
)

// page is one output file.
type page struct {
	path  string // slash-separated, relative to the site root
	from  string // the content file the page comes from, for errors ("" for site pages)
	fp    uint64
	needs []*storyView // stories whose rendered body the page shows
	// render writes the page to w.
	render func(w io.Writer) error
}

// feedSize is how many stories the Atom feed and the home page list.
const feedSize = 20

// listPageSize is how many stories a page of a credit or tag list shows.
const listPageSize = 50

// globalHash fingerprints what every page depends on: the builder, the
// site settings and the theme.
func (b *Builder) globalHash(c *content.Content) uint64 {
	siteFP, _ := newPrinter(1).of(&c.Site)
	return newHasher().str(builderVersion).u64(c.SiteHash).u64(b.themeFP).u64(siteFP).sum()
}

// renderChrome renders the parts every page shares, once per build.
func (b *Builder) renderChrome(m *model) (*chromeView, error) {
	chrome := &chromeView{}
	for _, part := range []struct {
		name string
		dst  *template.HTML
	}{{"sitehead.html", &chrome.Head}, {"siteheader.html", &chrome.Header}, {"sitefooter.html", &chrome.Footer}} {
		html, err := b.theme.Partial(part.name, &pageData{Site: m.site, Root: m.root, Canonical: m.abs("")})
		if err != nil {
			return nil, err
		}
		*part.dst = html
	}
	return chrome, nil
}

// plan lists every output file of the site with its fingerprint; every
// page shows chrome.
//
// global is globalHash. With reuse (buildDeps.deltaPlan), a template page
// found there takes its recorded fingerprint and stories instead of being
// fingerprinted.
func (b *Builder) plan(m *model, c *content.Content, chrome *chromeView, global uint64, reuse map[string]*depPage) []*page {
	m.icon, m.logo = "", ""
	if _, err := fs.Stat(b.theme.Static(), "assets/favicon.png"); err == nil {
		m.icon = m.root + "assets/favicon.png"
	}
	if _, err := fs.Stat(b.theme.Static(), "assets/logo.png"); err == nil {
		m.logo = m.root + "assets/logo.png"
	}
	pr := newPrinter(1)
	g := func() *hasher { return newHasher().u64(global) }
	var pages []*page
	from := ""
	add := func(p string, fp uint64, needs []*storyView, render func(w io.Writer) error) {
		pages = append(pages, &page{path: p, from: from, fp: fp, needs: needs, render: render})
	}
	// addView adds a template page, to be fingerprinted by the data it is
	// rendered from (with the stories whose bodies it may show) once every
	// page is planned, in parallel.
	type viewJob struct {
		p    *page
		kind string
		d    *pageData
	}
	var views []viewJob
	addView := func(p, kind string, d *pageData, render func(w io.Writer) error) {
		add(p, 0, nil, render)
		if dp := reuse[p]; dp != nil {
			pg := pages[len(pages)-1]
			pg.fp, pg.needs = dp.fp, make([]*storyView, len(dp.needs))
			for i, n := range dp.needs {
				pg.needs[i] = m.stories[n]
			}
			return
		}
		views = append(views, viewJob{pages[len(pages)-1], kind, d})
	}
	html := func(kind string, data *pageData) func(io.Writer) error {
		return func(w io.Writer) error { return b.theme.Execute(w, kind, data) }
	}
	bytesOf := func(f func() ([]byte, error)) func(io.Writer) error {
		return func(w io.Writer) error {
			data, err := f()
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
	}
	base := func(urlPath, title string) *pageData {
		return &pageData{Site: m.site, Chrome: chrome, Root: m.root, Icon: m.icon, Title: title, Canonical: m.abs(urlPath)}
	}
	siteTitle := m.site.Title

	// Stories.
	for _, s := range m.stories {
		s := s
		from = s.Story.Path
		d := base(s.URL, s.Title+" - "+siteTitle)
		d.Story = s
		d.Description = s.Summary
		addView(strings.TrimPrefix(s.URL, m.root)+"index.html", "story", d, func(w io.Writer) error {
			if d.Description == "" {
				ex, err := s.Excerpt()
				if err != nil {
					return err
				}
				d.Description = ex
			}
			d.JSONLD = m.storyJSONLD(s)
			defer func() { d.JSONLD = "" }() // kept by the page list: 2 KB a story
			return b.theme.Execute(w, "story", d)
		})
		for _, a := range s.Assets {
			a := a
			fp := g().str(a)
			if info, err := fs.Stat(b.opt.Source, a); err == nil {
				fp.u64(uint64(info.Size())).u64(uint64(info.ModTime().UnixNano()))
			}
			add(strings.TrimPrefix(s.URL, m.root)+path.Base(a), fp.sum(), nil, bytesOf(func() ([]byte, error) {
				return fs.ReadFile(b.opt.Source, a)
			}))
		}
	}
	// Editions.
	for _, e := range m.editions {
		e := e
		from = e.Edition.Path
		d := base(e.URL, fmt.Sprintf("%s %s", siteTitle, e.DateText))
		if e.Page > 0 {
			d.Title = fmt.Sprintf("%s %s 第%d版", siteTitle, e.DateText, e.Page)
		}
		d.Edition = e
		d.Description = e.Headlines
		// The JSON-LD is made of what the fingerprint covers (the edition
		// and the title), so it is made only for pages rendered.
		addView(strings.TrimPrefix(e.URL, m.root)+"index.html", "edition", d, func(w io.Writer) error {
			d.JSONLD = m.editionJSONLD(e, d.Title)
			defer func() { d.JSONLD = "" }()
			return b.theme.Execute(w, "edition", d)
		})
	}
	from = ""
	// Home: the latest edition, recent editions, latest stories.
	{
		d := base("", siteTitle)
		d.Description = m.site.Description
		if d.Description == "" {
			d.Description = fmt.Sprintf("%s“%s”版：最新一期版面、往期版面和稿件。", m.site.Paper, firstNonEmpty(m.site.Section, siteTitle))
		}
		if len(m.editions) > 0 {
			d.Edition = m.editions[0]
			recent := m.site.Recent
			if recent <= 0 {
				recent = 10
			}
			d.Editions = m.editions[1:min(len(m.editions), recent+1)]
		}
		d.Stories = m.stories[:min(len(m.stories), 10)]
		addView("index.html", "home", d, html("home", d))
	}
	// Credits and tags.
	for _, tax := range []struct {
		dir, heading string
		listHeading  func(name string) string
		terms        []*termView
	}{
		{"credits", "供稿单位", content.CreditLine, m.credits},
		{"tags", "标签", func(n string) string { return "标签：" + n }, m.tags},
	} {
		for _, t := range tax.terms {
			heading := tax.listHeading(t.Name)
			nPages := max(1, (len(t.Stories)+listPageSize-1)/listPageSize)
			pageURL := func(n int) string {
				switch {
				case n < 1 || n > nPages:
					return ""
				case n == 1:
					return t.URL
				}
				return fmt.Sprintf("%spage/%d/", t.URL, n)
			}
			from = t.Stories[0].Story.Path
			for n := 1; n <= nPages; n++ {
				list := t.Stories[(n-1)*listPageSize : min(n*listPageSize, len(t.Stories))]
				pv := &pagerView{Page: n, Pages: nPages, Total: len(t.Stories), Prev: pageURL(n - 1), Next: pageURL(n + 1)}
				title := heading
				if n > 1 {
					title = fmt.Sprintf("%s（第%d页）", heading, n)
				}
				d := base(pageURL(n), title+" - "+siteTitle)
				d.Heading, d.Stories, d.Pager = heading, list, pv
				addView(strings.TrimPrefix(pageURL(n), m.root)+"index.html", "list", d, html("list", d))
			}
		}
		from = ""
		d := base(m.root+tax.dir+"/", tax.heading+" - "+siteTitle)
		d.Heading, d.Terms = tax.heading, make([]termCount, len(tax.terms))
		for i, t := range tax.terms {
			d.Terms[i] = termCount{t.Name, t.URL, t.Count}
		}
		addView(tax.dir+"/index.html", "terms", d, html("terms", d))
	}
	// Archive.
	{
		for _, mv := range m.months {
			mv := mv
			heading := fmt.Sprintf("%d年%d月", mv.Year, mv.Month)
			d := base(mv.URL, heading+" - "+siteTitle)
			d.Heading, d.EditionList, d.Stories = heading, mv.editionList, mv.storyList
			addView(strings.TrimPrefix(mv.URL, m.root)+"index.html", "month", d, html("month", d))
		}
		d := base(m.root+"archive/", "往期 - "+siteTitle)
		d.Heading, d.Years = "往期", m.years
		addView("archive/index.html", "archive", d, html("archive", d))
	}
	// 404, feed, sitemap, robots.
	nf := base(m.root+"404.html", "找不到页面 - "+siteTitle)
	addView("404.html", "notfound", nf, html("notfound", nf))
	// The feed shows its stories' fields and bodies (covered by each
	// story's source hash) and the site's fields.
	feed := m.stories[:min(len(m.stories), feedSize)]
	feedFP, _ := pr.of(feed)
	add("feed.xml", g().str("feed").str(m.feedID(feed)).u64(feedFP).sum(), feed, bytesOf(func() ([]byte, error) { return m.atom(feed) }))
	sh := g().str("sitemap")
	for _, p := range pages {
		if strings.HasSuffix(p.path, ".html") && p.path != "404.html" {
			sh.str(p.path)
		}
	}
	// What m.sitemap prints of stories and editions: their URLs and
	// dates (not their bodies, so a change of text leaves it alone).
	sh.u64(uint64(len(m.stories)))
	for _, s := range m.stories {
		sh.str(s.URL).u64(uint64(s.modified().Unix()))
	}
	for _, e := range m.editions {
		sh.str(e.URL).str(e.ISODate)
	}
	add("sitemap.xml", sh.sum(), nil, bytesOf(func() ([]byte, error) { return m.sitemap(pages) }))
	// A Sitemap line needs an absolute URL; without a base URL there is
	// none (the build warns).
	robots := "User-agent: *\nAllow: /\n"
	if m.base != "" {
		robots += fmt.Sprintf("\nSitemap: %s\n", m.abs(m.root+"sitemap.xml"))
	}
	add("robots.txt", g().str(robots).sum(), nil, bytesOf(func() ([]byte, error) { return []byte(robots), nil }))
	// Theme static files.
	_ = fs.WalkDir(b.theme.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		src, err := fs.ReadFile(b.theme.Static(), p)
		if err != nil {
			return nil
		}
		add(p, newHasher().str(p).str(string(src)).sum(), nil, bytesOf(func() ([]byte, error) { return src, nil }))
		return nil
	})
	// Fingerprints, by reflection over each page's data: a contiguous run
	// of pages a worker, each with its own printer (neighbouring pages
	// share most of what they reach: a story and its edition).
	parallel.Chunks(len(views), 0, func(_, lo, hi int) {
		pr := newPrinter(hi - lo)
		for _, v := range views[lo:hi] {
			fp, needs := pr.of(v.d)
			v.p.fp, v.p.needs = g().str(v.kind).u64(fp).sum(), needs
		}
	})
	return pages
}

// abs makes a site path absolute with the base URL, when there is one.
func (m *model) abs(urlPath string) string {
	if urlPath == "" {
		urlPath = m.root
	}
	if m.base == "" {
		return urlPath
	}
	return m.base + strings.TrimPrefix(urlPath, strings.TrimSuffix(m.root, "/"))
}

// excerpt returns the first n characters of text, on one line.
func excerpt(text string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range text {
		if count == n {
			b.WriteString("……")
			break
		}
		if r == '\n' {
			continue
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// Schema.org values shared by the story and edition JSON-LD.
type ldThing struct {
	Type string `json:"@type"`
	ID   string `json:"@id,omitempty"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

type ldOrg struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
	Logo *ldThing `json:"logo,omitempty"`
}

// publisher is the paper as a NewsMediaOrganization, with the site's
// address and the theme's logo.
func (m *model) publisher() *ldOrg {
	p := &ldOrg{Type: "NewsMediaOrganization", Name: firstNonEmpty(m.site.Paper, m.site.Title), URL: m.abs(m.root)}
	if m.logo != "" {
		p.Logo = &ldThing{Type: "ImageObject", URL: m.abs(m.logo)}
	}
	return p
}

// jsonLD marshals v for a script element: json.Marshal escapes <, > and &
// so the element cannot be closed early.
func jsonLD(v any) template.JS {
	out, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return template.JS(out)
}

// storyJSONLD is the schema.org NewsArticle of a story.
func (m *model) storyJSONLD(s *storyView) template.JS {
	// The story page shows the body: an error rendering it is the page's.
	ex, _ := s.Excerpt()
	chars, _ := s.Chars()
	type issue struct {
		Type       string   `json:"@type"`
		Name       string   `json:"name"`
		URL        string   `json:"url,omitempty"`
		Date       string   `json:"datePublished,omitempty"`
		Pagination string   `json:"pagination,omitempty"`
		IsPartOf   *ldThing `json:"isPartOf,omitempty"`
	}
	v := struct {
		Context      string   `json:"@context"`
		Type         string   `json:"@type"`
		Headline     string   `json:"headline"`
		Alternative  string   `json:"alternativeHeadline,omitempty"`
		Date         string   `json:"datePublished"`
		Modified     string   `json:"dateModified"`
		URL          string   `json:"url"`
		MainEntity   ldThing  `json:"mainEntityOfPage"`
		Image        []string `json:"image,omitempty"`
		Lang         string   `json:"inLanguage"`
		Section      string   `json:"articleSection,omitempty"`
		Keywords     []string `json:"keywords,omitempty"`
		Author       *ldOrg   `json:"author,omitempty"`
		Publisher    *ldOrg   `json:"publisher"`
		Description  string   `json:"description,omitempty"`
		WordCount    int      `json:"wordCount,omitempty"`
		PrintEdition string   `json:"printEdition,omitempty"`
		PrintPage    string   `json:"printPage,omitempty"`
		PrintSection string   `json:"printSection,omitempty"`
		IsPartOf     *issue   `json:"isPartOf,omitempty"`
	}{
		Context: "https://schema.org", Type: "NewsArticle",
		Headline: s.Title, Date: s.ISODate, Modified: s.modified().Format(time.RFC3339), URL: m.abs(s.URL),
		MainEntity: ldThing{Type: "WebPage", ID: m.abs(s.URL)},
		Lang:       m.site.Language, Publisher: m.publisher(),
		Section: m.site.Section, Keywords: s.Story.Tags, Description: ex, WordCount: chars,
	}
	if s.Kicker != "" || s.Subtitle != "" {
		v.Alternative = strings.TrimSpace(s.Kicker + " " + s.Subtitle)
	}
	if s.Credit != "" {
		v.Author = &ldOrg{Type: "Organization", Name: s.Credit, URL: m.abs(s.CreditURL)}
	}
	for _, p := range s.Photos {
		v.Image = append(v.Image, m.abs(p.URL))
	}
	if e := s.Edition; e != nil {
		v.PrintEdition = e.ISODate
		v.PrintSection = m.site.Section
		if e.Page > 0 {
			v.PrintPage = fmt.Sprint(e.Page)
		}
		v.IsPartOf = &issue{Type: "PublicationIssue", Name: m.site.Paper + " " + e.DateText, URL: m.abs(e.URL), Date: e.ISODate,
			Pagination: v.PrintPage, IsPartOf: m.periodical()}
	}
	return jsonLD(v)
}

// periodical is the paper as a schema.org Periodical.
func (m *model) periodical() *ldThing {
	return &ldThing{Type: "Periodical", Name: firstNonEmpty(m.site.Paper, m.site.Title), URL: m.abs(m.root)}
}

// editionJSONLD is the schema.org PublicationIssue of an edition, with
// its stories as parts and its 版次 as pagination.
func (m *model) editionJSONLD(e *editionView, name string) template.JS {
	type part struct {
		Type     string `json:"@type"`
		ID       string `json:"@id"`
		Headline string `json:"headline"`
		URL      string `json:"url"`
	}
	v := struct {
		Context    string   `json:"@context"`
		Type       string   `json:"@type"`
		ID         string   `json:"@id"`
		Name       string   `json:"name"`
		URL        string   `json:"url"`
		Date       string   `json:"datePublished"`
		Lang       string   `json:"inLanguage"`
		Pagination string   `json:"pagination,omitempty"`
		IsPartOf   *ldThing `json:"isPartOf"`
		Publisher  *ldOrg   `json:"publisher"`
		HasPart    []part   `json:"hasPart,omitempty"`
	}{
		Context: "https://schema.org", Type: "PublicationIssue", ID: m.abs(e.URL), Name: name, URL: m.abs(e.URL),
		Date: e.ISODate, Lang: m.site.Language, IsPartOf: m.periodical(), Publisher: m.publisher(),
	}
	if e.Page > 0 {
		v.Pagination = fmt.Sprint(e.Page)
	}
	for _, it := range e.Items {
		if it.Story != nil {
			v.HasPart = append(v.HasPart, part{Type: "NewsArticle", ID: m.abs(it.Story.URL), Headline: it.Story.Title, URL: m.abs(it.Story.URL)})
		}
	}
	return jsonLD(v)
}

// checkPaths refuses a plan with an unclean output path (not path.Clean,
// a "..", "." or empty segment, an escaped or control character, a
// backslash) or with two pages at one path. Each problem names the
// content file the page comes from.
func checkPaths(pages []*page) error {
	var errs content.ErrorList
	seen := make(map[string]*page, len(pages))
	for _, p := range pages {
		file := p.from
		if file == "" {
			file = "site.yaml"
		}
		if !cleanPath(p.path) {
			msg := fmt.Sprintf("生成的网页路径 %q 不安全（含“..”、空段、转义或特殊字符），请修改标签、供稿单位或网址", p.path)
			errs = append(errs, &content.FileError{File: file, Msg: msg, Zh: msg})
			continue
		}
		if q := seen[p.path]; q != nil {
			other := q.from
			if other == "" {
				other = "网站自身的页面"
			}
			msg := fmt.Sprintf("生成的网页路径 %q 与 %s 的页面重复", p.path, other)
			errs = append(errs, &content.FileError{File: file, Msg: msg, Zh: msg})
			continue
		}
		seen[p.path] = p
	}
	return errs.Err()
}

// cleanPath reports whether p is a clean, relative, unescaped output path.
func cleanPath(p string) bool {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "%\\?#") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			if r < 0x20 || r == 0x7f {
				return false
			}
		}
	}
	return true
}
