package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	pfor "github.com/banmian/banmian/internal/parallel"
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

// FromTexts converts the stories of c into Docs, given the plain text of
// each body (texts[i] is that of c.Stories[i]).
func FromTexts(c *content.Content, texts []string) []Doc {
	docs := make([]Doc, len(c.Stories))
	root := content.SiteRoot(c.Site.BaseURL)
	for i, s := range c.Stories {
		docs[i] = FromStory(s, texts[i], root+content.StoryPath(s.Slug))
	}
	return docs
}

// Filler completes docs on demand: it sets the Body of docs[i] for each i
// in which, leaving the other docs alone. Index.SyncLazy and
// static.UpdateLazy take docs whose Source is set and whose bodies may be
// missing, and fill only the docs they index, so a caller need not render
// every story to find the one that changed.
type Filler func(ctx context.Context, docs []Doc, which []int) error

// Fill fills docs[i], i in which, with fill (nothing to fill when fill is
// nil: the docs are complete) and returns them in the order of which.
// With which nil it fills and returns every doc.
func Fill(ctx context.Context, docs []Doc, which []int, fill Filler) ([]Doc, error) {
	if which == nil {
		which = make([]int, len(docs))
		for i := range which {
			which[i] = i
		}
	}
	if fill != nil && len(which) > 0 {
		if err := fill(ctx, docs, which); err != nil {
			return nil, err
		}
	}
	out := make([]Doc, len(which))
	for k, i := range which {
		out[k] = docs[i]
	}
	return out, nil
}

// Stubs converts the stories of c into Docs without bodies, with a Source
// that changes whenever the Doc would: the story file, everything the site
// adds to it (URL, edition, date) and whether the site typesets bodies.
// Fill the bodies with the texts of those stories (markdown.Doc.Text).
//
// The Source hashes the Doc's fields directly, each after its length
// (formerly it hashed the Doc's JSON: an index written before then is
// synced once more, whole).
func Stubs(c *content.Content) []Doc {
	docs := make([]Doc, len(c.Stories))
	typeset := c.Site.TypesetOn()
	root := content.SiteRoot(c.Site.BaseURL) // once, not a URL parse a story
	var b []byte
	for i, s := range c.Stories {
		d := FromStory(s, "", root+content.StoryPath(s.Slug))
		b = appendSourceFields(b[:0], &d)
		b = binary.LittleEndian.AppendUint64(b, s.Hash)
		if typeset {
			b = append(b, 1)
		}
		h := fnv.New64a()
		h.Write(b)
		d.Source = h.Sum64() | 1 // never 0: 0 means no Source
		docs[i] = d
	}
	return docs
}

// appendSourceFields appends the fields of a stub that its Source covers,
// each after its length, so that no two stubs write the same bytes.
func appendSourceFields(b []byte, d *Doc) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(d.ID)
	str(d.Title)
	str(d.Kicker)
	str(d.Subtitle)
	str(d.Body)
	str(d.Credit)
	b = binary.AppendUvarint(b, uint64(len(d.Tags)))
	for _, t := range d.Tags {
		str(t)
	}
	// As JSON writes it: the instant and its offset.
	at := len(b)
	b = append(b, 0)
	b = d.Date.AppendFormat(b, time.RFC3339Nano)
	b[at] = byte(len(b) - at - 1)
	str(d.Edition)
	str(d.URL)
	return b
}

// LazyFromContent is FromContent with bodies rendered on demand: the docs
// are Stubs(c), and the filler renders the bodies it is asked for, in
// parallel (typeset as the site says), and releases each story's source
// once rendered (content.Story.ReleaseBody: a later fill reads it again),
// so a whole index holds each body only while it is indexed.
func LazyFromContent(c *content.Content) ([]Doc, Filler) {
	r := markdown.New(markdown.Options{Typeset: c.Site.TypesetOn()})
	fill := func(ctx context.Context, docs []Doc, which []int) error {
		errs := make([]error, len(which))
		pfor.For(len(which), 0, func(k int) {
			if ctx.Err() != nil {
				return
			}
			s := c.Stories[which[k]]
			body, err := s.LoadBody()
			if err != nil {
				errs[k] = err
				return
			}
			text, err := r.Text(ctx, body)
			if err != nil {
				errs[k] = fmt.Errorf("%s: %w", s.Path, err)
				return
			}
			docs[which[k]].Body = text
			s.ReleaseBody()
		})
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.Join(errs...)
	}
	return Stubs(c), fill
}
