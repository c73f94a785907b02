package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"

	"github.com/banmian/banmian/internal/content"
)

// headingIDs gives subheads readable ASCII ids: the pinyin of their text,
// made unique within a document.
type headingIDs struct{ used map[string]bool }

func newIDs() *headingIDs { return &headingIDs{used: map[string]bool{}} }

const maxIDLen = 40

func (s *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	id := content.Slugify(string(value))
	if len(id) > maxIDLen {
		id = id[:maxIDLen]
		if i := strings.LastIndexByte(id, '-'); i > 0 {
			id = id[:i]
		}
	}
	if id == "" || !unicode.IsLetter(rune(id[0])) {
		id = "h-" + id
		id = strings.TrimSuffix(id, "-")
	}
	base := id
	for n := 2; s.used[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	s.used[id] = true
	return []byte(id)
}

func (s *headingIDs) Put(value []byte) { s.used[string(value)] = true }
