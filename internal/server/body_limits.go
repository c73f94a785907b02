package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
)

// renderTimeout is the default Config.RenderTimeout. A story at the size
// cap renders in a fraction of a second; this is a backstop.
const renderTimeout = 3 * time.Second

// storyRequestMax is the largest request that can carry one story: a
// body at content.MaxBodyBytes with every byte escaped by JSON (at most
// six bytes, \u00XX), and its headline fields or front matter. A bigger
// request cannot hold a valid story, so the routes that take one (the
// live preview, the API's submissions) refuse it before reading it:
// decoding a 1.9 MB body only to refuse it cost tens of milliseconds of
// CPU per request.
const storyRequestMax = 6*content.MaxBodyBytes + content.MaxFrontMatterBytes

// storyTooLarge is the message for a request over storyRequestMax.
func storyTooLarge(size, limit int64) string {
	return fmt.Sprintf("提交的稿件过大：%s，上限为 %s。正文上限为 %s（约 6 万字），一篇稿件通常不超过 2 万字，请删减或分成几篇。",
		kb(int(size)), kb(int(limit)), kb(content.MaxBodyBytes))
}

// checkBody refuses a story body over the size cap or nested too deeply
// before anything parses it. The store checks the size again.
func checkBody(body string) error {
	if err := content.CheckBody(body); err != nil {
		return err
	}
	return markdown.CheckNesting([]byte(body))
}

// kb formats a byte count in KB for messages.
func kb(n int) string {
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// limitStatus maps the size, nesting and rendering-time errors of story
// text to a status and a message; ok is false for other errors.
func limitStatus(err error) (status int, msg string, ok bool) {
	var le *content.LimitError
	if errors.As(err, &le) {
		switch le.Part {
		case content.PartBody:
			return http.StatusBadRequest, fmt.Sprintf("正文过长：%s，上限为 %s（约 6 万字）。一篇稿件通常不超过 2 万字，请删减或分成几篇。", kb(le.Size), kb(le.Limit)), true
		case content.PartFrontMatter:
			return http.StatusBadRequest, fmt.Sprintf("文件开头的元数据（front matter）过大：%s，上限为 %s。请只保留标题、引题、副题和标签等字段。", kb(le.Size), kb(le.Limit)), true
		}
		return http.StatusBadRequest, fmt.Sprintf("内容过大：%s，上限为 %s。", kb(le.Size), kb(le.Limit)), true
	}
	var ne *markdown.NestingError
	if errors.As(err, &ne) {
		return http.StatusBadRequest, fmt.Sprintf("正文第 %d 行的引用和列表嵌套超过 %d 层，请减少嵌套。", ne.Line, markdown.MaxNesting), true
	}
	if errors.Is(err, markdown.ErrDeadline) {
		return http.StatusServiceUnavailable, "排版预览超时，请稍后再试；若一再出现，请简化正文的格式。", true
	}
	return 0, "", false
}
