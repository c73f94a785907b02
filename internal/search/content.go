package search

import (
	"fmt"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
)

// FromStory converts a story, with its body's plain text (markdown.Doc.Text)
// and its reader URL, into a Doc.
func FromStory(s *content.Story, text, url string) Doc {
	return Doc{
		ID:       s.Slug,
		Title:    s.Title,
		Kicker:   s.Kicker,
		Subtitle: s.Subtitle,
		Body:     text,
		Credit:   s.Credit,
		Tags:     append([]string(nil), s.Tags...),
		Date:     s.Date,
		Edition:  s.Edition,
		URL:      url,
	}
}

// FromContent renders every story of c (typeset as the site says) and
// converts it into a Doc. Builders that render stories already should
// call FromTexts with their texts instead.
func FromContent(c *content.Content) ([]Doc, error) {
	r := markdown.New(markdown.Options{Typeset: c.Site.TypesetOn()})
	texts := make([]string, len(c.Stories))
	for i, s := range c.Stories {
		d, err := r.Render(s.Body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		texts[i] = d.Text
	}
	return FromTexts(c, texts), nil
}

// FromTexts converts the stories of c into Docs, given the plain text of
// each body (texts[i] is that of c.Stories[i]).
func FromTexts(c *content.Content, texts []string) []Doc {
	docs := make([]Doc, len(c.Stories))
	for i, s := range c.Stories {
		docs[i] = FromStory(s, texts[i], content.StoryURL(c.Site.BaseURL, s.Slug))
	}
	return docs
}
