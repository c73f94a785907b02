package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/progress"
	"github.com/banmian/banmian/internal/site"
)

// runPreview builds the site and serves it on a local address, the way a
// static host would (404.html for missing pages).
func runPreview(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "preview", "[-addr 127.0.0.1:8080] [-baseURL URL] [-source content] [-out public] [-drafts]")
	var o siteOptions
	o.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	o.registerBaseURL(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkBaseURL(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	// Listen first: the site is built with this address as its base URL
	// (keeping the path of the configured one), as hugo server does.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	defer ln.Close()
	bar := progress.New(env.Stderr, "构建", env.Terminal)
	o.origin = "http://" + ln.Addr().String()
	var root string
	o.emitters = append(o.emitters, func(ctx context.Context, dir string, snap *site.Snapshot) error {
		root = content.SiteRoot(snap.Content.Site.BaseURL)
		return nil
	})
	b, err := o.builder(bar, nil)
	if err != nil {
		return err
	}
	stats, err := b.Build(ctx)
	bar.Done()
	if err != nil {
		return buildError(o.source, err)
	}
	fmt.Fprintf(env.Stdout, "built %s: %s\n", o.source, stats)
	printWarnings(env, stats.Warnings)
	srv := &http.Server{Handler: staticSite(o.out, root), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stdout, "serving the site at http://%s%s (Ctrl-C to stop)\n", ln.Addr(), root)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// staticSite serves a built site folder under the URL path root ("/" or
// "/duowei/"): index.html for folders, 404.html (with status 404) for
// anything missing, and nothing outside the folder. "/" redirects to
// root.
func staticSite(dir, root string) http.Handler {
	files := http.StripPrefix(strings.TrimSuffix(root, "/"), http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		rel, under := strings.CutPrefix(r.URL.Path, strings.TrimSuffix(root, "/"))
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
			_, err = os.Stat(filepath.Join(name, "index.html"))
		}
		if err != nil || strings.Contains(rel, "/.") {
			page, rerr := os.ReadFile(filepath.Join(dir, "404.html"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			if rerr == nil {
				w.Write(page)
			}
			return
		}
		files.ServeHTTP(w, r)
	})
}
