package site

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"io/fs"
	"sort"
)

// hasher builds page fingerprints from the values a page shows.
type hasher struct {
	h   hash.Hash64
	buf [8]byte
}

func newHasher() *hasher { return &hasher{h: fnv.New64a()} }

func (h *hasher) str(s string) *hasher {
	h.u64(uint64(len(s)))
	h.h.Write([]byte(s))
	return h
}

func (h *hasher) u64(v uint64) *hasher {
	binary.LittleEndian.PutUint64(h.buf[:], v)
	h.h.Write(h.buf[:])
	return h
}

func (h *hasher) sum() uint64 { return h.h.Sum64() }

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
