package search

import (
	"encoding/json"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// planSegment is a segment as the merge planner sees it.
type planSegment struct {
	id   uint64
	size int64
}

func (s *planSegment) Id() uint64          { return s.id }
func (s *planSegment) FullSize() int64     { return s.size }
func (s *planSegment) LiveSize() int64     { return s.size }
func (s *planSegment) HasVector() bool     { return false }
func (s *planSegment) FileSize() int64     { return s.size << 10 }
func (s *planSegment) LiveFileSize() int64 { return s.size << 10 }

// remerges writes n stories one at a time into an index planned with the
// merge options of opt, merging as the planner says after each write, and
// returns how many times a story was merged again, on average.
func remerges(t *testing.T, opt Options, n int) float64 {
	t.Helper()
	o := mergeplan.DefaultMergePlanOptions
	b, err := json.Marshal(indexConfig(opt)["scorchMergePlanOptions"])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	var segs []mergeplan.Segment
	var next uint64
	merged := int64(0)
	for range n {
		next++
		segs = append(segs, &planSegment{id: next, size: 1})
		plan, err := mergeplan.Plan(segs, &o)
		if err != nil {
			t.Fatal(err)
		}
		if plan == nil {
			continue
		}
		for _, task := range plan.Tasks {
			var size int64
			for _, s := range task.Segments {
				size += s.LiveSize()
				for i, have := range segs {
					if have == s {
						segs = append(segs[:i], segs[i+1:]...)
						break
					}
				}
			}
			merged += size
			next++
			segs = append(segs, &planSegment{id: next, size: size})
		}
	}
	return float64(merged) / float64(n)
}

// TestLazyIndexMergesInTiers: in the desk's submission index (Lazy),
// written a few stories at a time, the merger merges a story again a few
// times, not over and over as the batch floor would (lazyFloor).
func TestLazyIndexMergesInTiers(t *testing.T) {
	lazy, batch := remerges(t, Options{Lazy: true}, 1000), remerges(t, Options{}, 1000)
	t.Logf("1,000 stories written one at a time: each merged again %.1f times (Lazy), %.1f (batch floor)", lazy, batch)
	if lazy > 3.5 {
		t.Errorf("a story of a Lazy index is merged again %.1f times on average, want at most 3.5", lazy)
	}
}
