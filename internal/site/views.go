package site

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/parallel"
	"github.com/banmian/banmian/internal/theme"
	"github.com/banmian/banmian/internal/typeset"
)

// storyView is what templates see of a story.
//
// The fields templates use most are copied out of the embedded Story:
// text/template looks fields up by name with reflection on every use, and
// a field promoted from an embedded struct costs a breadth-first search.
type storyView struct {
	*content.Story
	Title, Kicker, Subtitle, Credit, Slug, Summary string
	CreditLine                                     string // the credit as printed: content.CreditLine

	URL      string
	ISODate  string
	DateText string
	// raw is the body as rendered (the feed shows it); HTML and
	// EditionHTML derive what pages show from it when they are rendered,
	// so a build holds one copy of every body, not three.
	raw      template.HTML
	headings []markdown.Heading
	excerpt  string // the first 120 characters of the body
	chars    int
	// lazy renders the body on first use (Headings, Excerpt, Chars,
	// HTML), once: a page that reaches a story but shows none of its body
	// (a list of titles) costs no rendering. lazyErr is its error.
	lazy     func() (*pageDoc, error)
	lazyOnce sync.Once
	lazyErr  error

	Edition     *editionView
	CreditURL   string
	Tags        []termRef
	Corrections []correctionView
	Photos      []photoView // photos the body does not show in place
	Prev, Next  *linkView   // the older and newer story

	// inline are the photos the writer put in the body (![说明](1.jpg)):
	// file name → URL, so the body's relative src works on every page.
	inline map[string]string
	// reload renders the body again once dropRaw dropped it.
	reload func() (*pageDoc, error)
	// idx is the story's place in model.stories.
	idx int
}

// linkView is what a page shows of a neighbouring story or edition: a
// link. Keeping it small keeps a page's fingerprint (the data it is
// rendered from) from reaching the neighbour's own neighbours and body.
type linkView struct {
	URL, Title, ISODate, DateText string
}

type correctionView struct {
	ISODate, DateText, Note string
}

type photoView struct {
	URL, Caption string
}

type termRef struct {
	Name, URL string
}

// editionView is what templates see of an edition (Page and Title copied
// out of the embedded Edition, as in storyView).
type editionView struct {
	*content.Edition
	Page  int
	Title string

	URL        string
	ISODate    string
	DateText   string
	Masthead   content.Masthead
	Items      []itemView
	Headlines  string
	Prev, Next *linkView // the older and newer edition
}

type itemView struct {
	Story *storyView
	Box   *content.Box
	Lead  bool
}

// Column layout of a story on an edition page on a wide screen. The
// theme sets the body in 2 columns (3 for the lead) only from 72rem wide
// and 44rem (704 px) tall, where a column is at least colCPL2 (colCPL3)
// characters wide; a story is set in columns only when each column stays
// within colMaxLines lines (600 px at the theme's 17 px × 1.8), so a
// reader never scrolls down one column and back up for the next. Longer
// stories flow in one column.
const (
	colCPL2     = 32
	colCPL3     = 20
	colMaxLines = 19
)

// Columns is how many text columns the story's body takes on a wide
// screen: 2 or 3 when it fits, else 0 (one column).
func (it itemView) Columns() int {
	if it.Story == nil {
		return 0
	}
	k, cpl := 2, colCPL2
	if it.Lead {
		k, cpl = 3, colCPL3
	}
	// Lines: characters over the line width, a part line per paragraph
	// (about one per 80 characters) and two lines per subhead.
	// An error rendering the body shows where the page shows the body.
	chars, _ := it.Story.Chars()
	heads, _ := it.Story.Headings()
	lines := (chars+cpl-1)/cpl + chars/80 + 1 + 2*len(heads)
	if (lines+k-1)/k > colMaxLines {
		return 0
	}
	return k
}

type termView struct {
	Name, URL string
	Count     int
	Stories   []*storyView
}

type yearView struct {
	Year   int
	Months []*monthView
}

type monthView struct {
	Year, Month int
	URL         string
	Editions    int
	Stories     int
	editionList []*editionView
	storyList   []*storyView
}

// pageData is the root value of every template.
type pageData struct {
	Site   *content.Site
	Chrome *chromeView
	Root   string
	// Icon is the URL of the site's favicon (the theme's
	// assets/favicon.png), empty when the theme has none.
	Icon        string
	Title       string
	Description string
	Canonical   string
	JSONLD      template.JS
	Heading     string
	Pager       *pagerView // list pages split in pages of listPageSize

	Story       *storyView
	Edition     *editionView
	Editions    []*editionView
	EditionList []*editionView
	Stories     []*storyView
	Terms       []termCount
	Years       []*yearView
}

