package layout

import (
	"math"

	"github.com/banmian/banmian/internal/content"
)

// The automatic layout puts the lead story at the top of the page, across
// the full width or with a stack of modules beside it, and the other
// items below it in side-by-side stacks ("legs"), in edition order from
// left to right and top to bottom. Within a stack, boxes sit at the foot
// at the height their rows need and stories share the rest in proportion
// to what their copy needs, so a stack is either full or evenly short.
//
// It tries every way to cut the item list into stacks and every way to
// share the columns among them (a few thousand candidates for eight
// modules) and keeps the best by, in order: the least overset area; the
// lead's module the largest; the smallest worst underset; the smallest
// sum of squared undersets. Editor overrides (content.ItemModule) fix a
// module's columns or lines; candidates that cannot honour them are
// dropped, and when none can, the overrides' positions are ignored but
// their sizes are still reported by the fit.

// slot is one piece as the layout search sees it.
type slot struct {
	p        *piece
	need     []float64 // module lines needed at k columns (index k)
	fixCols  int       // 0: free
	fixLines int       // 0: free
	box      bool
}

// stack is a column of slots of one width sharing one height.
type stack struct {
	slots []*slot
	width int
}

// needAt is the stack's flexible and fixed line needs at height h: fixed
// lines are the overridden heights and, when a story shares the stack,
// the boxes' heights.
func (s *stack) needs() (flex, fixed float64) {
	hasStory := false
	for _, sl := range s.slots {
		if !sl.box && sl.fixLines == 0 {
			hasStory = true
		}
	}
	for _, sl := range s.slots {
		switch {
		case sl.fixLines > 0:
			fixed += float64(sl.fixLines)
		case sl.box && hasStory:
			fixed += sl.need[s.width]
		default:
			flex += sl.need[s.width]
		}
	}
	return flex, fixed
}

// cost of a stack of height h: overset area (column-lines), the worst
// underset ratio and the sum of squared underset ratios.
func (s *stack) cost(h float64) (over, worst, sq float64) {
	flex, fixed := s.needs()
	for _, sl := range s.slots {
		if sl.fixLines > 0 && float64(sl.fixLines) < sl.need[s.width] {
			over += (sl.need[s.width] - float64(sl.fixLines)) * float64(s.width)
		}
	}
	room := h - fixed
	if flex == 0 {
		if room > 0.5 && len(s.slots) > 0 {
			// Nothing can stretch: the white is at the foot.
			u := room / h
			return over, u, u * u
		}
		if room < 0 {
			over += -room * float64(s.width)
		}
		return over, 0, 0
	}
	if room < flex {
		over += (flex - math.Max(room, 0)) * float64(s.width)
		return over, 0, 0
	}
	u := 1 - flex/room
	return over, u, u * u * float64(len(s.slots))
}

// candidate is one arrangement of the page.
type candidate struct {
	lead  *slot
	leadW int
	side  *stack // beside the lead (nil when the lead spans the page)
	legs  []*stack
	top   float64 // top band height in lines
	score [4]float64
}

func less(a, b [4]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return a[i] < b[i]
		}
	}
	return false
}

// minCols is the narrowest a module may be.
func (g *Grid) minCols() int {
	if g.Columns >= 4 {
		return 2
	}
	return 1
}

// slots precomputes what the search needs of each piece.
func (g *Grid) slots(ps []*piece) []*slot {
	out := make([]*slot, 0, len(ps))
	for _, p := range ps {
		sl := &slot{p: p, need: make([]float64, g.Columns+1), box: p.kind == KindBox}
		if p.module != nil {
			if p.module.Columns > 0 && p.module.Columns <= g.Columns {
				sl.fixCols = p.module.Columns
			}
			sl.fixLines = p.module.Lines
		}
		for k := 1; k <= g.Columns; k++ {
			n, _ := g.need(p, k)
			sl.need[k] = float64(n)
		}
		out = append(out, sl)
	}
	return out
}

// autoLayout places pieces on the grid (see the comment at the top of
// this file).
func (g *Grid) autoLayout(ps []*piece) []content.Module {
	all := g.slots(ps)
	best := g.search(all, true)
	if best == nil {
		best = g.search(all, false)
	}
	if best == nil {
		return nil
	}
	return g.place(best)
}

