package site

import (
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
)

// hasher builds page fingerprints from the values a page shows: FNV-1a
// over each string (after its length) and each number's eight
// little-endian bytes, computed in place (no allocation per value, which
// was most of a plan's cost).
type hasher struct{ s uint64 }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newHasher() *hasher { return &hasher{s: fnvOffset} }

func (h *hasher) str(s string) *hasher {
	h.u64(uint64(len(s)))
	x := h.s
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= fnvPrime
	}
	h.s = x
	return h
}

func (h *hasher) u64(v uint64) *hasher {
	x := h.s
	for range 8 {
		x ^= v & 0xff
		x *= fnvPrime
		v >>= 8
	}
	h.s = x
	return h
}

func (h *hasher) sum() uint64 { return h.s }

// hashTree fingerprints every file of fsys, by path and content.
func hashTree(fsys fs.FS) (uint64, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sort.Strings(paths)
	h := newHasher()
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return 0, err
		}
		h.str(p).str(string(b))
	}
	return h.sum(), nil
}

// viewDepth is how many pointers below a page's data fingerprints follow:
// a theme may show up to this depth (.Story.Edition.Items[0].Story.Title
// is three), and the fingerprint covers all of it.
const viewDepth = 2

// printer fingerprints the data a page is rendered from, by reflection:
// every exported field of every value reachable within viewDepth
// pointers, so nothing a template can show is left out by hand. Each
// pointer is fingerprinted once per depth per build. It also lists the
// stories reachable, whose rendered bodies the page may show.
type printer struct {
	memo map[printKey]printed
	// reached collects the story views reached by the current hash call,
	// with repeats; each memo entry keeps its own, without.
	reached []*storyView
}

type printed struct {
	sum     uint64
	stories []*storyView
}

type printKey struct {
	ptr   uintptr
	typ   reflect.Type
	depth int
}

// newPrinter returns a printer for about pages pages (the memo grows by
// a few entries a page: growing a large map is most of a plan's cost).
func newPrinter(pages int) *printer {
	return &printer{memo: make(map[printKey]printed, 4*pages)}
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	editionType   = reflect.TypeFor[content.Edition]()
	storyType     = reflect.TypeFor[content.Story]()
	storyViewType = reflect.TypeFor[*storyView]()
)

// addrOf returns the value v holds, when it is addressable (reached
// through a pointer, as stories and editions are).
func addrOf[T any](v reflect.Value) (*T, bool) {
	if !v.CanAddr() {
		return nil, false
	}
	p, ok := v.Addr().Interface().(*T)
	return p, ok
}

// distinct sorts list by story path and drops repeats, in place.
func distinct(list []*storyView) []*storyView {
	if len(list) < 2 {
		return list
	}
	slices.SortFunc(list, func(a, b *storyView) int { return strings.Compare(a.Story.Path, b.Story.Path) })
	return slices.Compact(list)
}

// of fingerprints v (usually a *pageData) and returns the story views it
// reaches, in a stable order.
func (p *printer) of(v any) (uint64, []*storyView) {
	h := newHasher()
	p.reached = p.reached[:0]
	p.hash(h, reflect.ValueOf(v), -1)
	return h.sum(), distinct(slices.Clone(p.reached))
}

func (p *printer) hash(h *hasher, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Invalid:
		h.u64(0)
	case reflect.Pointer:
		if v.IsNil() {
			h.u64(0)
			return
		}
		if depth >= viewDepth {
			h.u64(1) // beyond what a page shows
			return
		}
		key := printKey{v.Pointer(), v.Type(), depth}
		pr, ok := p.memo[key]
		if !ok {
			outer := len(p.reached)
			if v.Type() == storyViewType {
				p.reached = append(p.reached, v.Interface().(*storyView))
			}
			sub := hasher{s: fnvOffset}
			p.hash(&sub, v.Elem(), depth+1)
			pr.sum = sub.sum()
			if len(p.reached) > outer {
				pr.stories = distinct(slices.Clone(p.reached[outer:]))
			}
			p.memo[key] = pr
			p.reached = p.reached[:outer]
		}
		p.reached = append(p.reached, pr.stories...)
		h.u64(2).u64(pr.sum)
	case reflect.Interface:
		if v.IsNil() {
			h.u64(0)
			return
		}
		h.str(v.Elem().Type().String())
		p.hash(h, v.Elem(), depth)
	case reflect.Struct:
		t := v.Type()
		switch t {
		case timeType:
			tm := v.Interface().(time.Time)
			h.str(tm.Format(time.RFC3339Nano)).str(tm.Location().String())
			return
		case storyType:
			// A loaded story's source hash covers every field parsed from
			// its file; the loader sets only these others.
			if s, ok := addrOf[content.Story](v); ok && s.Hash != 0 {
				h.str("story").str(s.Path).str(s.Slug).str(s.Edition).u64(s.Hash).u64(uint64(len(s.Assets)))
				for _, a := range s.Assets {
					h.str(a)
				}
				return
			}
		case editionType:
			if e, ok := addrOf[content.Edition](v); ok && e.Hash != 0 {
				h.str("edition").str(e.Path).u64(e.Hash)
				return
			}
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || (t == storyType && f.Name == "Body") { // Story.Hash covers the body
				continue
			}
			h.str(f.Name)
			if f.Anonymous && f.Type.Kind() == reflect.Pointer {
				// Promoted fields read as the view's own: no deeper.
				p.hash(h, v.Field(i), depth-1)
				continue
			}
			p.hash(h, v.Field(i), depth)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			h.str(string(v.Bytes()))
			return
		}
		h.u64(uint64(v.Len()))
		for i := range v.Len() {
			p.hash(h, v.Index(i), depth)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		h.u64(uint64(len(keys)))
		for _, k := range keys {
			p.hash(h, k, depth)
			p.hash(h, v.MapIndex(k), depth)
		}
	case reflect.String:
		h.str(v.String())
	case reflect.Bool:
		if v.Bool() {
			h.u64(1)
		} else {
			h.u64(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h.u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		h.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		h.u64(math.Float64bits(v.Float()))
	default:
		// Functions and channels: nothing a template prints.
	}
}