// termCount is what the index of a taxonomy shows of a term: its name,
// link and number of stories. It carries no stories, so that the index
// page depends on the counts alone, not on every story's body.
type termCount struct {
	Name, URL string
	Count     int
}

// pagerView places one page of a long list among its pages.
type pagerView struct {
	Page, Pages int    // this page (from 1) and how many
	Total       int    // items in the whole list
	Prev, Next  string // URLs of the neighbouring pages, "" at the ends
}

// chromeView holds the parts every page shares, rendered once per build
// from the theme's partials/sitehead.html, siteheader.html and
// sitefooter.html (empty where a theme has none).
type chromeView struct {
	Head, Header, Footer template.HTML
}

// model is the assembled site: every view, cross-linked.
type model struct {
	site     *content.Site
	root     string // URL path prefix of the site, ending in "/"
	base     string // absolute base URL without trailing slash, may be empty
	icon     string // URL path of the favicon, "" without one
	logo     string // URL path of the publisher logo, "" without one
	stories  []*storyView
	editions []*editionView
	credits  []*termView
	tags     []*termView
	years    []*yearView
	months   []*monthView
}

// BaseURLProblem says what is wrong with baseURL for a site to be
// deployed, naming the outputs it makes wrong; "" when baseURL is an
// absolute http(s) URL.
func BaseURLProblem(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" {
		return ""
	}
	return fmt.Sprintf("baseURL %q is not an absolute http(s) URL such as https://example.org/duowei/: "+
		"the sitemap.xml locations, rel=canonical and og:url links, JSON-LD urls and feed.xml links will be relative, "+
		"robots.txt will have no Sitemap line and Atom ids a placeholder host; set baseURL in site.yaml before deploying", baseURL)
}

// WithOrigin is baseURL with its scheme and host replaced by origin
// ("http://127.0.0.1:8080"), keeping its path: the base URL of the site
// as a local server (serve, preview) shows it.
func WithOrigin(baseURL, origin string) string {
	_, root := sitePaths(baseURL)
	return strings.TrimSuffix(origin, "/") + root
}

// sitePaths splits a base URL into its absolute form and its path prefix
// (content.SiteRoot, the house rule).
func sitePaths(baseURL string) (base, root string) {
	root = content.SiteRoot(baseURL)
	if u, err := url.Parse(baseURL); err == nil && u.Scheme != "" && u.Host != "" {
		base = strings.TrimSuffix(u.Scheme+"://"+u.Host+root, "/")
	}
	return base, root
}

