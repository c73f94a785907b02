package search

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// Internals for the external tests (package search_test), which share
// their corpora with the static index's tests through searchtest.

const BatchSize = batchSize

// SetAfterBatch makes fn run after each batch of x's Syncs.
func SetAfterBatch(x *Index, fn func()) { x.afterBatch = fn }

// AnalyseForIndex builds the bleve document of a normalised doc and
// analyses its fields, as a server index batch does (BenchmarkBleveDoc).
func AnalyseForIndex(d Doc) int {
	bd, err := bleveDoc(d)
	if err != nil {
		panic(err)
	}
	n := 0
	bd.VisitFields(func(f index.Field) {
		f.Analyze()
		n += len(f.AnalyzedTokenFrequencies())
	})
	return n
}

var (
	EncodeDoc   = encodeDoc
	DecodeDoc   = decodeDoc
	GramTerms   = gramTerms
	PinyinTerms = pinyinTerms
	// RefGramTerms is the former gramTerms (mapping_ref_test.go).
	RefGramTerms = refGramTerms
	// RefPinyinTerms is the former pinyinTerms.
	RefPinyinTerms = refPinyinTerms
)

// CheckSegmentPostings checks the assumptions of the bleve fast path
// (bleve_fastpath.go) on x, an index of docs (deleted ones included) whose
// older segments hold deleted documents:
//   - reading segment postings directly gives the documents and
//     frequencies scorch's term field reader gives, deleted ones left out;
//   - every frequency is the impact EachStoryTerms computes, and every live
//     story holding a gram is found, although all grams of one impact
//     share one TokenFreq (assumption 1: zap reads a TokenFreq's
//     frequency, never its term);
//   - indexing left the shared TokenFreqs as they were (bleve neither
//     merges into them nor records locations in them).
func CheckSegmentPostings(t *testing.T, x *Index, docs []Doc) {
	t.Helper()
	// The fields of a story share the TokenFreq of each impact.
	first := docs[0].Normalized()
	for field, post := range gramTerms(first) {
		f := newGramField(field, slices.Clone(post))
		f.Analyze()
		for _, p := range post {
			if p.Gram != "" && f.AnalyzedTokenFrequencies()[p.Gram] != impactFreq[p.Impact] {
				t.Errorf("%s:%s does not share the TokenFreq of impact %d", field, p.Gram, p.Impact)
			}
		}
	}
	defer func() {
		for i, tf := range impactFreq {
			if tf.Frequency() != i || len(tf.Term) != 0 || len(tf.Locations) != 0 {
				t.Errorf("the shared TokenFreq of impact %d changed while indexing: frequency %d, term %q, %d locations", i, tf.Frequency(), tf.Term, len(tf.Locations))
			}
		}
	}()
	ai, err := x.ix.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) < 2 {
		t.Fatalf("want a scorch snapshot of several segments, got %T", r)
	}
	deleted := false
	for _, ss := range snap.Segments() {
		deleted = deleted || ss.Deleted() != nil && !ss.Deleted().IsEmpty()
	}
	if !deleted {
		t.Fatal("no segment holds deleted documents")
	}
	ctx := context.Background()
	// Impacts as gramTerms computes them, by slug: what the static index
	// stores, and what bleve must give back as frequencies even though
	// every gram of an impact shares one TokenFreq (bleve_fastpath.go).
	want := map[string]map[string]uint8{}
	for _, d := range docs {
		d = d.Normalized()
		for field, post := range gramTerms(d) {
			for _, p := range post {
				k := field + "\x00" + p.Gram
				if want[k] == nil {
					want[k] = map[string]uint8{}
				}
				want[k][d.ID] = p.Impact
			}
		}
	}
	slugOf := map[uint64]string{}
	t2, err := buildTable(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range t2.slugs {
		if t2.alive[i] {
			slugOf[uint64(i)] = s
		}
	}
	type hit struct{ doc, freq uint64 }
	for _, c := range []struct{ field, term string }{
		{"body", "社区"}, {"body", "补记"}, {"chars", "镇"}, {"title", "多格"}, {"body3", "长征镇"},
		{"credit", "佘山镇"}, {"year", "2015"}, {"body", "没有这个"}, {"tag", "民生"}, {"byline", "长征"},
		{"py", "changzheng"}, {"py", "czz"}, {"chars", "的"},
	} {
		freq := c.field != "credit" && c.field != "year" && c.field != "tag"
		var direct, reader []hit
		if err := eachSegmentPosting(snap, c.field, []byte(c.term), freq, func(d, f uint64) { direct = append(direct, hit{d, f}) }); err != nil {
			t.Fatal(err)
		}
		tfr, err := r.TermFieldReader(ctx, []byte(c.term), c.field, freq, false, false)
		if err != nil {
			t.Fatal(err)
		}
		var tfd index.TermFieldDoc
		for {
			d, err := tfr.Next(&tfd)
			if err != nil {
				t.Fatal(err)
			}
			if d == nil {
				break
			}
			f := uint64(1)
			if freq {
				f = d.Freq
			}
			reader = append(reader, hit{d.ID.Value(), f})
		}
		tfr.Close()
		slices.SortFunc(direct, func(a, b hit) int { return int(a.doc) - int(b.doc) })
		if len(reader) == 0 && c.term != "没有这个" {
			t.Errorf("%s:%s: no documents", c.field, c.term)
		}
		if !slices.Equal(direct, reader) {
			t.Errorf("%s:%s: direct %v, term reader %v", c.field, c.term, direct, reader)
		}
		if !freq {
			continue
		}
		found := map[string]bool{}
		for _, h := range direct {
			found[slugOf[h.doc]] = true
		}
		live := map[string]bool{}
		for _, s := range slugOf {
			live[s] = true
		}
		for slug := range want[c.field+"\x00"+c.term] {
			if live[slug] && !found[slug] {
				t.Errorf("%s:%s: live story %s holds it but was not found", c.field, c.term, slug)
			}
		}
		for _, h := range direct {
			slug := slugOf[h.doc]
			w, ok := want[c.field+"\x00"+c.term][slug]
			if slug == "" || !ok {
				t.Errorf("%s:%s: story %d (%q) should not hold it", c.field, c.term, h.doc, slug)
				continue
			}
			if uint64(w) != h.freq {
				t.Errorf("%s:%s: story %s has frequency %d, impact %d", c.field, c.term, slug, h.freq, w)
			}
		}
	}
}

