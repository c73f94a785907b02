// Package markdown turns story Markdown into HTML, plain text and a list of
// subheads. It is the only package that imports goldmark.
//
// The pipeline is CommonMark with GFM tables. Raw HTML is never rendered
// (it becomes a comment) and dangerous link destinations (javascript:,
// vbscript:, data: other than images) are dropped, so submitted copy cannot
// inject markup. A soft line break between Chinese characters renders as
// nothing, never as a space. Emphasis delimiters next to full-width
// punctuation work ("**“多格合一”**舒心"). Headings in a story body are
// subheads (小标题): level 1 is lowered to 2 so the page keeps one h1, and
// each gets a readable ASCII id from its pinyin.
//
// Rendering is linear in the size of the input. Lines that nest block
// quotes and lists deeper than MaxNesting are flattened, inline link
// destinations nest at most 32 parentheses, and every rendering has a
// deadline (Options.Timeout, or the caller's context).
//
// A Renderer is safe for concurrent use.
package markdown

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/banmian/banmian/internal/typeset"
)

// Options configure a Renderer.
type Options struct {
	// Typeset normalises copy to house style (internal/typeset) before
	// rendering; code, link destinations and raw HTML are left alone.
	Typeset bool
	// Timeout bounds each Render; 0 means DefaultTimeout.
	// RenderContext uses the earlier of it and the context's deadline.
	Timeout time.Duration
}

// DefaultTimeout bounds a rendering when Options.Timeout is 0. A story
// at the size cap renders in milliseconds; this is a backstop.
const DefaultTimeout = 5 * time.Second

// ErrDeadline: a rendering ran out of time. Errors wrap it together with
// the context's error.
var ErrDeadline = errors.New("markdown rendering took too long")

// Heading is a subhead of a story.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Doc is a rendered story body.
type Doc struct {
	HTML     template.HTML
	Headings []Heading
	// Text is the plain text: one line per paragraph, heading, list item
	// or table cell row, in reading order.
	Text string
	// Chars counts Han characters and full-width punctuation in Text, the
	// unit of Chinese copy length.
	Chars int
}

// Renderer renders story Markdown. The zero value is not usable; call New.
type Renderer struct {
	opt Options
	md  goldmark.Markdown
}

// New returns a Renderer.
func New(opt Options) *Renderer {
	inline := []util.PrioritizedValue{}
	for _, v := range parser.DefaultInlineParsers() {
		if p, ok := v.Value.(parser.InlineParser); ok && bytes.Equal(p.Trigger(), []byte{'*', '_'}) {
			continue // replaced by cjkEmphasisParser
		}
		if v.Value == parser.NewLinkParser() {
			v.Value = newLinkGuard()
		}
		inline = append(inline, v)
	}
	inline = append(inline, util.Prioritized(&cjkEmphasisParser{}, 500))
	p := parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(inline...),
		parser.WithParagraphTransformers(util.Prioritized(paragraphSplitter{}, 100)),
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(subheadTransformer{}, 100)),
	)
	md := goldmark.New(
		goldmark.WithParser(p),
		goldmark.WithExtensions(
			extension.Table,
			extension.NewCJK(extension.WithEastAsianLineBreaks(extension.EastAsianLineBreaksCSS3Draft)),
		),
		goldmark.WithRendererOptions(html.WithXHTML()),
	)
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	return &Renderer{opt: opt, md: md}
}

// Render renders a story body within Options.Timeout.
//
// Invalid UTF-8 is replaced by U+FFFD first (goldmark assumes valid text).
// Errors: ErrDeadline when the rendering runs out of time.
func (r *Renderer) Render(src []byte) (*Doc, error) {
	return r.RenderContext(context.Background(), src)
}

