package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/typeset"
)

type previewFinding struct {
	typeset.Finding
	// Start and End are the finding's place in UTF-16 code units, as a
	// browser's textarea counts, so the page can apply one fix.
	Start int `json:"start"`
	End   int `json:"end"`
}

type previewResult struct {
	HTML  template.HTML `json:"html"`
	Chars int           `json:"chars"`
	// Findings are the first maxPreviewFindings findings in source
	// order; FindingsTotal counts them all, and FixableTotal those with
	// a fix (Fixed has every fix applied).
	Findings      []previewFinding `json:"findings"`
	FindingsTotal int              `json:"findingsTotal"`
	FixableTotal  int              `json:"fixableTotal"`
	Fixed         string           `json:"fixed"`
	// FieldFindings are the house-style findings of the headlines and
	// photo captions, each with its field's fixed text.
	FieldFindings []fieldFinding `json:"fieldFindings"`
}

// fieldFinding is a finding in a one-line field (引题, 主题, 副题, a caption).
type fieldFinding struct {
	typeset.Finding
	Field string `json:"field"`
	Label string `json:"label"`
	Fixed string `json:"fixed"`
}

// fieldLabel names a headline or caption field for the user.
func fieldLabel(name string) (string, bool) {
	switch name {
	case "kicker":
		return "引题", true
	case "title":
		return "主题", true
	case "subtitle":
		return "副题", true
	case "caption":
		return "照片说明", true
	}
	if n, ok := strings.CutPrefix(name, "caption:"); ok && n != "" {
		return "照片 " + n + " 的说明", true
	}
	return "", false
}

// checkFieldsStyle lints headline and caption fields (one paragraph each).
func checkFieldsStyle(fields map[string]string) []fieldFinding {
	out := []fieldFinding{}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		label, ok := fieldLabel(k)
		v := fields[k]
		if !ok || v == "" || len(v) > 4096 || !utf8.ValidString(v) {
			continue
		}
		fixed, fs := typeset.FixLines([]byte(v), nil)
		for _, f := range fs {
			out = append(out, fieldFinding{Finding: f, Field: k, Label: label, Fixed: string(fixed)})
		}
	}
	return out
}

// maxPreviewFindings bounds the findings a preview lists. A clerk works
// through a few at a time, and each preview lists them again; a hostile
// body of 50,000 findings made a 9 MB answer, 170 ms of encoding and a
// list no browser could draw. 一键修正全部 applies every fix (Fixed).
const maxPreviewFindings = 200

// preview renders a body with the site's own pipeline and lints it, within
// ctx. The caller (previewJSON) has checked the body and holds the gate
// for long bodies.
func (s *Server) preview(ctx context.Context, body string) (*previewResult, error) {
	src := []byte(body)
	// Rendered with the desk's one-line-one-paragraph rule (as it will be
	// saved); linted as typed, so the findings' places match the textarea.
	doc, err := s.md.RenderContext(ctx, []byte(markdown.LinesToParagraphs(body)))
	if err != nil {
		return nil, err
	}
	fixed, findings := typeset.Fix(src, markdown.Protected(src))
	res := &previewResult{HTML: doc.HTML, Chars: doc.Chars, Fixed: string(fixed), Findings: []previewFinding{}}
	// Findings come in source order (typeset sorts them); UTF-16 offsets
	// are counted on from the previous one, so the loop is linear (counting
	// each from the start took a minute for 60,000 findings).
	pos, units := 0, 0
	for _, f := range findings {
		if f.Offset < 0 || f.Offset > len(src) {
			continue
		}
		res.FindingsTotal++
		if f.Fixable {
			res.FixableTotal++
		}
		if len(res.Findings) == maxPreviewFindings {
			continue
		}
		if f.Offset < pos {
			pos, units = 0, 0
		}
		units += utf16Len(body[pos:f.Offset])
		pos = f.Offset
		res.Findings = append(res.Findings, previewFinding{Finding: f, Start: units, End: units + utf16Len(f.Original)})
	}
	return res, nil
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// previewPost answers the editor page's live preview: {"body": "…"} →
// rendered HTML, character count, house-style findings and the fixed text.
func (s *Server) previewPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Body   string            `json:"body"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return badJSON(err)
	}
	if len(in.Fields) > 20 {
		return errorf(http.StatusBadRequest, "要检查的栏目过多")
	}
	out, err := s.previewJSON(r.Context(), in.Body, in.Fields)
	if err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, out)
	return nil
}

// previewJSON checks body (valid UTF-8, under the size and nesting caps),
// previews it, checks fields and encodes the answer. A long body passes the gate for long bodies first (as the submission index
// does), within the render deadline, so that long bodies wait for each
// other and take at most a share of one CPU from everyone else: all of
// their work, the answer's encoding too (an answer can be megabytes of
// HTML), counts against that share.
func (s *Server) previewJSON(ctx context.Context, body string, fields map[string]string) ([]byte, error) {
	if !utf8.ValidString(body) {
		return nil, errorf(http.StatusBadRequest, "正文不是有效的 UTF-8 文本")
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RenderTimeout)
	defer cancel()
	if len(body) > heavyBody {
		release, err := s.heavy.acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: waiting for another long body: %w", markdown.ErrDeadline, err)
		}
		defer release()
	}
	res, err := s.preview(ctx, body)
	if err != nil {
		return nil, err
	}
	res.FieldFindings = checkFieldsStyle(fields)
	return encodeJSON(res)
}
