package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/layout"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchhttp"
	"github.com/banmian/banmian/internal/search/static"
	"github.com/banmian/banmian/internal/server"
	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
)

// serveOptions are the flags of banmian serve.
type serveOptions struct {
	siteOptions
	addr, data string
	watch      bool
	proxies    []netip.Prefix
	// Optional mail of the desk's notifications.
	smtp, mailFrom, mailTo string
}

// mailConfig is the -smtp, -mail-from and -mail-to flags as a server
// MailConfig (nil without -smtp). -mail-to lists user=address pairs,
// comma separated; SMTP credentials come from BANMIAN_SMTP_USER and
// BANMIAN_SMTP_PASSWORD.
func (o serveOptions) mailConfig() (*server.MailConfig, error) {
	if o.smtp == "" {
		return nil, nil
	}
	if o.mailFrom == "" {
		return nil, usageError("-smtp needs -mail-from")
	}
	m := &server.MailConfig{Addr: o.smtp, From: o.mailFrom, To: map[string]string{},
		Username: os.Getenv("BANMIAN_SMTP_USER"), Password: os.Getenv("BANMIAN_SMTP_PASSWORD")}
	for _, pair := range strings.Split(o.mailTo, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		user, addr, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(user) == "" || !strings.Contains(addr, "@") {
			return nil, usageError("-mail-to: want user=address pairs, got %q", pair)
		}
		m.To[strings.TrimSpace(user)] = strings.TrimSpace(addr)
	}
	return m, nil
}