// search returns the best candidate, honouring the overrides' columns
// when strict.
func (g *Grid) search(all []*slot, strict bool) *candidate {
	var lead *slot
	var rest []*slot
	for _, sl := range all {
		if lead == nil && !sl.box && sl.p.lead {
			lead = sl
			continue
		}
		rest = append(rest, sl)
	}
	avail := float64(g.Lines - g.MastheadLines)
	var best *candidate
	consider := func(c *candidate) {
		g.fillTop(c, lead, avail)
		if best == nil || less(c.score, best.score) {
			cp := *c
			cp.legs = append([]*stack(nil), c.legs...)
			best = &cp
		}
	}
	fits := func(s *stack) bool {
		for _, sl := range s.slots {
			if strict && sl.fixCols > 0 && sl.fixCols != s.width {
				return false
			}
		}
		return true
	}
	min := g.minCols()
	leadWidths := []int{g.Columns}
	if lead != nil {
		if strict && lead.fixCols > 0 {
			leadWidths = []int{lead.fixCols}
		} else {
			for w := g.Columns - min; w*2 >= g.Columns && w >= min; w-- {
				leadWidths = append(leadWidths, w)
			}
		}
	}
	if lead == nil {
		leadWidths = []int{0}
	}
	for _, lw := range leadWidths {
		sideW := g.Columns - lw
		if lead == nil {
			sideW = 0
		}
		if sideW > 0 && sideW < min {
			continue
		}
		firstSide := 0
		if sideW > 0 {
			firstSide = 1
		}
		for s := firstSide; s <= len(rest); s++ {
			if sideW == 0 && s > 0 {
				break
			}
			var side *stack
			if sideW > 0 {
				side = &stack{slots: rest[:s], width: sideW}
				if !fits(side) {
					continue
				}
			}
			below := rest[s:]
			g.eachSplit(below, func(groups [][]*slot) {
				g.eachWidths(len(groups), func(ws []int) {
					legs := make([]*stack, len(groups))
					for i := range groups {
						legs[i] = &stack{slots: groups[i], width: ws[i]}
						if !fits(legs[i]) {
							return
						}
					}
					consider(&candidate{lead: lead, leadW: lw, side: side, legs: legs})
				})
			})
		}
	}
	return best
}

// eachSplit calls f with every way to cut items into contiguous groups,
// at most as many as the grid has room for.
func (g *Grid) eachSplit(items []*slot, f func([][]*slot)) {
	n := len(items)
	if n == 0 {
		f(nil)
		return
	}
	maxGroups := g.Columns / g.minCols()
	for mask := 0; mask < 1<<(n-1); mask++ {
		groups := [][]*slot{}
		start := 0
		for i := 1; i < n; i++ {
			if mask&(1<<(i-1)) != 0 {
				groups = append(groups, items[start:i])
				start = i
			}
		}
		groups = append(groups, items[start:])
		if len(groups) <= maxGroups {
			f(groups)
		}
	}
}

// eachWidths calls f with every way to share the columns among k legs,
// each at least minCols wide.
func (g *Grid) eachWidths(k int, f func([]int)) {
	if k == 0 {
		f(nil)
		return
	}
	ws := make([]int, k)
	min := g.minCols()
	var rec func(i, left int)
	rec = func(i, left int) {
		if i == k-1 {
			if left >= min {
				ws[i] = left
				f(ws)
			}
			return
		}
		for w := min; w <= left-min*(k-1-i); w++ {
			ws[i] = w
			rec(i+1, left-w)
		}
	}
	rec(0, g.Columns)
}

// fillTop chooses the height of the top band (lead and side stack) and
// scores the candidate.
func (g *Grid) fillTop(c *candidate, lead *slot, avail float64) {
	var leadStack *stack
	if lead != nil {
		leadStack = &stack{slots: []*slot{lead}, width: c.leadW}
	}
	score := func(top float64) [4]float64 {
		var s [4]float64
		add := func(st *stack, h float64) {
			o, w, q := st.cost(h)
			s[0] += o
			s[2] = math.Max(s[2], w)
			s[3] += q
		}
		bottom := avail - top
		if leadStack != nil {
			add(leadStack, top)
		}
		if c.side != nil {
			add(c.side, top)
		}
		for _, l := range c.legs {
			add(l, bottom)
		}
		// The lead's module must be the largest: count by how much
		// another module's estimated area exceeds it.
		if leadStack != nil {
			leadArea := float64(c.leadW) * top
			check := func(st *stack, h float64) {
				flex, fixed := st.needs()
				for _, sl := range st.slots {
					a := g.slotHeight(sl, st, h, flex, fixed) * float64(st.width)
					if a > leadArea {
						s[1] += a - leadArea
					}
				}
			}
			if c.side != nil {
				check(c.side, top)
			}
			for _, l := range c.legs {
				check(l, bottom)
			}
		}
		return s
	}
	if lead == nil {
		c.top = 0
		c.score = score(0)
		return
	}
	if lead.fixLines > 0 {
		c.top = float64(lead.fixLines)
		c.score = score(c.top)
		return
	}
	if len(c.legs) == 0 {
		c.top = avail
		c.score = score(avail)
		return
	}
	// The top band needs t0 lines and the legs below need b0: within
	// [t0, avail-b0] nothing is overset, the lead's advantage grows with
	// the top band and the worst underset is least where the two bands
	// are evenly short. Try the ends, the first height where the lead is
	// the largest and the heights around the balance point.
	t0, b0 := 0.0, 0.0
	if leadStack != nil {
		f, x := leadStack.needs()
		t0 = f + x
	}
	if c.side != nil {
		f, x := c.side.needs()
		t0 = math.Max(t0, f+x)
	}
	for _, l := range c.legs {
		f, x := l.needs()
		b0 = math.Max(b0, f+x)
	}
	lo, hi := math.Max(1, math.Min(t0, avail-1)), math.Max(1, math.Min(avail-b0, avail-1))
	tries := []float64{lo, hi, math.Round(avail * t0 / math.Max(t0+b0, 1))}
	if lo < hi {
		// First t where the lead is the largest (s[1] falls with t).
		a, z := lo, hi
		for a < z {
			m := math.Floor((a + z) / 2)
			if score(m)[1] == 0 {
				z = m
			} else {
				a = m + 1
			}
		}
		tries = append(tries, a)
		// Balance: the top band's underset grows with t, the legs'
		// shrinks; find where the worst stops falling.
		a, z = lo, hi
		for a < z {
			m := math.Floor((a + z) / 2)
			if s1, s2 := score(m), score(m+1); !less(s2, s1) {
				z = m
			} else {
				a = m + 1
			}
		}
		tries = append(tries, a, a+1, a-1)
	}
	// Every module needs a line at least.
	minTop, minBottom := 1.0, 1.0
	if c.side != nil {
		minTop = float64(len(c.side.slots))
	}
	for _, l := range c.legs {
		minBottom = math.Max(minBottom, float64(len(l.slots)))
	}
	bestTop := -1.0
	var best [4]float64
	for _, t := range tries {
		t = math.Min(math.Max(t, minTop), avail-minBottom)
		if t < 1 || t >= avail {
			continue
		}
		s := score(t)
		if bestTop < 0 || less(s, best) {
			bestTop, best = t, s
		}
	}
	c.top, c.score = bestTop, best
}

