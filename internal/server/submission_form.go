package server

import (
	"bytes"
	"errors"
	"github.com/banmian/banmian/internal/markdown"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// maxMarkdownUpload bounds an uploaded .md file.
const maxMarkdownUpload = 1 << 20

// splitTags splits a tag field on commas, 、, semicolons and spaces.
func splitTags(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\u3000' || r == '\n'
	})
	return f
}

// storyFields are the text fields of a submission as a form or a file
// gives them.
type storyFields struct {
	Kicker, Title, Subtitle, Body string
	Tags                          []string
}

func (f storyFields) apply(sub *store.Submission) {
	sub.Kicker, sub.Title, sub.Subtitle, sub.Body, sub.Tags = f.Kicker, f.Title, f.Subtitle, f.Body, f.Tags
}

// parseMarkdown reads a story file: YAML (or TOML) front matter with
// title, kicker, subtitle and tags, then the body. A file without front
// matter is all body.
func parseMarkdown(src []byte) (storyFields, error) {
	if !utf8.Valid(src) {
		return storyFields{}, errorf(http.StatusBadRequest, "文件不是 UTF-8 编码的文本，请另存为 UTF-8 后再上传")
	}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	fm, format, body, _, _, err := content.SplitFrontMatter(src)
	if err != nil {
		return storyFields{}, &Error{Status: http.StatusBadRequest, Message: "无法读取文件开头的元数据（标题、标签等），请检查文件开头两行 --- 之间的格式", Err: err}
	}
	// The caps come before any parsing (a YAML parser's time grows with
	// the square of the number of keys).
	if err := content.CheckFrontMatter(fm); err != nil {
		return storyFields{}, err
	}
	if err := content.CheckBody(body); err != nil {
		return storyFields{}, err
	}
	if format == content.NoFrontMatter {
		return storyFields{Body: string(src)}, nil
	}
	st, errs := content.ParseStory("upload.md", src)
	if st == nil {
		return storyFields{}, &Error{Status: http.StatusBadRequest, Message: "无法读取稿件文件，请检查文件开头的标题、标签等元数据", Err: errs}
	}
	return storyFields{Kicker: st.Kicker, Title: st.Title, Subtitle: st.Subtitle, Body: string(body), Tags: st.Tags}, nil
}

// formFields reads the story fields of a submission form, or of its
// uploaded .md file (field "mdfile") when one was chosen.
func formFields(r *http.Request) (storyFields, error) {
	f := storyFields{
		Kicker:   r.PostFormValue("kicker"),
		Title:    r.PostFormValue("title"),
		Subtitle: r.PostFormValue("subtitle"),
		// Copy typed or pasted in the desk: one line, one paragraph.
		Body: markdown.LinesToParagraphs(r.PostFormValue("body")),
		Tags: splitTags(r.PostFormValue("tags")),
	}
	if r.MultipartForm == nil {
		return f, nil
	}
	fhs := r.MultipartForm.File["mdfile"]
	if len(fhs) == 0 || fhs[0].Size == 0 {
		return f, nil
	}
	data, err := readUpload(fhs[0], maxMarkdownUpload)
	if err == nil {
		f, err = mergeMarkdown(f, data)
	}
	var e *Error
	if errors.As(err, &e) {
		e2 := *e
		e2.Field = "mdfile"
		return f, &e2
	}
	return f, err
}

// mergeMarkdown reads an uploaded story file; fields typed in the form win
// over its front matter.
func mergeMarkdown(f storyFields, data []byte) (storyFields, error) {
	up, err := parseMarkdown(data)
	if err != nil {
		return f, err
	}
	// Fields typed in the form win over the file's front matter.
	if strings.TrimSpace(f.Title) != "" {
		up.Title = f.Title
	}
	if strings.TrimSpace(f.Kicker) != "" {
		up.Kicker = f.Kicker
	}
	if strings.TrimSpace(f.Subtitle) != "" {
		up.Subtitle = f.Subtitle
	}
	if len(f.Tags) > 0 {
		up.Tags = f.Tags
	}
	return up, nil
}

// readUpload reads an uploaded file of at most limit bytes.
func readUpload(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	if fh.Size > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "文件 %s 过大（上限 %d KB）", fh.Filename, limit>>10)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "文件 %s 过大（上限 %d KB）", fh.Filename, limit>>10)
	}
	return data, nil
}

// parseForm parses a urlencoded or multipart form.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(4 << 20)
	}
	return r.ParseForm()
}

// formRev reads the revision a form was based on.
func formRev(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("rev"))
	return n
}
