package deploy

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Tiers of the upload order: every file of a tier is uploaded before any
// file of the next, and deletes come after the last.
const (
	TierAssets      = iota // styles, scripts, photos, search shards and docs
	TierSearchIndex        // search/meta.json and search/docs.bin, which name the shards
	TierPages              // story, edition, list and search pages
	TierRoots              // the home page, feed.xml, sitemap.xml, robots.txt
	numTiers
)

// Cache-Control values.
const (
	// CacheImmutable is for files whose name carries a fingerprint of
	// their content: a new version gets a new name.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheShort is for everything else: pages, feed, sitemap, and
	// assets and shards under fixed names, which change in place.
	CacheShort = "public, max-age=300, must-revalidate"
)

// File is one file of the built site, ready to upload.
type File struct {
	Path         string // slash-separated, relative to the site folder
	Tier         int
	ContentType  string
	CacheControl string
	Encoding     string // "gzip" or ""
	Size         int64  // bytes as uploaded (after gzip)
	MD5          string // hex MD5 of the bytes as uploaded
	Body         []byte // the bytes as uploaded
}

// header is what the manifest records of a file's headers.
func (f *File) header() string { return f.ContentType + "\n" + f.CacheControl + "\n" + f.Encoding }

// types maps extensions to Content-Type, fixed here rather than read from
// the machine's mime.types so every host uploads the same headers.
var types = map[string]string{
	".html":  "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".xml":   "application/xml; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
	".svg":   "image/svg+xml",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".png":   "image/png",
	".webp":  "image/webp",
	".gif":   "image/gif",
	".avif":  "image/avif",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".pdf":   "application/pdf",
	".bin":   "application/octet-stream",
	".wasm":  "application/wasm",
}

// ContentType is the Content-Type a site path is served with.
func ContentType(p string) string {
	switch p {
	case "feed.xml":
		return "application/atom+xml; charset=utf-8"
	}
	ext := strings.ToLower(path.Ext(p))
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible reports whether a Content-Type is text worth gzipping.
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript")
}

// hexRunRE finds runs of 8 or more hex digits between separators in a file
// name: site.3f2a9c1b.css, shard-0a1b2c3d4e5f.bin.
var hexRunRE = regexp.MustCompile(`(?:^|[._-])([0-9a-f]{8,})(?:[._-]|$)`)

// Fingerprinted reports whether the file name of p carries a hash of its
// content, so it can be cached for a year. A run of digits alone (a date,
// as in IMG_20250522.jpg) is not a hash.
func Fingerprinted(p string) bool {
	for _, m := range hexRunRE.FindAllStringSubmatch(path.Base(p), -1) {
		if strings.ContainsAny(m[1], "abcdef") && strings.ContainsAny(m[1], "0123456789") {
			return true
		}
	}
	return false
}

// CacheControl is the Cache-Control a site path is served with.
func CacheControl(p string) string {
	if TierOf(p) == TierAssets && Fingerprinted(p) {
		return CacheImmutable
	}
	return CacheShort
}

// TierOf is the upload tier of a site path.
func TierOf(p string) int {
	switch p {
	case "index.html", "feed.xml", "sitemap.xml", "robots.txt":
		return TierRoots
	case "search/meta.json", "search/docs.bin":
		return TierSearchIndex
	}
	if strings.HasPrefix(p, "search/docs") && path.Ext(p) == ".bin" { // docs-<segment>.bin, named by meta.json
		return TierSearchIndex
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".html", ".xml":
		return TierPages
	}
	return TierAssets
}

// hidden reports whether a path has a segment starting with a dot: the
// build's own state, never deployed.
func hidden(p string) bool {
	for _, s := range strings.Split(p, "/") {
		if strings.HasPrefix(s, ".") {
			return true
		}
	}
	return false
}

// maxFile caps one file of the site (a single PUT carries it).
const maxFile = 1 << 30

// scan reads the built site in dir into files sorted by tier and path,
// gzipping text when gz is set. It reads every file: the site is what a
// reader downloads, so it fits in memory many times over.
func scan(dir string, gz bool) ([]*File, error) {
	var files []*File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if hidden(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		files = append(files, &File{Path: rel})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = parallel(len(files), func(i int) error {
		f := files[i]
		body, err := readFile(filepath.Join(dir, filepath.FromSlash(f.Path)), maxFile)
		if err != nil {
			return err
		}
		f.Tier = TierOf(f.Path)
		f.ContentType = ContentType(f.Path)
		f.CacheControl = CacheControl(f.Path)
		if gz && compressible(f.ContentType) && len(body) > 0 {
			body = gzipBytes(body)
			f.Encoding = "gzip"
		}
		sum := md5.Sum(body)
		f.MD5 = hex.EncodeToString(sum[:])
		f.Size = int64(len(body))
		f.Body = body
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].Tier != files[j].Tier {
			return files[i].Tier < files[j].Tier
		}
		return files[i].Path < files[j].Path
	})
	return files, nil
}

// gzipBytes compresses b deterministically (no name, no time), so the same
// page always gives the same bytes and MD5.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
