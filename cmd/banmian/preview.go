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

	"github.com/banmian/banmian/internal/progress"
)

// runPreview builds the site and serves it on a local address, the way a
// static host would (404.html for missing pages).
func runPreview(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "preview", "[-addr 127.0.0.1:8080] [-source content] [-out public] [-drafts]")
	var o siteOptions
	o.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	bar := progress.New(env.Stderr, "构建", env.Terminal)
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: staticSite(o.out), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stdout, "serving the site at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
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

// staticSite serves a built site folder: index.html for folders, 404.html
// (with status 404) for anything missing, and nothing outside the folder.
func staticSite(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		name := filepath.Join(dir, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
		st, err := os.Stat(name)
		if err == nil && st.IsDir() {
			_, err = os.Stat(filepath.Join(name, "index.html"))
		}
		if err != nil || strings.Contains(r.URL.Path, "/.") {
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
