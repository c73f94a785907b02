package server

import (
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/site"
)

// watchInterval is how often the content folder is polled.
const watchInterval = time.Second

// contentStamp fingerprints the names, sizes and modification times of the
// files in the content folder (dot and underscore folders left out, as the
// loader leaves them out).
func contentStamp(root string) uint64 {
	h := fnv.New64a()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || (d.IsDir() && strings.HasPrefix(name, "_"))) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		h.Write([]byte(p))
		var b [16]byte
		n, t := info.Size(), info.ModTime().UnixNano()
		for i := range 8 {
			b[i], b[8+i] = byte(n>>(8*i)), byte(t>>(8*i))
		}
		h.Write(b[:])
		return nil
	})
	return h.Sum64()
}

// watch rebuilds the site when files in content/ change from the stamp
// last (polling once a second; no extra dependency) and tells open pages
// to reload.
func (s *Server) watch(last uint64) {
	defer s.wg.Done()
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		stamp := contentStamp(s.cfg.Source)
		if stamp == last {
			continue
		}
		last = stamp
		var stats site.Stats
		err := s.pub.Exclusive(func() (err error) {
			stats, err = s.builder.Build(s.ctx)
			return err
		})
		if err != nil {
			s.log.Error("rebuilding after a change in content/", "err", err)
			continue
		}
		s.log.Info("rebuilt", "stats", stats.String())
		s.reload.send("reload")
	}
}