// startServe opens the store and the search index, builds the site and
// starts the server on the address asked for. ready is called with the
// address listened on. It returns when ctx ends.
func startServe(ctx context.Context, env *Env, o serveOptions, ready func(addr string)) error {
	st, err := store.Open(store.DataFile(o.data), store.Options{})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%s is in use by another banmian process (is banmian serve already running?)", o.data)
		}
		return err
	}
	defer st.Close()
	idx, err := search.Open(filepath.Join(o.data, "index"))
	if err != nil {
		return fmt.Errorf("opening the search index in %s: %w", o.data, err)
	}
	defer idx.Close()
	// The submission index is synced from the store at each start, and
	// every search waits for the latest writes: they need not wait for
	// the disk.
	subIdx, err := search.OpenWith(filepath.Join(o.data, "submissions-index"), search.Options{Lazy: true})
	if err != nil {
		return fmt.Errorf("opening the submission index in %s: %w", o.data, err)
	}
	defer subIdx.Close()

	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// The static search index of incremental builds is rebuilt in the
	// background; Close stops and waits for that work before the indexes
	// and the store close (deferred calls run last first).
	staticIdx := static.NewBackground(ctx, filepath.Join(o.out, "search"), func(err error) {
		logger.Error("rebuilding the static search index", "err", err)
	})
	defer staticIdx.Close()
	staticEmitter := &staticSearch{b: staticIdx}
	// The search page shows the site's title, header and footer: each
	// build (the first runs inside server.New) sets up the handler anew.
	var searchHandler atomic.Value // http.Handler
	searchPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		searchHandler.Load().(http.Handler).ServeHTTP(w, r)
	})
	searchChrome := func(ctx context.Context, dir string, snap *site.Snapshot) error {
		root := content.SiteRoot(snap.Content.Site.BaseURL)
		searchHandler.Store(searchhttp.NewHandler(idx, searchhttp.HandlerOptions{
			Title: snap.Content.Site.Title, Home: root, Stylesheet: root + "assets/site.css",
			Header: snap.Header, Footer: snap.Footer, Logger: logger,
		}))
		return nil
	}
	// Listen before the first build: the reader site is built with this
	// server's own address as its base URL (keeping the path of the
	// configured one), as hugo server does.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	defer ln.Close()
	auto, err := autoDeployer(o.siteOptions, staticIdx.Settle, logger)
	if err != nil {
		return err
	}
	if auto != nil {
		defer auto.Close()
	}
	// The site is built for this server's own address, as hugo server
	// does, unless it goes out to readers: with deploy.auto the pages
	// keep site.yaml's public baseURL (or -baseURL).
	origin := "http://" + ln.Addr().String()
	if auto != nil {
		origin = ""
	}
	cfg := server.Config{
		Store:  st,
		Source: o.source,
		Site: site.Options{
			Source:   os.DirFS(o.source),
			OutDir:   o.out,
			Drafts:   o.drafts,
			Themes:   func(name string) (fs.FS, error) { return site.ResolveTheme(o.themes, name) },
			Emitters: []site.Emitter{staticEmitter.emit, searchChrome},
			Origin:   origin,
			BaseURL:  o.baseURL,
		},
		Index:           idx,
		SubmissionIndex: subIdx,
		SearchHandler:   searchPage,
		Watch:           o.watch,
		TrustedProxies:  o.proxies,
		Logger:          logger,
		PublishHook:     publishHook,
	}
	if auto != nil {
		cfg.Deployer = auto
	}
	if p, err := layout.NewPrinter(ctx); err == nil {
		defer p.Close()
		cfg.Printer = p
	} else {
		fmt.Fprintf(env.Stderr, "PDF proofs are off: %v\n", err)
	}
	if cfg.Mail, err = o.mailConfig(); err != nil {
		return err
	}
	srv, err := server.New(cfg)
	if err != nil {
		if len(content.AsList(err)) > 0 {
			return buildError(o.source, err)
		}
		return err
	}
	staticIdx.SetGate(srv.Exclusive)
	addr := srv.Serve(ln)
	root := content.SiteRoot(srv.SiteBaseURL())
	// The index catches up in the background; it is waited for before
	// the deferred idx.Close, which it would otherwise race.
	synced := make(chan struct{})
	go func() {
		defer close(synced)
		err := srv.SyncIndex(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Error("syncing the search index", "err", err)
		}
		if indexSyncedHook != nil {
			indexSyncedHook(err)
		}
	}()
	defer func() { <-synced }()
	// banmian user, token and backup reach the running server here.
	if err := srv.ListenAdmin(server.AdminSocket(o.data)); err != nil {
		fmt.Fprintf(env.Stderr, "banmian user, token and backup cannot reach this server: %v\n", err)
	}
	if p := srv.SetupPath(); p != "" {
		fmt.Fprintf(env.Stdout, "No users yet. Open this one-time link to create the first admin in the browser:\n  http://%s%s\n"+
			"(or, in another terminal: banmian user add -data %s -role admin NAME)\n", addr, p, o.data)
	}
	fmt.Fprintf(env.Stdout, "serving the reader site at http://%s%s, the editorial desk at http://%s/desk/ and the API at http://%s/api/ (Ctrl-C to stop)\n", addr, root, addr, addr)
	if ready != nil {
		ready(addr)
	}
	<-ctx.Done()
	return srv.Close()
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "[-addr 127.0.0.1:8080] [-source content] [-data data] [-out public] [-themes themes] [-watch] [-trusted-proxies CIDR[,CIDR]] [-baseURL URL]")
	var o serveOptions
	o.register(fs)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.data, "data", "data", "data `DIR` (the editorial store and search index)")
	fs.BoolVar(&o.watch, "watch", false, "rebuild when files in the content folder change and reload open pages")
	proxies := fs.String("trusted-proxies", "", "`CIDR[,CIDR]` of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed")
	fs.StringVar(&o.smtp, "smtp", "", "also mail the desk's notifications through this SMTP server (`HOST:PORT`)")
	fs.StringVar(&o.mailFrom, "mail-from", "", "sender address of notification mail")
	fs.StringVar(&o.mailTo, "mail-to", "", "mail addresses of desk users, `USER=ADDRESS,…`")
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
	var err error
	if o.proxies, err = server.ParseProxies(*proxies); err != nil {
		return usageError("-trusted-proxies: %v", err)
	}
	return startServe(ctx, env, o, nil)
}
