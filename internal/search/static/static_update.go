package static

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/banmian/banmian/internal/search"
)

// Incremental updates of the static index: a changed story costs a small
// new segment, not a rebuild (see the layout in static.go).

// maxSegments bounds the segments of a static index: each costs a query
// one more bucket (and table) per gram. Past it, Update folds the update
// segments into its new one (see UpdateLazy).
const maxSegments = 8

// Update brings the static index in dir up to date with docs,
// writing only what changed: the new and changed stories become a new
// segment, the stories they replace and the removed ones are marked in
// docs.bin, and the search page and script are rewritten only when they
// differ. An index that is missing, of another version, or worn (many
// stories removed, or folding would index many again) is written whole
// by Write. It reports whether it
// rebuilt the index whole. A failed update leaves the index as it was:
// meta.json, which names the files in use, is replaced last.
func Update(dir string, docs []search.Doc, opt Options) (rebuilt bool, err error) {
	return UpdateLazy(context.Background(), dir, docs, nil, opt)
}

// UpdateLazy is Update for docs that fill fills on demand
// (see Filler): only the new and changed docs are filled, unless the
// index is written whole. With a nil fill it is Update.
func UpdateLazy(ctx context.Context, dir string, docs []search.Doc, fill search.Filler, opt Options) (rebuilt bool, err error) {
	whole := func() (bool, error) {
		return true, writeLazy(ctx, dir, docs, fill, opt)
	}
	old, err := readStories(dir)
	if err != nil {
		return whole()
	}
	ix, err := Open(os.DirFS(dir))
	if err != nil || len(old) != ix.meta.N {
		return whole()
	}
	bySlug := make(map[string]int, len(old))
	for i, st := range old {
		if st.slug != "" && ix.alive[i] {
			bySlug[st.slug] = i
		}
	}
	seen := make(map[string]bool, len(docs))
	var which []int // of docs, new or changed
	var hbuf [16]byte
	dead := map[int]bool{}
	for k, d := range docs {
		if seen[d.ID] {
			return false, fmt.Errorf("two documents have the ID %q", d.ID)
		}
		seen[d.ID] = true
		i, ok := bySlug[d.ID]
		if ok && old[i].hash == string(appendDocHash(hbuf[:0], d)) {
			continue
		}
		if ok {
			dead[i] = true
		}
		which = append(which, k)
	}
	for slug, i := range bySlug {
		if !seen[slug] {
			dead[i] = true
		}
	}
	// Past maxSegments, the segments after the first are folded into
	// the new one: their live stories (each came in by an update, so they
	// are few) are indexed again, and the folded segments leave one empty
	// placeholder that keeps the story numbers. Only when they hold many
	// stories, or removed stories pass a quarter of all, is the index
	// written whole (every story rendered and indexed again).
	fold := len(ix.meta.Segments) >= maxSegments
	if fold {
		byID := make(map[string]int, len(docs))
		for k, d := range docs {
			byID[d.ID] = k
		}
		refold := 0
		for i := ix.meta.Segments[0].N; i < ix.meta.N; i++ {
			if !ix.alive[i] || dead[i] {
				continue
			}
			if k, ok := byID[old[i].slug]; ok {
				dead[i] = true
				which = append(which, k)
				refold++
			}
		}
		if refold > ix.meta.Segments[0].N/2 {
			return whole()
		}
		slices.Sort(which)
	}
	// Removed stories cost their postings and records until the index
	// is written whole, except in folded segments (a few bytes of
	// docs.bin each): past a quarter of the stories, or numbers past
	// twice the live stories, it is.
	removed := 0
	start := 0
	for _, sg := range ix.meta.Segments {
		if !sg.Folded {
			for i := start; i < start+sg.N; i++ {
				if !ix.alive[i] || dead[i] {
					removed++
				}
			}
		}
		start += sg.N
	}
	live := ix.meta.Live - len(dead) + len(which)
	if removed > (ix.meta.N+len(which))/4 || ix.meta.N+len(which) > 2*live+maxSegments {
		return whole()
	}
	if which == nil {
		which = []int{} // none to fill, not all
	}
	add, err := search.Fill(ctx, docs, which, fill)
	if err != nil {
		return false, err
	}
	add, _ = orderDocs(add)
	var files []File
	meta := ix.meta
	meta.Credits = slices.Clone(meta.Credits)
	var folded []staticSeg
	if len(add) > 0 || len(dead) > 0 || fold {
		last, _ := strconv.Atoi(meta.Segments[len(meta.Segments)-1].ID)
		id := strconv.Itoa(last + 1)
		if fold {
			// The placeholder takes the next ID, the new segment the one
			// after: IDs rise along the list.
			place := staticSeg{ID: id, Shards: 1, Buckets: 1, Folded: true}
			for _, sg := range meta.Segments[1:] {
				place.N += sg.N
			}
			folded = slices.Clone(meta.Segments[1:])
			meta.Segments = []staticSeg{meta.Segments[0], place}
			files = append(files, File{shardName(id, 0), encodeShard(&shardBuf{}, 1, 1)})
			id = strconv.Itoa(last + 2)
		}
		stubs := make([]staticStub, ix.meta.N)
		for i := range stubs {
			stubs[i] = staticStub{day: ix.days[i], credit: int(ix.credit[i]), size: ix.size[i], removed: !ix.alive[i]}
			if dead[i] {
				stubs[i].removed = true
				old[i].slug = ""
			}
		}
		if len(add) > 0 {
			seg, newStubs, err := buildSegment(id, add, nil, &meta, opt, "", collector(&files))
			if err != nil {
				return false, err
			}
			meta.Segments = append(slices.Clone(meta.Segments), seg)
			stubs = append(stubs, newStubs...)
			for _, d := range add {
				old = append(old, storyLine{d.ID, fmt.Sprintf("%x", d.Hash()), search.Day(d.Date)})
			}
		} else {
			// Only removals: an empty segment names the new docs.bin.
			meta.Segments = append(slices.Clone(meta.Segments), staticSeg{ID: id, Shards: 1, Buckets: 1})
			files = append(files, File{shardName(id, 0), encodeShard(&shardBuf{}, 1, 1)})
		}
		meta.Stories = stubs
		var rank []int
		for i, st := range old {
			if st.slug != "" {
				rank = append(rank, i)
			}
		}
		slices.SortFunc(rank, func(a, b int) int {
			if old[a].day != old[b].day {
				return old[b].day - old[a].day
			}
			return strings.Compare(old[a].slug, old[b].slug)
		})
		files = append(files, File{"stories.txt", appendStoryLines(nil, old)})
		files = append(files, staticMetaFiles(&meta, rank)...)
	}
	page, err := staticPage(opt)
	if err != nil {
		return false, err
	}
	for _, f := range []File{{"search.js", Script()}, {"index.html", page}} {
		if b, err := os.ReadFile(filepath.Join(dir, f.Name)); err != nil || !bytes.Equal(b, f.Data) {
			files = append(files, f)
		}
	}
	// meta.json goes last (staticMetaFiles puts it last of its pair).
	slices.SortFunc(files, func(a, b File) int {
		return cmp.Or(boolInt(a.Name == "meta.json")-boolInt(b.Name == "meta.json"), strings.Compare(a.Name, b.Name))
	})
	if err := writeFilesAtomic(dir, files); err != nil {
		return false, fmt.Errorf("updating static search index: %w", err)
	}
	if ix.meta.Docs != meta.Docs && meta.Docs != "" {
		os.Remove(filepath.Join(dir, ix.meta.Docs))
	}
	removeSegments(dir, folded)
	return false, nil
}

