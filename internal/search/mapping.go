package search

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Text fields, their boosts and the BM25 length normalisation of each.
// A gram's score in a field is boost·idf·impact, where the impact (1 to
// 255) quantises BM25's term-frequency part, tf·(k1+1)/(tf+k1·(1−b+b·len/avg)),
// for the gram's frequency tf in the field and the field's length len in
// units. avg is a fixed typical length, not the collection's, so that a
// story's impacts depend on the story alone: adding a story never changes
// another's postings (the static index rewrites only what changed).
// Credits and tags are searched as text too (byline, tagtext).
type fieldSpec struct {
	Name  string
	Boost float64
	Avg   float64 // typical length in units
	B     float64 // length normalisation, 0 to 1
}

var textFields = []fieldSpec{
	{"title", 3, 14, 0.75},
	{"kicker", 2, 14, 0.75},
	{"subtitle", 2, 14, 0.75},
	{"byline", 0.5, 4, 0.5},
	{"tagtext", 1, 5, 0.5},
	{"body", 1, 1500, 0.75},
}

// Single units (G1) of all text fields are one field, chars, scored
// BM25F-style: a unit's frequency is the sum over fields of its frequency
// times the field's boost, each normalised by its field's length
// (fieldTF), then saturated (saturate).

// phraseBoost multiplies a field's boost for a trigram (G3) match: the
// bonus for query characters found next to each other.
const phraseBoost = 1.5

// pinyinBoost is the boost of a pinyin match (field py): lower than a
// title match, since a reading is ambiguous.
const pinyinBoost = 1.5

// bm25K1 is BM25's saturation constant.
const bm25K1 = 2.0

const (
	charsField  = "chars"  // G1 of all text fields
	pinyinField = "py"     // readings of titles, credits and tags (pinyinTerms)
	creditField = "credit" // keyword
	tagField    = "tag"    // keyword, one term per tag
	yearField   = "year"   // keyword; every story has one
	orderField  = "order"  // keyword, doc values: newest first, then by slug (and the date)
	rawField    = "raw"    // the normalised Doc, stored (encodeDoc)
)

// phraseField is the G3 field of a text field.
func phraseField(f string) string { return f + "3" }

// impact quantises BM25's term-frequency part for tf occurrences in a
// field of length n (units).
func impact(tf, n int, f fieldSpec) uint8 {
	return saturate(fieldTF(tf, n, f, 1))
}

// fieldTF is tf·weight normalised by the field's length n.
func fieldTF(tf, n int, f fieldSpec, weight float64) float64 {
	return float64(tf) * weight / (1 - f.B + f.B*float64(n)/f.Avg)
}

// saturate quantises BM25's saturation t·(k1+1)/(t+k1) into 1 to 255.
func saturate(t float64) uint8 {
	w := t * (bm25K1 + 1) / (t + bm25K1)
	q := math.Round(w / (bm25K1 + 1) * 255)
	return uint8(min(max(q, 1), 255))
}

// Posting is one distinct gram of a field of a story with its impact: the
// quantised BM25 term-frequency part, 1 to 255 (1 for keyword fields).
type Posting struct {
	Gram   string
	Impact uint8
}

// gramField is an indexed field whose terms are distinct grams, each with
// its impact as its frequency, and a field length of 1: the server reads
// the impacts back from bleve's postings (eachPosting), and the static
// index stores the same bytes.
type gramField struct {
	name  string
	post  []Posting
	opts  index.FieldIndexingOptions
	freqs index.TokenFrequencies
}

// newGramField returns a field of distinct grams with impacts.
func newGramField(name string, post []Posting) *gramField {
	return &gramField{name: name, post: post, opts: index.IndexField}
}

// newKeywordField is a gramField of one term (impact 1), with doc values
// if asked.
func newKeywordField(name string, value string, docValues bool) *gramField {
	f := &gramField{name: name, post: []Posting{{value, 1}}, opts: index.IndexField}
	if docValues {
		f.opts |= index.DocValues
	}
	return f
}

func (f *gramField) Name() string                        { return f.name }
func (f *gramField) Value() []byte                       { return nil }
func (f *gramField) ArrayPositions() []uint64            { return nil }
func (f *gramField) EncodedFieldType() byte              { return 't' }
func (f *gramField) Options() index.FieldIndexingOptions { return f.opts }
func (f *gramField) Size() int                           { return 64 + 24*len(f.post) + 32*len(f.freqs) }
func (f *gramField) AnalyzedLength() int                 { return 1 }
func (f *gramField) NumPlainTextBytes() uint64           { return 0 }
func (f *gramField) AnalyzedTokenFrequencies() index.TokenFrequencies {
	return f.freqs
}

// Analyze builds the term frequencies, unless the field was made
// analysed (analysedGramField).
func (f *gramField) Analyze() {
	if f.freqs == nil {
		f.freqs = tokenFreqs(f.post)
		f.post = nil // the map holds them now
	}
}

// analysedGramField is newGramField already analysed, so that post need
// not outlive the call.
func analysedGramField(name string, post []Posting) *gramField {
	return &gramField{name: name, opts: index.IndexField, freqs: tokenFreqs(post)}
}