// Snapshot returns x's current snapshot; the caller closes it.
func Snapshot(x *Index) (index.IndexReader, error) {
	ai, err := x.ix.Advanced()
	if err != nil {
		return nil, err
	}
	return ai.Reader()
}

// SnapshotTable returns the table of snapshot r, as a search on r gets
// it, and the table x keeps for later searches.
func SnapshotTable(x *Index, r index.IndexReader) (got, kept any, err error) {
	t, err := x.tables.get(context.Background(), r, x.current)
	x.tables.mu.Lock()
	defer x.tables.mu.Unlock()
	return t, x.tables.t, err
}

// SetPinyinHash replaces the hash pinyinTerms finds terms by, until the
// test ends.
func SetPinyinHash(t *testing.T, h func([]byte) uint64) {
	old := pinyinHash
	pinyinHash = h
	t.Cleanup(func() { pinyinHash = old })
}

// gramTerms returns, per indexed field, the distinct terms of a
// normalised Doc with their impacts (eachGramTerms, copied out), for the
// tests and benchmarks that compare it with the former analysis.
func gramTerms(d Doc) map[string][]Posting {
	out := make(map[string][]Posting, 2*len(textFields)+5)
	eachGramTerms(d, func(field string, post []Posting) {
		out[field] = append([]Posting(nil), post...)
	})
	return out
}
