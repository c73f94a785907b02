package static

import (
	"bytes"
	"cmp"
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
//	uvarint gramKey (0 for a gram without one, which follows as uvarint
//	length and text), uvarint field, uvarint n, uvarint last story,
//	uvarint postings length, postings
//
// where the postings are n (uvarint gap, impact byte) pairs, the first
// gap from 0. A worker's only run stays in memory; if it makes more, all
// go to a temporary file of the worker's, written a megabyte at a time.
//
// Since a segment's shard count divides parts, a shard is the union of
// the partitions p ≡ shard (mod shards). The build merges each
// partition's sections of every run, in story order, into one run per CPU
// (merger), whose entries size the shards; then it encodes each shard
// from those merged runs. The merged postings are the same whatever the
// runs were, so the index depends neither on the number of CPUs nor on
// the budget.

// parts is the number of partitions of the grams of a run: maxShards,
// which every segment's shard count divides.
const parts = maxShards

// runBudget is the size of a worker's postings table at which it is
// written out as a run (a variable, for tests).
var runBudget = 12 << 20

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
	if lo == hi {
		return nil, nil
	}
	if r.f == nil {
		return r.data[lo:hi], nil
	}
	buf = slices.Grow(buf[:0], int(hi-lo))[:hi-lo]
	if _, err := r.f.ReadAt(buf, r.base+lo); err != nil {
		return nil, fmt.Errorf("reading temporary postings: %w", err)
	}
	return buf, nil
}

// spillChunk is how many bytes a runWriter buffers before writing them
// to its file.
const spillChunk = 1 << 20

// runWriter writes runs, section by section: to memory, or through a
// buffer to a temporary file in dir (made when first needed).
type runWriter struct {
	dir  string
	f    *os.File
	off  int64 // bytes written to f
	buf  []byte
	r    *run
	part int // the next section
}

// start begins a run, in memory unless toFile.
func (w *runWriter) start(toFile bool) error {
	w.r, w.part = &run{bounds: make([]int64, parts+1)}, 0
	if !toFile {
		w.buf = nil // the run keeps its bytes
		return nil
	}
	if w.f == nil {
		f, err := os.CreateTemp(w.dir, ".postings-*")
		if err != nil {
			return fmt.Errorf("making a temporary postings file: %w", err)
		}
		w.f = f
	}
	w.r.f, w.r.base = w.f, w.off+int64(len(w.buf))
	return nil
}

// pos is the offset in the run of the next byte.
func (w *runWriter) pos() int64 {
	if w.r.f == nil {
		return int64(len(w.buf))
	}
	return w.off + int64(len(w.buf)) - w.r.base
}

// endSection ends the sections up to p (those between empty), writing
// out the buffer when it is full.
func (w *runWriter) endSection(p int) error {
	for ; w.part <= p; w.part++ {
		w.r.bounds[w.part+1] = w.pos()
	}
	if w.r.f != nil && len(w.buf) >= spillChunk {
		return w.flush()
	}
	return nil
}

func (w *runWriter) flush() error {
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("writing temporary postings: %w", err)
	}
	w.off += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

// end ends the run and returns it.
func (w *runWriter) end() (*run, error) {
	if err := w.endSection(parts - 1); err != nil {
		return nil, err
	}
	r := w.r
	if r.f == nil {
		r.data = w.buf
		w.buf = nil
	} else if len(w.buf) > 0 {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	w.r = nil
	return r, nil
}

// close removes the file, if any.
func (w *runWriter) close() {
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
	}
}

// appendRunEntry appends an entry of a run (see the layout above): key is
// the gram's gramKey, or 0 for text.
func appendRunEntry[S string | []byte](b []byte, key uint64, text S, field, n, last int, post []byte) []byte {
	b = binary.AppendUvarint(b, key)
	if key == 0 {
		b = binary.AppendUvarint(b, uint64(len(text)))
		b = append(b, text...)
	}
	b = binary.AppendUvarint(b, uint64(field))
	b = binary.AppendUvarint(b, uint64(n))
	b = binary.AppendUvarint(b, uint64(last))
	b = binary.AppendUvarint(b, uint64(len(post)))
	return append(b, post...)
}

