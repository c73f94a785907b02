package static

import (
	"bytes"
	"embed"
	"encoding/json"

	"github.com/banmian/banmian/internal/search"
)

//go:embed search.js
var scriptFS embed.FS

// Script returns the browser search script (search.js, with the format
// version and the engine's folding table put in), the dependency-free
// mirror of Index.Search.
func Script() []byte { return script }

var script = func() []byte {
	b, _ := scriptFS.ReadFile("search.js")   // embedded: cannot fail
	q, _ := json.Marshal(search.FoldPairs()) // a string: cannot fail
	v, _ := json.Marshal(Version)
	b = bytes.Replace(b, []byte(`"__TS_FOLD__"`), q, 1)
	return bytes.Replace(b, []byte(`"__VERSION__"`), v, 1)
}()
