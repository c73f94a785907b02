// Package static writes and reads banmian's static search index: files a
// browser script (search.js) fetches, so that search works on a static
// host, and the reader search page that runs it.
//
// The index stores what the engine (internal/search) computes: each
// story's terms with their impacts (search.EachStoryTerms) in postings
// shards, and each story's normalised Doc. Index, the Go reader, and
// search.js evaluate a query over those files exactly as the server index
// does (search.Collection, which search.js mirrors), so all three return
// the same stories in the same order; the tests hold them to it.
//
// Guarantees: Write writes into a fresh directory and renames it into
// place; Update writes only the new segment and the files naming it, with
// meta.json last, so a reader sees the old index or the new one. An Index
// is not safe for concurrent use. A Builder keeps the index of a site's
// search folder current build after build, in the background if asked,
// and is safe for concurrent use.
package static

import "github.com/banmian/banmian/internal/search"

// Version is the version of the static format: meta.json records it, and
// search.js and Open refuse an index of another. It includes the engine's
// Version, since the index stores the engine's impacts.
const Version = search.Version + "/static-3"