// runScratch is a worker's scratch space for writeRun.
type runScratch struct {
	items []postEntry
	order []runOrder
}

// runOrder is an entry of a partition as writeRun sorts it: its key and
// field, and its place among the partition's entries.
type runOrder struct {
	key uint64
	fi  uint32 // field<<24 | place (a run holds a few hundred thousand entries)
}

// place is o's place among its partition's entries.
func (o runOrder) place() int { return int(o.fi & (1<<24 - 1)) }

// compareGrams orders two grams as their text does. Each is a gramKey
// (textKey clear), or with textKey set a gram kept as text, given as g.
func compareGrams[S string | []byte](ka uint64, ga S, kb uint64, gb S) int {
	if (ka|kb)&textKey == 0 {
		return cmp.Compare(ka, kb)
	}
	var ba, bb [16]byte
	return bytes.Compare(appendKeyed(ba[:0], ka, ga), appendKeyed(bb[:0], kb, gb))
}

// appendKeyed appends the gram of key (see compareGrams) to b.
func appendKeyed[S string | []byte](b []byte, key uint64, g S) []byte {
	if key&textKey != 0 {
		return append(b, g...)
	}
	return appendPacked(b, key)
}

// writeRun writes t's entries as a run to w, in memory unless toFile.
func (t *postTable) writeRun(w *runWriter, sc *runScratch, toFile bool) (*run, error) {
	if err := w.start(toFile); err != nil {
		return nil, err
	}
	// Copy the entries by partition (a counting sort), then sort each
	// partition's by gram (a gramKey orders as its text), then field,
	// through small sort keys: the copies of a partition's entries are
	// near one another, where the entries are spread over the table.
	sc.items = slices.Grow(sc.items[:0], t.n)[:t.n]
	var at [parts + 1]int
	for k := range t.n {
		at[t.at(k).part+1]++
	}
	for p := 1; p <= parts; p++ {
		at[p] += at[p-1]
	}
	start := at
	for k := range t.n {
		e := t.at(k)
		sc.items[at[e.part]] = *e
		at[e.part]++
	}
	var one [binary.MaxVarintLen64 + 1]byte
	for p := range parts {
		sec := sc.items[start[p]:start[p+1]]
		if len(sec) == 0 {
			continue
		}
		order := sc.order[:0]
		for i := range sec {
			order = append(order, runOrder{sec[i].key, uint32(sec[i].field)<<24 | uint32(i)})
		}
		sc.order = order
		slices.SortFunc(order, func(x, y runOrder) int {
			if c := compareGrams(x.key, t.text(x.key), y.key, t.text(y.key)); c != 0 {
				return c
			}
			return cmp.Compare(x.fi, y.fi)
		})
		if err := w.endSection(p - 1); err != nil {
			return nil, err
		}
		for _, o := range order {
			e := &sec[o.place()]
			post := one[:0]
			if e.n == 1 {
				post = append(binary.AppendUvarint(post, uint64(e.last)), e.imp0)
			} else {
				post = t.block(e)[:e.len]
			}
			key := e.key
			if key&textKey != 0 {
				key = 0
			}
			w.buf = appendRunEntry(w.buf, key, t.text(e.key), int(e.field), int(e.n), int(e.last), post)
		}
	}
	return w.end()
}