// RenderContext is Render that also stops when ctx is done. Block parsing
// stops at the deadline; the inline parsing of what was read, linear in
// it, finishes first.
//
// Errors: ErrDeadline (wrapping ctx.Err()) when ctx is done or
// Options.Timeout passes before the rendering ends.
func (r *Renderer) RenderContext(ctx context.Context, src []byte) (*Doc, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opt.Timeout)
	defer cancel()
	src, doc, err := r.prepare(ctx, src)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, fmt.Errorf("rendering markdown: %w", err)
	}
	d := &Doc{HTML: template.HTML(buf.String())}
	d.Text, d.Headings = plain(doc, src)
	d.Chars = CountChars(d.Text)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return d, nil
}

// Text returns what RenderContext's Doc.Text would be, without rendering
// the HTML or counting characters: the search index needs the text alone.
//
// Errors: ErrDeadline, as RenderContext.
func (r *Renderer) Text(ctx context.Context, src []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opt.Timeout)
	defer cancel()
	src, doc, err := r.prepare(ctx, src)
	if err != nil {
		return "", err
	}
	text, _ := plain(doc, src)
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return text, nil
}

// prepare makes src valid UTF-8, typesets it when asked, flattens deep
// nesting and parses it; it returns the source the AST refers to.
func (r *Renderer) prepare(ctx context.Context, src []byte) ([]byte, ast.Node, error) {
	if !utf8.Valid(src) {
		src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
	}
	if r.opt.Typeset {
		src, _ = Normalize(src)
	}
	src = flattenDeep(src)
	doc := r.parse(ctx, src)
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return src, doc, nil
}

func (r *Renderer) parse(ctx context.Context, src []byte) ast.Node {
	pc := parser.NewContext(parser.WithIDs(newIDs()))
	pc.Set(doneKey, ctx.Done())
	return r.md.Parser().Parse(&deadlineReader{Reader: text.NewReader(src), done: ctx.Done()}, parser.WithContext(pc))
}

// doneKey holds the rendering's ctx.Done() channel in the parser context,
// so inline parsers can give up once the deadline has passed.
var doneKey = parser.NewContextKey()

// expired reports whether the rendering that pc belongs to is out of time.
func expired(pc parser.Context) bool {
	done, _ := pc.Get(doneKey).(<-chan struct{})
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// deadlineReader ends the source early, as far as goldmark's block
// parser can tell, once done is closed.
type deadlineReader struct {
	text.Reader
	done    <-chan struct{}
	stopped bool
}

func (r *deadlineReader) stop() bool {
	if !r.stopped {
		select {
		case <-r.done:
			r.stopped = true
		default:
		}
	}
	return r.stopped
}

func (r *deadlineReader) PeekLine() ([]byte, text.Segment) {
	if r.stop() {
		return nil, text.Segment{Start: len(r.Source()), Stop: len(r.Source())}
	}
	return r.Reader.PeekLine()
}

func (r *deadlineReader) SkipBlankLines() (text.Segment, int, bool) {
	if r.stop() {
		return text.Segment{}, 0, false
	}
	return r.Reader.SkipBlankLines()
}

// Normalize applies house style to a Markdown body, leaving protected
// ranges byte-identical, and returns the findings it fixed.
func Normalize(src []byte) ([]byte, []typeset.Finding) {
	if !mayNeedFix(src) {
		return src, nil
	}
	return typeset.Fix(src, Protected(src))
}

// CountChars counts Han characters and full-width punctuation.
func CountChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) || r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' {
			n++
		}
	}
	return n
}

// subheadTransformer lowers level-1 headings in a story body to level 2: the
// headline is the page's only h1.
type subheadTransformer struct{}

func (subheadTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 {
			h.Level = 2
		}
	}
}

