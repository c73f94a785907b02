package static

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
)

// Runs: how the postings of a large build are made in bounded memory.
//
// Each worker of staticPostings indexes its stories into a postTable
// until the table holds runBudget bytes, then writes the table out as a
// run and empties it. A run is the entries of a contiguous range of
// stories, grouped by partition (fnv1a32(gram) mod parts), sorted within
// a partition by gram, then field, each encoded as:
//
//	uvarint gram length, gram, uvarint field, uvarint n,
//	uvarint last story, uvarint postings length, postings
//
// where the postings are n (uvarint gap, impact byte) pairs, the first
// gap from 0. A worker's last run stays in memory; the runs before it go
// to a temporary file of the worker's. Since a segment's shard count
// divides parts, a shard is the union of the partitions p ≡ shard (mod
// shards): the build merges each partition's sections of every run, in
// story order, into the entries of the index (mergePart), once to size
// the shards and once to encode them. The merged postings are the same
// whatever the runs were, so the index does not depend on the number of
// CPUs or on the budget.

// parts is the number of partitions of the grams of a run: maxShards,
// which every segment's shard count divides.
const parts = maxShards

// runBudget is the size of a worker's postings table at which it is
// written out as a run (a variable, for tests).
var runBudget = 24 << 20

// errCorruptRun reports a run that does not read back as written.
var errCorruptRun = errors.New("a temporary postings file does not read back as written")

// run is one run: parts sections, section p from bounds[p] to
// bounds[p+1], of data or of file f from base.
type run struct {
	bounds []int64
	data   []byte
	f      *os.File
	base   int64
}

// section returns section p of r, read into buf when r is in a file.
func (r *run) section(p int, buf []byte) ([]byte, error) {
	lo, hi := r.bounds[p], r.bounds[p+1]
	if r.f == nil {
		return r.data[lo:hi], nil
	}
	buf = slices.Grow(buf[:0], int(hi-lo))[:hi-lo]
	if _, err := r.f.ReadAt(buf, r.base+lo); err != nil {
		return nil, fmt.Errorf("reading temporary postings: %w", err)
	}
	return buf, nil
}

// runScratch is a worker's scratch space for appendRun.
type runScratch struct {
	part  []uint16
	order []int32
}

// compareEntries orders entries of t by gram (as strings: a gramKey's
// order is its text's), then field.
func (t *postTable) compareEntries(a, b *postEntry) int {
	if a.key&textKey == 0 && b.key&textKey == 0 {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
	} else {
		var ba, bb [16]byte
		if c := bytes.Compare(t.appendGram(ba[:0], a), t.appendGram(bb[:0], b)); c != 0 {
			return c
		}
	}
	return int(a.field) - int(b.field)
}

// appendRun appends the run of t's entries to b (see the layout above)
// and returns it with its section bounds.
func (t *postTable) appendRun(b []byte, sc *runScratch) ([]byte, []int64) {
	sc.part = slices.Grow(sc.part[:0], t.n)[:t.n]
	sc.order = slices.Grow(sc.order[:0], t.n)[:t.n]
	var at [parts + 1]int
	var gbuf [16]byte
	for k := range t.n {
		p := fnv1a32(t.appendGram(gbuf[:0], t.at(k))) % parts
		at[p+1]++
		sc.part[k] = uint16(p)
	}
	// Place the entries by partition (a counting sort), then sort each
	// partition's.
	for p := 1; p <= parts; p++ {
		at[p] += at[p-1]
	}
	start := at
	for k := range t.n {
		p := sc.part[k]
		sc.order[at[p]] = int32(k)
		at[p]++
	}
	bounds := make([]int64, parts+1)
	base := len(b)
	for p := range parts {
		sec := sc.order[start[p]:start[p+1]]
		slices.SortFunc(sec, func(x, y int32) int { return t.compareEntries(t.at(int(x)), t.at(int(y))) })
		bounds[p] = int64(len(b) - base)
		for _, k := range sec {
			e := t.at(int(k))
			g := t.appendGram(gbuf[:0], e)
			b = binary.AppendUvarint(b, uint64(len(g)))
			b = append(b, g...)
			b = binary.AppendUvarint(b, uint64(e.field))
			b = binary.AppendUvarint(b, uint64(e.n))
			b = binary.AppendUvarint(b, uint64(e.last))
			if e.n == 1 {
				b = binary.AppendUvarint(b, uint64(uvarintLen(uint64(e.first))+1))
				b = append(binary.AppendUvarint(b, uint64(e.first)), e.imp0)
			} else {
				b = binary.AppendUvarint(b, uint64(e.len))
				b = append(b, t.block(e)[:e.len]...)
			}
		}
	}
	bounds[parts] = int64(len(b) - base)
	return b, bounds
}

