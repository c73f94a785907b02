package search

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Text fields and their boosts. A gram found in the title counts four
// times one found in the body; an exact phrase counts twice a gram.
var textFields = []struct {
	Name  string
	Boost float64
}{
	{"title", 4},
	{"kicker", 2},
	{"subtitle", 2},
	{"body", 1},
}

const phraseBoost = 8

const (
	charsField  = "chars"  // G1 of all text fields
	creditField = "credit" // keyword
	tagField    = "tag"    // keyword, one term per tag
	yearField   = "year"   // keyword; every story has one
	orderField  = "order"  // keyword, doc values: newest first, then by slug (and the date)
	rawField    = "raw"    // the normalised Doc, stored (encodeDoc)
)

// phraseField is the G3 field of a text field.
func phraseField(f string) string { return f + "3" }

// gramField is an indexed field whose terms are a set of grams, each with
// frequency 1 and a field length of 1. A story matches a gram or it does
// not: bleve's tf-idf then scores a term as boost·idf² (times the query
// norm), which the static index reproduces exactly from document counts.
type gramField struct {
	name  string
	grams []string
	opts  index.FieldIndexingOptions
	freqs index.TokenFrequencies
}

// newGramField returns a field of grams (repeats are dropped).
func newGramField(name string, grams []string) *gramField {
	return &gramField{name: name, grams: grams, opts: index.IndexField}
}

// newKeywordField is a gramField of one term, with doc values if asked.
func newKeywordField(name string, value string, docValues bool) *gramField {
	f := &gramField{name: name, grams: []string{value}, opts: index.IndexField}
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
func (f *gramField) Size() int                           { return 64 + 16*len(f.grams) + 32*len(f.freqs) }
func (f *gramField) AnalyzedLength() int                 { return 1 }
func (f *gramField) NumPlainTextBytes() uint64           { return 0 }
func (f *gramField) AnalyzedTokenFrequencies() index.TokenFrequencies {
	return f.freqs
}

// gramFreq is the frequency of every gram: zap (bleve's segment format)
// reads a TokenFreq's frequency and locations, never its Term, so all
// grams share one, which keeps a batch of analysed stories small.
var gramFreq = func() *index.TokenFreq {
	tf := &index.TokenFreq{}
	tf.SetFrequency(1)
	return tf
}()

// Analyze builds the term frequencies: one per distinct gram.
func (f *gramField) Analyze() {
	f.freqs = make(index.TokenFrequencies, len(f.grams)/2) // about half repeat
	for _, g := range f.grams {
		if g != "" {
			f.freqs[g] = gramFreq
		}
	}
	f.grams = nil // the map holds them now
}

var _ document.Field = (*gramField)(nil)

// unitPool holds unit buffers (*[]unit) for gramTerms: grams are
// substrings of the text, so units are garbage once grams are cut.
var unitPool sync.Pool

// gramTerms returns, per indexed field, the terms of a normalised Doc:
// with distinct, the sets the static index stores; without, the bigrams
// and trigrams of text fields may repeat (gramField.Analyze drops repeats
// anyway).
func gramTerms(d Doc, distinct bool) map[string][]string {
	out := make(map[string][]string, 2*len(textFields)+4)
	uniq := func(ss []string) []string { return ss }
	if distinct {
		uniq = dedupeInPlace
	}
	var chars []string
	bp, _ := unitPool.Get().(*[]unit)
	if bp == nil {
		bp = new([]unit)
	}
	defer unitPool.Put(bp)
	for _, f := range textFields {
		us := appendUnits((*bp)[:0], fieldText(d, f.Name))
		*bp = us
		out[f.Name] = uniq(gramsOf(us, 2))
		out[phraseField(f.Name)] = uniq(gramsOf(us, 3))
		// Single units (G1) of all fields together; runs do not matter.
		for _, u := range us {
			chars = append(chars, u.Text)
		}
	}
	out[charsField] = dedupeInPlace(chars)
	if d.Credit != "" {
		out[creditField] = []string{d.Credit}
	}
	out[tagField] = dedupe(d.Tags)
	out[yearField] = []string{strconv.Itoa(d.Date.Year())}
	return out
}

func fieldText(d Doc, name string) string {
	switch name {
	case "title":
		return d.Title
	case "kicker":
		return d.Kicker
	case "subtitle":
		return d.Subtitle
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
	doc := document.NewDocument(d.Slug)
	doc.AddIDField()
	terms := gramTerms(d, false)
	for _, f := range textFields {
		doc.AddField(newGramField(f.Name, terms[f.Name]))
		doc.AddField(newGramField(phraseField(f.Name), terms[phraseField(f.Name)]))
	}
	doc.AddField(newGramField(charsField, terms[charsField]))
	doc.AddField(newGramField(tagField, terms[tagField]))
	if d.Credit != "" {
		doc.AddField(newKeywordField(creditField, d.Credit, false))
	}
	doc.AddField(newKeywordField(yearField, terms[yearField][0], false))
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
	return fmt.Sprintf("%07d|%s", 9999999-day(d.Date), d.Slug)
}