// removeSegments deletes the shard and record files of segments no longer
// named by meta.json (readers of the old one may still be fetching; a
// static host serves what was deployed, so this affects only a live
// folder, and only a query begun before the update).
func removeSegments(dir string, segs []staticSeg) {
	for _, sg := range segs {
		for _, pattern := range []string{shardName(sg.ID, 0)[:len("s/"+sg.ID+"-")] + "*.bin", "d/" + sg.ID + "-*.bin"} {
			names, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
			for _, n := range names {
				os.Remove(n)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeFilesAtomic writes each file through a temporary file renamed
// into place, in order.
func writeFilesAtomic(dir string, files []File) error {
	made := map[string]bool{}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if d := filepath.Dir(path); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, f.Data, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	return nil
}

// appendDocHash appends the hash of d as stories.txt records it
// (hexadecimal). A Doc with a Source hashes by its Source alone
// (search.Doc.Hash), so only one without is normalised first: a filled
// story is not normalised again to learn it is unchanged.
func appendDocHash(b []byte, d search.Doc) []byte {
	if d.Source == 0 {
		d = d.Normalized()
	}
	return strconv.AppendUint(b, d.Hash(), 16)
}

// storyLine is one line of stories.txt.
type storyLine struct {
	slug, hash string
	day        int
}

var errNoStories = errors.New("stories.txt is missing or damaged")

// appendStoryLines appends lines to b as stories.txt holds them: "slug
// hash day" a line, "-" for a removed story.
func appendStoryLines(b []byte, lines []storyLine) []byte {
	for _, st := range lines {
		if st.slug == "" {
			b = append(b, "-\n"...)
			continue
		}
		b = append(append(append(append(b, st.slug...), ' '), st.hash...), ' ')
		b = append(strconv.AppendInt(b, int64(st.day), 10), '\n')
	}
	return b
}

func readStories(dir string) ([]storyLine, error) {
	data, err := os.ReadFile(filepath.Join(dir, "stories.txt"))
	if err != nil {
		return nil, err
	}
	return parseStoryLines(data)
}

// parseStoryLines reads what appendStoryLines wrote; anything else is
// errNoStories (the index is then written whole). It is linear in data.
func parseStoryLines(data []byte) ([]storyLine, error) {
	out := make([]storyLine, 0, bytes.Count(data, []byte{'\n'}))
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if string(line) == "-" {
			out = append(out, storyLine{})
			continue
		}
		slug, rest, ok1 := strings.Cut(string(line), " ")
		hash, day, ok2 := strings.Cut(rest, " ")
		d, err := strconv.Atoi(day)
		if !ok1 || !ok2 || err != nil || slug == "" || hash == "" {
			return nil, errNoStories
		}
		out = append(out, storyLine{slug, hash, d})
	}
	return out, nil
}