// cursor reads the entries of a section of a run.
type cursor struct {
	rest  []byte
	run   int
	gram  []byte
	field uint64
	n     int
	last  int
	post  []byte
	first int // the first story of post
}

// next reads the next entry; false at the end of the section.
func (c *cursor) next() (bool, error) {
	if len(c.rest) == 0 {
		return false, nil
	}
	b := c.rest
	uv := func() uint64 {
		x, k := binary.Uvarint(b)
		if k <= 0 {
			b = nil
			return 0
		}
		b = b[k:]
		return x
	}
	gl := uv()
	if gl > uint64(len(b)) {
		return false, errCorruptRun
	}
	c.gram, b = b[:gl], b[gl:]
	c.field = uv()
	c.n = int(uv())
	c.last = int(uv())
	pl := uv()
	if b == nil || pl > uint64(len(b)) || c.n < 1 {
		return false, errCorruptRun
	}
	c.post, c.rest = b[:pl], b[pl:]
	first, k := binary.Uvarint(c.post)
	if k <= 0 {
		return false, errCorruptRun
	}
	c.first = int(first)
	return true, nil
}

// less orders cursors by their entry's gram, then field, then run.
func (c *cursor) less(o *cursor) bool {
	if x := bytes.Compare(c.gram, o.gram); x != 0 {
		return x < 0
	}
	if c.field != o.field {
		return c.field < o.field
	}
	return c.run < o.run
}

// merger merges the sections of a partition of every run.
type merger struct {
	runs []*run
	bufs [][]byte
	curs []cursor
	heap []*cursor
	same []*cursor
}

func newMerger(runs []*run) *merger {
	return &merger{runs: runs, bufs: make([][]byte, len(runs)), curs: make([]cursor, len(runs))}
}

// part calls fn with each (gram, field) of partition p, in order, and
// its entries of every run that has it, in story order.
func (m *merger) part(p int, fn func(same []*cursor)) error {
	m.heap = m.heap[:0]
	for r, rn := range m.runs {
		sec, err := rn.section(p, m.bufs[r])
		if err != nil {
			return err
		}
		if rn.f != nil {
			m.bufs[r] = sec
		}
		c := &m.curs[r]
		*c = cursor{rest: sec, run: r}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			m.push(c)
		}
	}
	for len(m.heap) > 0 {
		m.same = m.same[:0]
		top := m.heap[0]
		for len(m.heap) > 0 && (len(m.same) == 0 || bytes.Equal(m.heap[0].gram, top.gram) && m.heap[0].field == top.field) {
			m.same = append(m.same, m.pop())
		}
		fn(m.same)
		for _, c := range m.same {
			ok, err := c.next()
			if err != nil {
				return err
			}
			if ok {
				m.push(c)
			}
		}
	}
	return nil
}

func (m *merger) push(c *cursor) {
	h := append(m.heap, c)
	for i := len(h) - 1; i > 0; {
		up := (i - 1) / 2
		if !h[i].less(h[up]) {
			break
		}
		h[i], h[up] = h[up], h[i]
		i = up
	}
	m.heap = h
}

func (m *merger) pop() *cursor {
	h := m.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < n && h[l].less(h[s]) {
			s = l
		}
		if l+1 < n && h[l+1].less(h[s]) {
			s = l + 1
		}
		if s == i {
			break
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
	m.heap = h
	return top
}

// mergedLen is the length of the postings of same merged, as (gap,
// impact) pairs: a later run's first gap is counted from the story
// before it, not from 0.
func mergedLen(same []*cursor) (n, size int) {
	for i, c := range same {
		n += c.n
		size += len(c.post)
		if i > 0 {
			size += uvarintLen(uint64(c.first-same[i-1].last)) - uvarintLen(uint64(c.first))
		}
	}
	return n, size
}

// appendMerged appends the postings of same merged as the index stores
// them: every gap, then every impact; imps is scratch space.
func appendMerged(b, imps []byte, same []*cursor) ([]byte, []byte, error) {
	imps = imps[:0]
	prev := 0
	for _, c := range same {
		p := c.post
		for k := 0; k < c.n; k++ {
			gap, w := binary.Uvarint(p)
			if w <= 0 || w >= len(p) {
				return b, imps, errCorruptRun
			}
			if k == 0 {
				b = binary.AppendUvarint(b, gap-uint64(prev))
			} else {
				b = append(b, p[:w]...)
			}
			imps = append(imps, p[w])
			p = p[w+1:]
		}
		if len(p) != 0 {
			return b, imps, errCorruptRun
		}
		prev = c.last
	}
	return append(b, imps...), imps, nil
}
