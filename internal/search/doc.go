// Package search is banmian's Chinese full-text search engine: the only
// package importing bleve.
//
// Stories come in as Docs (plain text, decoupled from content and
// Markdown). Text is normalised (Normalize: NFKC with Chinese punctuation
// kept, so １２３４５ is 12345) and cut into units: every Han character, and
// every word of letters or digits. An index holds, per text field, the
// adjacent pairs of units (bigrams), the adjacent triples (exact-phrase
// evidence) and, for all text together, single units (one-character
// queries), each with an impact (EachStoryTerms). Queries are planned and
// scored by one evaluator (Collection.Search) over postings read from
// bleve's segments (Index.Search) or from the files of the static index
// (package static, whose browser script mirrors the evaluator), so both
// return the same stories in the same order for the same query. bleve
// stores, updates and persists the server index; it does not rank.
//
// The packages around it: static writes and reads the static index and
// its reader page; searchhttp serves the page and a JSON API from any
// index; searchtest holds the corpora their tests share.
//
// Guarantees: an Index is safe for concurrent use by one process (a lock
// file beside its directory keeps other processes out: ErrLocked). Sync is
// incremental and crash-safe: each batch stores the documents together
// with their hashes, so an interrupted Sync leaves an index that the next
// Sync completes. An index opened with Options.Lazy can lose its latest
// writes in a crash, each write whole, and the next Sync completes it the
// same way.
package search

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"time"
)

// Doc is one story as search sees it.
type Doc struct {
	ID       string    `json:"id"` // a story's slug, or another unique name (a submission ID)
	Title    string    `json:"title"`
	Kicker   string    `json:"kicker,omitempty"`
	Subtitle string    `json:"subtitle,omitempty"`
	Body     string    `json:"body"` // plain text, paragraphs separated by "\n"
	Credit   string    `json:"credit,omitempty"`
	Tags     []string  `json:"tags,omitempty"`
	Date     time.Time `json:"date"`
	Edition  string    `json:"edition,omitempty"` // YYYY-MM-DD of the page it ran on
	URL      string    `json:"url,omitempty"`     // reader URL, site-relative
	// Source, when nonzero, is a hash of everything the doc is made from
	// (say, a story's Markdown before rendering). Hash then depends on
	// Source alone, so a caller can ask Index.Indexed whether the index
	// already holds that source and skip building the doc.
	Source uint64 `json:"-"`
}

// Normalized returns d with every text field normalised (Normalize) and
// its date cut to the day, in UTC: the form an index holds and returns.
func (d Doc) Normalized() Doc {
	d.Title = Normalize(d.Title)
	d.Kicker = Normalize(d.Kicker)
	d.Subtitle = Normalize(d.Subtitle)
	d.Body = Normalize(d.Body)
	d.Credit = Normalize(d.Credit)
	tags := make([]string, len(d.Tags))
	for i, t := range d.Tags {
		tags[i] = Normalize(t)
	}
	d.Tags = tags
	d.Date = time.Date(d.Date.Year(), d.Date.Month(), d.Date.Day(), 0, 0, 0, 0, time.UTC)
	return d
}

// Hash identifies a Doc's searchable content and the analysis version:
// equal hashes, nothing to re-index.
//
// A Doc with a Source hashes to a value of Source and the analysis version.
func (d Doc) Hash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(Version))
	if d.Source != 0 {
		h.Write(binary.LittleEndian.AppendUint64([]byte("source:"), d.Source))
		return h.Sum64()
	}
	b, _ := json.Marshal(d) // a Doc always marshals
	h.Write(b)
	return h.Sum64()
}

// Version names the analysis and scoring: it changes whenever they, the
// mapping or the impacts change, so that an index built with another
// version (the server's, or a static one, whose format version includes
// it) is rebuilt, and Doc.Hash changes with it.
const Version = "banmian-search-3"

// Day returns the days since 1970-01-01 of t's calendar date: the day
// stories are ordered and filtered by.
func Day(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