// assemble builds the views of c. Story bodies are left empty; renderDocs
// fills in those of the pages rendered in a build.
func assemble(c *content.Content) *model {
	m := &model{site: &c.Site}
	m.base, m.root = sitePaths(c.Site.BaseURL)
	bySlug := make(map[string]*storyView, len(c.Stories))
	creditMap := map[string]*termView{}
	tagMap := map[string]*termView{}
	creditSlugs := termSlugs(c.Stories, func(s *content.Story) []string { return []string{s.Credit} })
	tagSlugs := termSlugs(c.Stories, func(s *content.Story) []string { return s.Tags })
	// Each story's own view first, in parallel: its strings (dates, house
	// style, photo captions) are most of the work and need nothing of the
	// others'.
	views := make([]*storyView, len(c.Stories))
	parallel.For(len(c.Stories), 0, func(i int) {
		s := c.Stories[i]
		v := &storyView{
			Story: s, Title: s.Title, Kicker: s.Kicker, Subtitle: s.Subtitle, Credit: s.Credit, CreditLine: content.CreditLine(s.Credit), Slug: s.Slug, Summary: s.Summary,
			URL:      m.root + content.StoryPath(s.Slug),
			ISODate:  s.Date.Format(time.RFC3339),
			DateText: content.ChineseDate(s.Date),
		}
		if c.Site.TypesetOn() {
			// Headlines get the house style the body gets from the renderer.
			v.Title, v.Kicker, v.Subtitle = typeset.Normalize(v.Title), typeset.Normalize(v.Kicker), typeset.Normalize(v.Subtitle)
		}
		for _, cr := range s.Corrections {
			v.Corrections = append(v.Corrections, correctionView{ISODate: cr.Date.Format(content.DateLayout), DateText: content.ChineseDate(cr.Date), Note: cr.Note})
		}
		for _, a := range s.Assets {
			if isImage(a) {
				name := path.Base(a)
				// A body that cannot be read fails the build when it is
				// rendered; here it only decides where the photo goes.
				body, _ := s.LoadBody()
				if bytes.Contains(body, []byte("]("+name+")")) {
					if v.inline == nil {
						v.inline = map[string]string{}
					}
					v.inline[name] = v.URL + name
					continue
				}
				caption := photoCaption(s, name)
				if c.Site.TypesetOn() {
					caption = typeset.Normalize(caption)
				}
				v.Photos = append(v.Photos, photoView{URL: v.URL + name, Caption: caption})
			}
		}
		views[i] = v
	})
	for i, s := range c.Stories {
		v := views[i]
		if s.Credit != "" {
			t := creditMap[s.Credit]
			if t == nil {
				t = &termView{Name: s.Credit, URL: m.root + content.CreditPath(creditSlugs[s.Credit])}
				creditMap[s.Credit] = t
			}
			t.Stories = append(t.Stories, v)
			v.CreditURL = t.URL
		}
		for _, tag := range s.Tags {
			t := tagMap[tag]
			if t == nil {
				t = &termView{Name: tag, URL: m.root + content.TagPath(tagSlugs[tag])}
				tagMap[tag] = t
			}
			t.Stories = append(t.Stories, v)
			v.Tags = append(v.Tags, termRef{Name: tag, URL: t.URL})
		}
		bySlug[s.Slug] = v
		v.idx = len(m.stories)
		m.stories = append(m.stories, v)
	}
	// Stories are newest first: Next is the newer one, Prev the older.
	storyLink := func(v *storyView) *linkView {
		return &linkView{URL: v.URL, Title: v.Title, ISODate: v.ISODate, DateText: v.DateText}
	}
	for i, v := range m.stories {
		if i > 0 {
			v.Next = storyLink(m.stories[i-1])
		}
		if i+1 < len(m.stories) {
			v.Prev = storyLink(m.stories[i+1])
		}
	}
	for _, e := range c.Editions {
		ev := &editionView{
			Edition: e, Page: e.Page, Title: e.Title,
			URL:      m.root + content.EditionPath(e.DateString()),
			ISODate:  e.DateString(),
			DateText: content.ChineseDate(e.Date),
			Masthead: e.Masthead.Merge(c.Site.Masthead),
		}
		if ev.Masthead.Section == "" {
			ev.Masthead.Section = c.Site.Section
		}
		var heads []string
		for _, it := range e.Items {
			switch {
			case it.Story != "":
				if sv := bySlug[it.Story]; sv != nil {
					ev.Items = append(ev.Items, itemView{Story: sv, Lead: it.Lead})
					heads = append(heads, sv.Title)
					sv.Edition = ev
				}
			case it.Box != "":
				if b := c.Boxes[it.Box]; b != nil {
					ev.Items = append(ev.Items, itemView{Box: b})
				}
			}
		}
		ev.Headlines = strings.Join(heads, "　")
		m.editions = append(m.editions, ev)
	}
	editionLink := func(e *editionView) *linkView {
		return &linkView{URL: e.URL, Title: e.Title, ISODate: e.ISODate, DateText: e.DateText}
	}
	for i, ev := range m.editions {
		if i > 0 {
			ev.Next = editionLink(m.editions[i-1])
		}
		if i+1 < len(m.editions) {
			ev.Prev = editionLink(m.editions[i+1])
		}
	}
	m.credits = sortedTerms(creditMap)
	m.tags = sortedTerms(tagMap)
	m.assembleArchive()
	return m
}

func (m *model) assembleArchive() {
	months := map[[2]int]*monthView{}
	get := func(t time.Time) *monthView {
		k := [2]int{t.Year(), int(t.Month())}
		mv := months[k]
		if mv == nil {
			mv = &monthView{Year: k[0], Month: k[1], URL: fmt.Sprintf("%sarchive/%04d/%02d/", m.root, k[0], k[1])}
			months[k] = mv
		}
		return mv
	}
	for _, e := range m.editions {
		mv := get(e.Date)
		mv.Editions++
		mv.editionList = append(mv.editionList, e)
	}
	for _, s := range m.stories {
		mv := get(s.Date)
		mv.Stories++
		mv.storyList = append(mv.storyList, s)
	}
	keys := make([][2]int, 0, len(months))
	for k := range months {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] > keys[j][0]
		}
		return keys[i][1] > keys[j][1]
	})
	var cur *yearView
	for _, k := range keys {
		mv := months[k]
		m.months = append(m.months, mv)
		if cur == nil || cur.Year != k[0] {
			cur = &yearView{Year: k[0]}
			m.years = append(m.years, cur)
		}
		cur.Months = append(cur.Months, mv)
	}
}