// tokenFreqs returns the term frequencies of post: one per distinct gram,
// sharing the TokenFreq of its impact (impactFreq).
func tokenFreqs(post []Posting) index.TokenFrequencies {
	freqs := make(index.TokenFrequencies, len(post))
	for _, p := range post {
		if p.Gram != "" {
			freqs[p.Gram] = impactFreq[p.Impact]
		}
	}
	return freqs
}

var _ document.Field = (*gramField)(nil)

// eachGramTerms calls fn with each indexed field of a normalised Doc that
// has terms and the field's distinct terms with their impacts, which fn
// must not keep: they are only valid during the call. Grams are counted by
// integer keys (gramcount.go) and are substrings of the folded texts.
func eachGramTerms(d Doc, fn func(field string, post []Posting)) {
	s := gramPool.Get().(*gramScratch)
	defer s.release()
	for _, f := range textFields {
		src := foldString(fieldText(d, f.Name))
		us := appendCUnits(s.us[:0], src)
		s.us = us
		if len(us) == 0 {
			continue
		}
		lo := len(s.post)
		s.countGrams(src, us, 2, f)
		s.spans = append(s.spans, fieldSpan{f.Name, lo, len(s.post)})
		lo = len(s.post)
		if s.countGrams(src, us, 3, f) {
			s.spans = append(s.spans, fieldSpan{phraseField(f.Name), lo, len(s.post)})
		}
		// Single units (G1) of all fields together; runs do not matter.
		s.addUnits(src, us, f)
	}
	if len(s.all.used) > 0 || len(s.allWords) > 0 {
		lo := len(s.post)
		for _, i := range s.all.used {
			a := s.all.vals[i]
			s.post = append(s.post, Posting{a.g, saturate(a.t)})
		}
		for g, t := range s.allWords {
			s.post = append(s.post, Posting{g, saturate(t)})
		}
		s.spans = append(s.spans, fieldSpan{charsField, lo, len(s.post)})
	}
	for _, sp := range s.spans {
		fn(sp.field, s.post[sp.lo:sp.hi:sp.hi])
	}
	if py := pinyinTerms(d); len(py) > 0 {
		fn(pinyinField, py)
	}
	if d.Credit != "" {
		fn(creditField, []Posting{{d.Credit, 1}})
	}
	if tags := dedupe(d.Tags); len(tags) > 0 {
		sort.Strings(tags)
		post := make([]Posting, len(tags))
		for i, t := range tags {
			post[i] = Posting{t, 1}
		}
		fn(tagField, post)
	}
	fn(yearField, []Posting{{strconv.Itoa(d.Date.Year()), 1}})
}

func fieldText(d Doc, name string) string {
	switch name {
	case "title":
		return d.Title
	case "kicker":
		return d.Kicker
	case "subtitle":
		return d.Subtitle
	case "byline":
		return d.Credit
	case "tagtext":
		return strings.Join(d.Tags, "\n")
	case "body":
		return d.Body
	}
	return ""
}

func dedupe(ss []string) []string {
	return dedupeInPlace(append([]string(nil), ss...))
}

// dedupeInPlace is dedupe reusing the array of ss.
func dedupeInPlace(ss []string) []string {
	seen := make(map[string]struct{}, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if _, ok := seen[s]; ok || s == "" {
			continue
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out
}

// bleveDoc builds the bleve document of a normalised Doc.
func bleveDoc(d Doc) (*document.Document, error) {
	raw := encodeDoc(d)
	doc := document.NewDocument(d.ID)
	doc.AddIDField()
	// The term frequencies are built straight from the analysis scratch,
	// without copying the postings out first.
	fields := make([]*gramField, len(indexedFields))
	eachGramTerms(d, func(field string, post []Posting) {
		fields[FieldNumber(field)] = analysedGramField(field, post)
	})
	for _, f := range fields {
		if f != nil {
			doc.AddField(f)
		}
	}
	doc.AddField(newKeywordField(orderField, orderKey(d), true))
	doc.AddField(document.NewTextFieldWithIndexingOptions(rawField, nil, raw, index.StoreField))
	return doc, nil
}

// newMapping returns the index mapping. Documents are built by bleveDoc,
// not mapped; the mapping only names the default analyzer.
func newMapping() *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	im.DefaultMapping = mapping.NewDocumentStaticMapping()
	im.DefaultAnalyzer = keyword.Name
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

// orderKey sorts ascending as the static index numbers stories: newest
// first, then by slug. One doc value per story keeps sorting cheap.
func orderKey(d Doc) string {
	return fmt.Sprintf("%07d|%s", 9999999-Day(d.Date), d.ID)
}

// indexedFields lists every indexed field but the order key, in a fixed
// order: the static index numbers fields by it.
var indexedFields = func() []string {
	var out []string
	for _, f := range textFields {
		out = append(out, f.Name, phraseField(f.Name))
	}
	return append(out, charsField, pinyinField, creditField, tagField, yearField)
}()