// slotHeight is the height slot sl gets in stack st of height h.
func (g *Grid) slotHeight(sl *slot, st *stack, h, flex, fixed float64) float64 {
	switch {
	case sl.fixLines > 0:
		return float64(sl.fixLines)
	case sl.box && flex > 0:
		return sl.need[st.width]
	case flex > 0:
		return sl.need[st.width] * math.Max(h-fixed, 0) / flex
	}
	return h / float64(len(st.slots))
}

func hasStory(st *stack) bool {
	for _, sl := range st.slots {
		if !sl.box && sl.fixLines == 0 {
			return true
		}
	}
	return false
}

// place turns the winning candidate into modules on whole lines.
func (g *Grid) place(c *candidate) []content.Module {
	top := g.MastheadLines
	bottom := g.Lines
	var mods []content.Module
	topH := int(math.Round(c.top))
	stackMods := func(st *stack, col, row, h int) {
		flex, fixed := st.needs()
		hs := make([]int, len(st.slots))
		exact := make([]float64, len(st.slots))
		sum := 0.0
		for i, sl := range st.slots {
			exact[i] = g.slotHeight(sl, st, float64(h), flex, fixed)
			sum += exact[i]
		}
		if sum > float64(h) {
			// An overset stack: everything shrinks alike.
			for i := range exact {
				exact[i] *= float64(h) / sum
			}
		}
		used := 0
		for i := range st.slots {
			hs[i] = max(int(math.Floor(exact[i]+1e-9)), 1)
			used += hs[i]
		}
		// Hand out the rounding remainder, largest fraction first,
		// preferring the flexible slots; take back any excess from the
		// tallest.
		stretchable := false
		for _, sl := range st.slots {
			stretchable = stretchable || sl.fixLines == 0
		}
		for used < h && stretchable {
			bi, bf := 0, math.Inf(-1)
			for i, sl := range st.slots {
				f := exact[i] - float64(hs[i])
				switch {
				case sl.fixLines > 0:
					f = math.Inf(-1) // the editor's height stays
				case sl.box && hasStory(st):
					f -= 1
				}
				if f > bf {
					bi, bf = i, f
				}
			}
			hs[bi]++
			used++
		}
		for used > h {
			bi := 0
			for i := range hs {
				if hs[i] > hs[bi] {
					bi = i
				}
			}
			hs[bi]--
			used--
		}
		// Boxes go to the foot of their stack.
		order := make([]int, 0, len(st.slots))
		for i, sl := range st.slots {
			if !sl.box {
				order = append(order, i)
			}
		}
		for i, sl := range st.slots {
			if sl.box {
				order = append(order, i)
			}
		}
		r := row
		for _, i := range order {
			mods = append(mods, content.Module{Item: st.slots[i].p.id, Column: col, Columns: st.width, Row: r, Lines: hs[i]})
			r += hs[i]
		}
	}
	if c.lead != nil {
		mods = append(mods, content.Module{Item: c.lead.p.id, Column: 1, Columns: c.leadW, Row: top, Lines: topH})
		if c.side != nil {
			stackMods(c.side, c.leadW+1, top, topH)
		}
	} else {
		topH = 0
	}
	col := 1
	for _, l := range c.legs {
		stackMods(l, col, top+topH, bottom-top-topH)
		col += l.width
	}
	return mods
}
