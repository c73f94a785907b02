package site

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
)

// atom renders the Atom feed of the latest stories, with full content.
func (m *model) atom(stories []*storyView) ([]byte, error) {
	type link struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr,omitempty"`
		Type string `xml:"type,attr,omitempty"`
	}
	type text struct {
		Type string `xml:"type,attr,omitempty"`
		Body string `xml:",chardata"`
	}
	type person struct {
		Name string `xml:"name"`
	}
	type category struct {
		Term string `xml:"term,attr"`
	}
	type entry struct {
		Title     string     `xml:"title"`
		ID        string     `xml:"id"`
		Link      link       `xml:"link"`
		Published string     `xml:"published"`
		Updated   string     `xml:"updated"`
		Author    *person    `xml:"author,omitempty"`
		Category  []category `xml:"category"`
		Summary   *text      `xml:"summary,omitempty"`
		Content   text       `xml:"content"`
	}
	type feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Lang    string   `xml:"xml:lang,attr"`
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Links   []link   `xml:"link"`
		Updated string   `xml:"updated"`
		Author  person   `xml:"author"`
		Entries []entry  `xml:"entry"`
	}
	f := feed{
		Lang:  m.site.Language,
		Title: m.site.Title,
		ID:    m.feedID(stories),
		Links: []link{
			{Href: m.abs(m.root + "feed.xml"), Rel: "self", Type: "application/atom+xml"},
			{Href: m.abs(m.root), Rel: "alternate", Type: "text/html"},
		},
		Author: person{Name: firstNonEmpty(m.site.Paper, m.site.Title)},
	}
	updated := time.Unix(0, 0).UTC()
	for _, s := range stories {
		if t := s.modified(); t.After(updated) {
			updated = t
		}
		var body strings.Builder
		if s.Kicker != "" {
			body.WriteString("<p><strong>" + xmlEscape(s.Kicker) + "</strong></p>")
		}
		if s.Subtitle != "" {
			body.WriteString("<p><em>" + xmlEscape(s.Subtitle) + "</em></p>")
		}
		raw, err := s.body()
		if err != nil {
			return nil, err
		}
		body.WriteString(string(raw))
		if s.Credit != "" {
			body.WriteString("<p>" + xmlEscape(content.CreditLine(s.Credit)) + "</p>")
		}
		e := entry{
			Title:     s.Title,
			ID:        m.entryID(s),
			Link:      link{Href: m.abs(s.URL), Rel: "alternate", Type: "text/html"},
			Published: s.Date.Format(time.RFC3339),
			Updated:   s.modified().Format(time.RFC3339),
			Content:   text{Type: "html", Body: body.String()},
		}
		if s.Credit != "" {
			e.Author = &person{Name: s.Credit}
		}
		for _, t := range s.Story.Tags {
			e.Category = append(e.Category, category{Term: t})
		}
		if s.Summary != "" {
			e.Summary = &text{Type: "text", Body: s.Summary}
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = updated.Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// tagAuthority is the tagging entity's name of the site's tag: URIs
// (RFC 4151): site.yaml's tagAuthority, else the host of the base URL;
// a site with no absolute base URL (the build warns) gets the reserved
// name banmian.invalid.
func (m *model) tagAuthority() string {
	if a := m.site.TagAuthority; a != "" {
		return a
	}
	if u, err := url.Parse(m.base); err == nil && m.base != "" && u.Hostname() != "" {
		return u.Hostname()
	}
	return "banmian.invalid"
}

// entryID is the Atom id of a story: a tag: URI minted from the tagging
// authority, the story's date and its path, so it stays the same when
// the story is edited or corrected, and when the site moves to another
// domain (keep tagAuthority).
func (m *model) entryID(s *storyView) string {
	return "tag:" + m.tagAuthority() + "," + s.Date.Format(content.DateLayout) + ":" + m.root + "stories/" + s.Slug + "/"
}

// feedID is the Atom id of the feed: the site's root, minted on the
// date of the oldest story in the site.
func (m *model) feedID(feed []*storyView) string {
	day := "2000-01-01"
	if n := len(m.stories); n > 0 {
		day = m.stories[n-1].Date.Format(content.DateLayout)
	} else if n := len(feed); n > 0 {
		day = feed[n-1].Date.Format(content.DateLayout)
	}
	return "tag:" + m.tagAuthority() + "," + day + ":" + m.root
}

// sitemap lists every HTML page of the site.
func (m *model) sitemap(pages []*page) ([]byte, error) {
	lastmod := map[string]string{}
	for _, s := range m.stories {
		lastmod[strings.TrimPrefix(s.URL, m.root)+"index.html"] = s.modified().Format(content.DateLayout)
	}
	for _, e := range m.editions {
		lastmod[strings.TrimPrefix(e.URL, m.root)+"index.html"] = e.ISODate
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, p := range pages {
		if !strings.HasSuffix(p.path, ".html") || p.path == "404.html" {
			continue
		}
		loc := m.abs(m.root + strings.TrimSuffix(strings.TrimSuffix(p.path, "index.html"), "/"))
		if strings.HasSuffix(p.path, "index.html") && !strings.HasSuffix(loc, "/") {
			loc += "/"
		}
		buf.WriteString("  <url><loc>" + xmlEscape(loc) + "</loc>")
		if lm := lastmod[p.path]; lm != "" {
			buf.WriteString("<lastmod>" + lm + "</lastmod>")
		}
		buf.WriteString("</url>\n")
	}
	buf.WriteString("</urlset>\n")
	return buf.Bytes(), nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}
