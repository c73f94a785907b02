package content

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
	yaml "go.yaml.in/yaml/v3"
)

// Format is the syntax of a front matter block.
type Format int

// Front matter formats.
const (
	NoFrontMatter Format = iota
	YAML                 // between "---" lines
	TOML                 // between "+++" lines
)

// SplitFrontMatter splits src into its front matter and body. bodyLine is
// the 1-based line on which the body starts; fmLine the line on which the
// front matter text starts (the line after the opening delimiter). A byte
// order mark is ignored. An opening delimiter without a closing one is an
// error.
func SplitFrontMatter(src []byte) (fm []byte, format Format, body []byte, fmLine, bodyLine int, err error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	var delim string
	switch {
	case hasDelimLine(src, "---"):
		delim, format = "---", YAML
	case hasDelimLine(src, "+++"):
		delim, format = "+++", TOML
	default:
		return nil, NoFrontMatter, src, 0, 1, nil
	}
	// Skip the opening line.
	nl := bytes.IndexByte(src, '\n')
	rest := src[nl+1:]
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var ln []byte
		if end < 0 {
			ln = rest[off:]
		} else {
			ln = rest[off : off+end]
		}
		if string(bytes.TrimRight(ln, " \t\r")) == delim {
			fm = rest[:off]
			if end < 0 {
				body = nil
			} else {
				body = rest[off+end+1:]
			}
			return fm, format, body, 2, line + 1, nil
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, format, nil, 2, 0, fmt.Errorf("front matter opened with %q on line 1 is never closed", delim)
}

func hasDelimLine(src []byte, delim string) bool {
	if !bytes.HasPrefix(src, []byte(delim)) {
		return false
	}
	rest := src[len(delim):]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return false
	}
	return len(bytes.TrimRight(rest[:i], " \t\r")) == 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// decodeFrontMatter decodes fm into a map. On a syntax error it returns the
// line in the file (fmLine is the file line of fm's first line).
//
// Front matter over MaxFrontMatterBytes is refused with a *LimitError
// before any parsing.
func decodeFrontMatter(fm []byte, format Format, fmLine int) (map[string]any, int, error) {
	if err := CheckFrontMatter(fm); err != nil {
		return nil, fmLine, err
	}
	m := map[string]any{}
	switch format {
	case YAML:
		if len(bytes.TrimSpace(fm)) == 0 {
			return m, 0, nil
		}
		if err := yaml.Unmarshal(fm, &m); err != nil {
			line := fmLine
			msg := err.Error()
			if sm := yamlLineRE.FindStringSubmatch(msg); sm != nil {
				var n int
				fmt.Sscanf(sm[1], "%d", &n)
				line = fmLine + n - 1
				msg = strings.Replace(msg, sm[0], "", 1)
			}
			msg = strings.TrimPrefix(msg, "yaml: ")
			msg = strings.TrimPrefix(msg, ": ")
			return nil, line, fmt.Errorf("broken YAML front matter: %s", strings.TrimSpace(msg))
		}
	case TOML:
		if _, err := toml.Decode(string(fm), &m); err != nil {
			line := fmLine
			if pe, ok := err.(toml.ParseError); ok {
				line = fmLine + pe.Position.Line - 1
				return nil, line, fmt.Errorf("broken TOML front matter: %s", pe.Message)
			}
			return nil, line, fmt.Errorf("broken TOML front matter: %w", err)
		}
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, 0, nil
}

// keyLine finds the file line on which key is set in a front matter block,
// or fmLine-1 (the opening delimiter) when it is not there.
func keyLine(fm []byte, fmLine int, key string) int {
	lines := bytes.Split(fm, []byte("\n"))
	for i, ln := range lines {
		t := bytes.TrimLeft(ln, " \t")
		if bytes.HasPrefix(t, []byte(key)) {
			r := bytes.TrimLeft(t[len(key):], " \t")
			r = bytes.TrimPrefix(r, []byte(`"`))
			if len(r) > 0 && (r[0] == ':' || r[0] == '=') {
				return fmLine + i
			}
		}
	}
	if fmLine > 1 {
		return fmLine - 1
	}
	return 1
}