// plain extracts the plain text and headings of a parsed document.
func plain(doc ast.Node, src []byte) (string, []Heading) {
	var b strings.Builder
	b.Grow(len(src))
	var heads []Heading
	var line strings.Builder
	endBlock := func() {
		if line.Len() > 0 {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strings.TrimSpace(line.String()))
			line.Reset()
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *ast.FencedCodeBlock, *ast.CodeBlock:
			if !entering {
				if h, ok := n.(*ast.Heading); ok {
					id, _ := h.AttributeString("id")
					idStr := ""
					if bs, ok := id.([]byte); ok {
						idStr = string(bs)
					}
					heads = append(heads, Heading{Level: h.Level, ID: idStr, Text: strings.TrimSpace(line.String())})
				}
				endBlock()
				return ast.WalkContinue, nil
			}
			if cb, ok := n.(interface{ Lines() *text.Segments }); ok && (n.Kind() == ast.KindFencedCodeBlock || n.Kind() == ast.KindCodeBlock) {
				lines := cb.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					line.Write(seg.Value(src))
				}
				return ast.WalkSkipChildren, nil
			}
		case *ast.Text:
			if entering {
				line.Write(n.Segment.Value(src))
				if n.SoftLineBreak() {
					writeSoftBreak(&line, src, n)
				} else if n.HardLineBreak() {
					line.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				line.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				line.Write(n.Label(src))
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		if entering {
			switch n.Kind() {
			case ast.KindListItem, ast.KindBlockquote:
				endBlock()
			}
			if n.Kind().String() == "TableCell" && line.Len() > 0 {
				line.WriteByte(' ')
			}
			if n.Kind().String() == "TableRow" || n.Kind().String() == "TableHeader" {
				endBlock()
			}
		}
		return ast.WalkContinue, nil
	})
	endBlock()
	return b.String(), heads
}

// writeSoftBreak writes the separator for a soft line break: nothing when
// either side is East Asian wide, a space otherwise.
func writeSoftBreak(line *strings.Builder, src []byte, t *ast.Text) {
	before, _ := utf8.DecodeLastRune(t.Segment.Value(src))
	after := rune(' ')
	if next, ok := t.NextSibling().(*ast.Text); ok {
		after, _ = utf8.DecodeRune(next.Segment.Value(src))
	}
	if util.IsEastAsianWideRune(before) || util.IsEastAsianWideRune(after) {
		return
	}
	line.WriteByte(' ')
}

// mayNeedFix is a fast, conservative pre-check: false means house style
// cannot change src, so the protected-range parse can be skipped.
func mayNeedFix(src []byte) bool {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' ||
			c == '(' || c == ')' || c == '"' || c == '\'' || c == '-':
			return true
		case c == 0xEF && i+2 < len(src):
			// Full-width digits U+FF10–FF19 and letters U+FF21–FF3A,
			// U+FF41–FF5A (not the full-width punctuation between them).
			c1, c2 := src[i+1], src[i+2]
			if (c1 == 0xBC && (c2 >= 0x90 && c2 <= 0x99 || c2 >= 0xA1 && c2 <= 0xBA)) || (c1 == 0xBD && c2 >= 0x81 && c2 <= 0x9A) {
				return true
			}
		case c == 0xE3 && i+5 < len(src) && src[i+1] == 0x80 && src[i+2] == 0x82 &&
			src[i+3] == 0xE3 && src[i+4] == 0x80 && src[i+5] == 0x82:
			return true // 。。 (T4)
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA6 || src[i+2] == 0x94):
			return true // … or —
		case c == ' ' || c == 0xE3 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2] == 0x80:
			if nearWidePunct(src, i) {
				return true
			}
		}
	}
	return false
}

// nearWidePunct reports whether the space at i touches full-width
// punctuation.
func nearWidePunct(src []byte, i int) bool {
	isWide := func(r rune) bool {
		return (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF0F) || (r >= 0xFF1A && r <= 0xFF20) ||
			r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—'
	}
	if r, _ := utf8.DecodeLastRune(src[:i]); isWide(r) {
		return true
	}
	w := 1
	if src[i] != ' ' {
		w = 3
	}
	r, _ := utf8.DecodeRune(src[i+w:])
	return isWide(r)
}
