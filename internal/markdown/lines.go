package markdown

import "strings"

// LinesToParagraphs applies the desk's rule for copy written in the desk
// or sent to the API: Chinese news copy is one paragraph per line, so a
// single line break starts a new paragraph. It inserts the blank line
// CommonMark needs between two non-blank lines, except inside fenced code
// and between table rows. Markdown files in content/ keep CommonMark rules
// (they never pass through here). The result is still Markdown, the
// storage format; applying it twice changes nothing. Linear in len(body).
func LinesToParagraphs(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if !strings.Contains(body, "\n") {
		return body
	}
	lines := strings.Split(body, "\n")
	var b strings.Builder
	b.Grow(len(body) + len(lines))
	fence := ""
	for i, line := range lines {
		b.WriteString(line)
		if i == len(lines)-1 {
			break
		}
		b.WriteByte('\n')
		t := strings.TrimSpace(line)
		switch {
		case fence != "" && strings.HasPrefix(t, fence):
			fence = "" // the closing line: a paragraph may follow
		case fence != "":
			continue
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:3]
			continue
		}
		next := strings.TrimSpace(lines[i+1])
		if t == "" || next == "" {
			continue
		}
		if strings.HasPrefix(t, "|") && strings.HasPrefix(next, "|") {
			continue
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ParagraphsToLines is the inverse of LinesToParagraphs for showing stored
// desk copy in the desk's text box: the blank line between two paragraphs
// becomes one line break again (outside fenced code). Runs of more than
// one blank line are kept as they are.
// LinesToParagraphs(ParagraphsToLines(s)) == s for desk copy.
func ParagraphsToLines(body string) string {
	if !strings.Contains(body, "\n\n") {
		return body
	}
	lines := strings.Split(body, "\n")
	var b strings.Builder
	b.Grow(len(body))
	fence := ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		t := strings.TrimSpace(line)
		switch {
		case fence != "" && strings.HasPrefix(t, fence):
			fence = ""
		case fence != "":
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		}
		b.WriteString(line)
		if i == len(lines)-1 {
			break
		}
		b.WriteByte('\n')
		// One blank line between two non-blank lines, outside code: drop it.
		if fence == "" && t != "" && i+2 < len(lines) && lines[i+1] == "" && strings.TrimSpace(lines[i+2]) != "" &&
			!(strings.HasPrefix(t, "|") && strings.HasPrefix(strings.TrimSpace(lines[i+2]), "|")) {
			i++
		}
	}
	return b.String()
}
