package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// The bleve fast path: everything here relies on how bleve's scorch
// index and its zap segments behave beyond their documented interfaces.
// Checked against bleve v2.6.3, bleve_index_api v1.4.1,
// scorch_segment_api v2.4.11 and zapx v15.4.3, v16.3.4 and v17.2.5 (the
// versions in go.mod); TestSegmentPostingsAgree (CheckSegmentPostings)
// fails when an upgrade breaks an assumption.
//
//  1. zap reads a TokenFreq's frequency (and locations), never its Term,
//     and writes nothing into it (no composite field merges ours): all
//     grams of one impact share one TokenFreq (impactFreq).
//  2. A posting's frequency comes back unchanged from the segment's
//     postings iterator: it carries the impact (1 to 255).
//  3. Document numbers of a snapshot are the segment's number plus the
//     documents of the segments before it, as scorch numbers them.
//  4. zap's postings iterator offers its bitmap (ActualBitmap) and its
//     one-hit form (DocNum1Hit), already without deleted documents.

// impactFreq holds one TokenFreq per impact (assumption 1).
var impactFreq = func() [256]*index.TokenFreq {
	var out [256]*index.TokenFreq
	for i := range out {
		tf := &index.TokenFreq{}
		tf.SetFrequency(i)
		out[i] = tf
	}
	return out
}()

// eachPosting calls fn with the document number and the frequency (the
// impact) of every live document holding term in field. Without freq the
// frequency passed is 1 and the bitmap fast path is taken.
func eachPosting(ctx context.Context, r index.IndexReader, field string, term []byte, freq bool, fn func(doc uint64, freq uint64)) error {
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		return eachSegmentPosting(snap, field, term, freq, fn)
	}
	tfr, err := r.TermFieldReader(ctx, term, field, freq, false, false)
	if err != nil {
		return err
	}
	defer tfr.Close()
	var tfd index.TermFieldDoc
	for {
		d, err := tfr.Next(&tfd)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		f := uint64(1)
		if freq {
			f = d.Freq
		}
		fn(d.ID.Value(), f)
	}
}

// eachSegmentPosting is eachPosting on a scorch snapshot, reading each
// segment's postings (without deleted documents) directly rather than
// through scorch's term field reader (assumptions 2 to 4).
func eachSegmentPosting(snap *scorch.IndexSnapshot, field string, term []byte, freq bool, fn func(uint64, uint64)) error {
	var base uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		dict, err := seg.Dictionary(field)
		if err != nil {
			return err
		}
		pl, err := dict.PostingsList(term, ss.Deleted(), nil)
		if err != nil {
			return err
		}
		it := pl.Iterator(freq, false, false, nil)
		if freq || !eachBitmapPosting(it, ss.Deleted(), base, fn) {
			for {
				p, err := it.Next()
				if err != nil {
					return err
				}
				if p == nil {
					break
				}
				f := uint64(1)
				if freq {
					f = p.Frequency()
				}
				fn(base+p.Number(), f)
			}
		}
		base += seg.Count()
	}
	return nil
}

// bitmap is what eachBitmapPosting needs of a roaring bitmap.
type bitmap interface {
	comparable
	Iterate(func(uint32) bool)
}

// eachBitmapPosting walks the postings of it straight from its bitmap
// when it offers one (zap does: the bitmap, without deleted documents,
// or a single document), much faster than stepping it; it reports false
// when it does not. The second argument only gives the bitmap type (that
// of SegmentSnapshot.Deleted), so that this package need not import
// roaring and the segment API (indirect dependencies) to name it.
func eachBitmapPosting[B bitmap](it any, _ B, base uint64, fn func(uint64, uint64)) bool {
	o, ok := it.(interface {
		ActualBitmap() B
		DocNum1Hit() (uint64, bool)
	})
	if !ok {
		return false
	}
	if n, ok := o.DocNum1Hit(); ok {
		fn(base+n, 1)
		return true
	}
	var none B
	bm := o.ActualBitmap()
	if bm == none {
		// No bitmap: zap's empty iterator, or a single document
		// that was deleted.
		return true
	}
	bm.Iterate(func(x uint32) bool {
		fn(base+uint64(x), 1)
		return true
	})
	return true
}