// cursor reads the entries of a section of a run.
type cursor struct {
	rest  []byte
	run   int
	key   uint64 // the gram's gramKey, or textKey if it has none
	gram  []byte // the gram with no gramKey
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
	if c.key = uv(); c.key == 0 {
		gl := uv()
		if gl > uint64(len(b)) {
			return false, errCorruptRun
		}
		c.key, c.gram, b = textKey, b[:gl], b[gl:]
	} else {
		c.gram = nil
	}
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

// appendGram appends the gram of c's entry to b.
func (c *cursor) appendGram(b []byte) []byte { return appendKeyed(b, c.key, c.gram) }

// gramLen is the length of the gram of c's entry.
func (c *cursor) gramLen() int {
	if c.key&textKey != 0 {
		return len(c.gram)
	}
	return packedLen(c.key)
}

// runKey is the key of c's entry as appendRunEntry takes it.
func (c *cursor) runKey() uint64 {
	if c.key&textKey != 0 {
		return 0
	}
	return c.key
}

// same reports whether c's entry has o's gram and field.
func (c *cursor) same(o *cursor) bool {
	return c.key == o.key && c.field == o.field && (c.key&textKey == 0 || bytes.Equal(c.gram, o.gram))
}

// less orders cursors by their entry's gram, then field, then run.
func (c *cursor) less(o *cursor) bool {
	if x := compareGrams(c.key, c.gram, o.key, o.gram); x != 0 {
		return x < 0
	}
	if c.field != o.field {
		return c.field < o.field
	}
	return c.run < o.run
}

// merger merges the sections of a partition of every run, through a
// tree of losers: each entry taken costs one match per level of the tree,
// about half what a heap's pop and push cost.
type merger struct {
	runs []*run
	bufs [][]byte
	curs []cursor
	done []bool // the cursor's section is read to the end
	tree []int  // tree[0] the cursor of the least entry, tree[1:] the losers
	same []cursor
	ptrs []*cursor
}

func newMerger(runs []*run) *merger {
	return &merger{runs: runs, bufs: make([][]byte, len(runs)), curs: make([]cursor, len(runs)),
		done: make([]bool, len(runs)), tree: make([]int, len(runs))}
}

// before reports whether cursor a's entry comes before b's: by gram, field
// and run, and those read to the end last.
func (m *merger) before(a, b int) bool {
	if m.done[a] || m.done[b] {
		return !m.done[a] || m.done[b] && a < b
	}
	return m.curs[a].less(&m.curs[b])
}

// replay plays cursor c up the tree from its leaf, after its entry
// changed; with build, a node not yet played keeps c and the replay stops.
func (m *merger) replay(c int, build bool) {
	k := len(m.curs)
	for t := (c + k) / 2; t > 0; t /= 2 {
		if build && m.tree[t] < 0 {
			m.tree[t] = c
			return
		}
		if m.before(m.tree[t], c) {
			m.tree[t], c = c, m.tree[t]
		}
	}
	m.tree[0] = c
}

// part calls fn with each (gram, field) of partition p, in order, and
// its entries of every run that has it, in story order, until fn returns
// an error.
func (m *merger) part(p int, fn func(same []*cursor) error) error {
	for r, rn := range m.runs {
		sec, err := rn.section(p, m.bufs[r])
		if err != nil {
			return err
		}
		if rn.f != nil && cap(sec) > cap(m.bufs[r]) {
			m.bufs[r] = sec
		}
		m.curs[r] = cursor{rest: sec, run: r}
		ok, err := m.curs[r].next()
		if err != nil {
			return err
		}
		m.done[r] = !ok
		m.tree[r] = -1
	}
	for r := len(m.curs) - 1; r >= 0; r-- {
		m.replay(r, true)
	}
	for len(m.curs) > 0 && !m.done[m.tree[0]] {
		m.same = m.same[:0]
		for w := m.tree[0]; ; w = m.tree[0] {
			m.same = append(m.same, m.curs[w])
			ok, err := m.curs[w].next()
			if err != nil {
				return err
			}
			m.done[w] = !ok
			m.replay(w, false)
			if w = m.tree[0]; m.done[w] || !m.curs[w].same(&m.same[0]) {
				break
			}
		}
		m.ptrs = m.ptrs[:0]
		for i := range m.same {
			m.ptrs = append(m.ptrs, &m.same[i])
		}
		if err := fn(m.ptrs); err != nil {
			return err
		}
	}
	return nil
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

// appendPairs appends the postings of same merged as a run holds them:
// (gap, impact) pairs.
func appendPairs(b []byte, same []*cursor) []byte {
	for i, c := range same {
		if i == 0 {
			b = append(b, c.post...)
			continue
		}
		_, w := binary.Uvarint(c.post)
		b = binary.AppendUvarint(b, uint64(c.first-same[i-1].last))
		b = append(b, c.post[w:]...)
	}
	return b
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