func sortedTerms(mp map[string]*termView) []*termView {
	out := make([]*termView, 0, len(mp))
	for _, t := range mp {
		t.Count = len(t.Stories)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// termSlugs gives each distinct credit or tag of stories its URL segment.
// Names whose slugs collide (同音: 长征 and 常征 are both changzheng) are
// told apart in name order: the first keeps the slug, the next get -2, -3.
func termSlugs(stories []*content.Story, names func(*content.Story) []string) map[string]string {
	seen := map[string]bool{}
	var list []string
	for _, s := range stories {
		for _, n := range names(s) {
			if n != "" && !seen[n] {
				seen[n] = true
				list = append(list, n)
			}
		}
	}
	sort.Strings(list)
	out := make(map[string]string, len(list))
	used := map[string]bool{}
	for _, n := range list {
		slug := termSlug(n)
		for i := 2; used[slug]; i++ {
			slug = fmt.Sprintf("%s-%d", termSlug(n), i)
		}
		used[slug] = true
		out[n] = slug
	}
	return out
}

// termSlug is the URL segment of a credit or tag (the house rule).
func termSlug(name string) string { return content.TermSlug(name) }

func isImage(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".gif":
		return true
	}
	return false
}

// photoCaption reads a caption from the story's "photos" front matter
// (a list of {file, caption}), if any.
func photoCaption(s *content.Story, file string) string {
	list, _ := s.Params["photos"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		if f, _ := m["file"].(string); f == file {
			c, _ := m["caption"].(string)
			return c
		}
	}
	return ""
}

// excerptLen is the length of story excerpts (meta descriptions).
const excerptLen = 120

func (v *storyView) setDoc(d *pageDoc) {
	v.raw, v.headings, v.chars, v.excerpt = v.bodyHTML(d), d.Headings, d.Chars, d.Excerpt
}

// renderLazily has the body rendered by load when a page first shows it.
func (v *storyView) renderLazily(load func() (*pageDoc, error)) {
	v.lazy = load
}

// loaded renders the body if it is left to first use and not yet
// rendered.
func (v *storyView) loaded() error {
	if v.lazy == nil {
		return nil
	}
	v.lazyOnce.Do(func() {
		d, err := v.lazy()
		if err != nil {
			v.lazyErr = err
			return
		}
		v.setDoc(d)
	})
	return v.lazyErr
}

// Headings are the body's subheads (小标题), for a contents list.
func (v *storyView) Headings() ([]markdown.Heading, error) {
	err := v.loaded()
	return v.headings, err
}

// Excerpt is the first 120 characters of the body.
func (v *storyView) Excerpt() (string, error) {
	err := v.loaded()
	return v.excerpt, err
}

// Chars is the length of the body in characters.
func (v *storyView) Chars() (int, error) {
	err := v.loaded()
	return v.chars, err
}

// bodyHTML is the rendered body d with the writer's inline photos
// pointing at their URLs.
func (v *storyView) bodyHTML(d *pageDoc) template.HTML {
	html := d.HTML
	if len(v.inline) > 0 {
		pairs := make([]string, 0, 2*len(v.inline))
		for name, url := range v.inline {
			pairs = append(pairs, `src="`+name+`"`, `src="`+template.HTMLEscapeString(url)+`"`)
		}
		html = template.HTML(strings.NewReplacer(pairs...).Replace(string(html)))
	}
	return html
}

// body is the rendered body: raw, or rendered again when a streamed
// build has dropped it (see dropRaw) and a later page shows it after all
// (the feed, or a theme's list that shows whole bodies).
func (v *storyView) body() (template.HTML, error) {
	if err := v.loaded(); err != nil {
		return "", err
	}
	if v.raw == "" && v.reload != nil {
		d, err := v.reload()
		if err != nil {
			return "", err
		}
		return v.bodyHTML(d), nil
	}
	return v.raw, nil
}

// HTML is the body as a story page shows it.
func (v *storyView) HTML() (template.HTML, error) {
	raw, err := v.body()
	return template.HTML(theme.BreakHeadings(string(raw))), err
}

// EditionHTML is HTML with its headings one level down, for an edition
// page where the headline is an h2 (empty for a story on no edition).
func (v *storyView) EditionHTML() (template.HTML, error) {
	if v.Edition == nil {
		return "", nil
	}
	raw, err := v.body()
	return template.HTML(theme.ShiftHeadings(theme.BreakHeadings(string(raw)))), err
}

// dropDoc forgets the rendered body, once every page that shows it is
// written (a builder that builds once: the emitters that run next need
// the memory more).
func (v *storyView) dropDoc() {
	v.raw, v.headings = "", nil
}

// dropRaw forgets the rendered body once the pages of its group are
// written in a streamed build; body renders it again for any later page
// that shows it, with reload.
func (v *storyView) dropRaw(reload func() (*pageDoc, error)) {
	v.raw, v.reload = "", reload
}

// modified is the date a story last changed: its latest correction, or
// its date.
func (v *storyView) modified() time.Time {
	t := v.Date
	for _, c := range v.Story.Corrections {
		if c.Date.After(t) {
			t = c.Date
		}
	}
	return t
}
