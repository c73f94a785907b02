package server

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/banmian/banmian/internal/content"
)

// reloadTag is added to reader pages with -watch: it reloads the page when
// the site is rebuilt.
const reloadTag = `<script src="/desk/static/reload.js" defer></script>`

// readerSite serves the built site folder the way a static host would:
// index.html for folders, 404.html with status 404 for anything missing,
// nothing outside the folder and no dot files. With Config.Watch, HTML
// pages get the live reload script.
func (s *Server) readerSite() http.Handler {
	dir := s.outDir()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// The site lives under the path of its base URL ("/duowei/"),
		// as it will on the host it is deployed to.
		root := content.SiteRoot(s.siteConfig().BaseURL)
		prefix := strings.TrimSuffix(root, "/")
		rel, under := strings.CutPrefix(r.URL.Path, prefix)
		if root != "/" && (r.URL.Path == "/" || (under && rel == "")) {
			http.Redirect(w, r, root, http.StatusFound)
			return
		}
		if !under || (rel != "" && !strings.HasPrefix(rel, "/")) {
			rel = "/.missing"
		}
		name := filepath.Join(dir, filepath.FromSlash(filepath.Clean("/"+rel)))
		st, err := os.Stat(name)
		if err == nil && st.IsDir() {
			name = filepath.Join(name, "index.html")
			_, err = os.Stat(name)
		}
		if err != nil || strings.Contains(rel, "/.") {
			page, rerr := os.ReadFile(filepath.Join(dir, "404.html"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			if rerr == nil {
				w.Write(s.withReload(page))
			}
			return
		}
		if s.cfg.Watch && strings.HasSuffix(name, ".html") {
			page, err := os.ReadFile(name)
			if err != nil {
				http.Error(w, "not found", http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			w.Write(s.withReload(page))
			return
		}
		http.StripPrefix(prefix, http.FileServer(http.Dir(dir))).ServeHTTP(w, r)
	})
}

// withReload adds the reload script before </body> when watching.
func (s *Server) withReload(page []byte) []byte {
	if !s.cfg.Watch {
		return page
	}
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		return append(page, reloadTag...)
	}
	out := make([]byte, 0, len(page)+len(reloadTag))
	out = append(out, page[:i]...)
	out = append(out, reloadTag...)
	return append(out, page[i:]...)
}
