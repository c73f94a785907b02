package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/publish"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/site"
	"github.com/banmian/banmian/internal/store"
)

// SearchIndex is the part of the search engine the server uses to keep the
// index in step with published stories and to answer /api/search.
// *search.Index satisfies it.
type SearchIndex interface {
	Put(d search.Doc) error
	Delete(slug string) error
	Search(ctx context.Context, q search.Query) (*search.Result, error)
}

// Printer prints an HTML page proof to PDF. *layout.Printer satisfies it.
type Printer interface {
	PDF(ctx context.Context, html []byte) ([]byte, error)
}

// Config configures a Server.
type Config struct {
	// Store is the editorial database (required). The Server does not
	// close it.
	Store *store.Store
	// Source is the content folder publishing writes to (required).
	Source string
	// Site are the options of the reader site build. Source and OutDir
	// default to the content folder and "public"; the server adds an
	// emitter of its own and keeps one long-lived Builder.
	Site site.Options
	// Index is the search index kept up to date on publish (optional).
	Index SearchIndex
	// SearchHandler, when set, serves /search and /api/search (the search
	// package's handler); otherwise /api/search is answered from Index.
	SearchHandler http.Handler
	// SubmissionIndex is the full-text index of submissions the desk's
	// search uses (optional: without it the desk matches substrings). New
	// syncs it with the store; the server updates it as submissions change.
	SubmissionIndex SubmissionIndex
	// Printer prints PDF proofs (optional: /proof.pdf answers 503 without).
	Printer Printer
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// SecureCookies marks every cookie Secure. Without it a cookie is
	// Secure when the request came over TLS, or from a trusted proxy with
	// X-Forwarded-Proto: https.
	SecureCookies bool
	// TrustedProxies are the reverse proxies (serve -trusted-proxies)
	// whose X-Forwarded-For and X-Forwarded-Proto headers are believed;
	// from anyone else they are ignored.
	TrustedProxies []netip.Prefix
	// LoginAttempts failed logins per LoginWindow are allowed per user
	// name and client address together (defaults 5 per 15 minutes); each
	// name also backs off exponentially (see limiter).
	LoginAttempts int
	LoginWindow   time.Duration
	// RenderTimeout bounds each Markdown rendering (default 3 s).
	RenderTimeout time.Duration
	// MaxBodyBytes limits form and JSON bodies (default 2 MiB);
	// MaxPhotoBytes limits one uploaded photo (default 8 MiB).
	MaxBodyBytes  int64
	MaxPhotoBytes int64
	// SchedulerInterval is how often due editions are looked for
	// (default 30s); negative disables the scheduler.
	SchedulerInterval time.Duration
	// Watch rebuilds the site when files in Source change and reloads
	// open pages (banmian serve -watch).
	Watch bool
	// Deployer, when set, deploys the reader site after each publish, in
	// the background (banmian serve with deploy.auto in site.yaml).
	Deployer Deployer
	// Mail, when set, sends the desk's notifications by mail as well.
	Mail *MailConfig
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives errors and events; nil discards them.
	Logger *slog.Logger
	// PublishHook is called as a publish reaches each step (see
	// publish.Config.Hook); tests fail or stop a publish with it.
	PublishHook func(step string) error
}

// Server is the editorial server. Start it with Start (or serve Handler
// yourself) and stop it with Close.
type Server struct {
	cfg     Config
	st      *store.Store
	builder *site.Builder
	md      *markdown.Renderer
	log     *slog.Logger
	now     func() time.Time
	handler http.Handler
	routes  []route
	// patterns are every pattern the ServeMux serves, the route table's
	// and the others mux adds; the authorisation test walks them.
	patterns []string
	limiter  *limiter
	reload   *broadcaster

	setupMu    sync.Mutex
	setupToken string // the first-run token while there are no users
	wake       chan struct{}

	pub *publish.Service // publishes and corrects, one at a time
	// streams counts the open /desk/events streams.
	streams atomic.Int64
	// subQueue holds submissions waiting for the submission index.
	subQueue subQueue
	// heavy lets one long body (heavyBody) at a time be rendered, for a
	// preview or for the submission index (indexHeavy), and long bodies
	// take at most a share of one CPU (heavyShare) from the requests of
	// everyone else.
	heavy *heavyGate
	// subRenders counts submission bodies rendered for the submission
	// index (SyncSubmissionIndex skips unchanged ones).
	subRenders atomic.Int64

	snapMu sync.Mutex
	snap   *site.Snapshot // the last build

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	http   *http.Server
	// adminHTTP serves the admin socket (ListenAdmin).
	adminHTTP *http.Server
}

// New builds the reader site (a full build the first time), recovers from
// a publish that a crash interrupted, and returns a Server ready to serve.
// It starts the scheduler (and the watcher with Config.Watch); Close stops
// them.
//
// Errors: a missing store or content folder, a failed site build (with the
// file and line of content problems).
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	pages() // the desk's templates: a broken one fails here, not on a request
	if st, err := os.Stat(cfg.Source); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("content folder %s not found", cfg.Source)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LoginAttempts <= 0 {
		cfg.LoginAttempts = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.RenderTimeout <= 0 {
		cfg.RenderTimeout = renderTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 2 << 20
	}
	if cfg.MaxPhotoBytes <= 0 {
		cfg.MaxPhotoBytes = 8 << 20
	}
	if cfg.SchedulerInterval == 0 {
		cfg.SchedulerInterval = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Site.Source == nil {
		cfg.Site.Source = os.DirFS(cfg.Source)
	}
	if cfg.Site.OutDir == "" {
		cfg.Site.OutDir = "public"
	}
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now,
		md:      markdown.New(markdown.Options{Typeset: true, Timeout: cfg.RenderTimeout}),
		limiter: newLimiter(cfg.LoginAttempts, cfg.LoginWindow, cfg.Now),
		reload:  newBroadcaster(),
		wake:    make(chan struct{}, 1),
		heavy:   newHeavyGate(heavyShare),
	}
	s.subQueue.index = s.indexBatch
	opt := cfg.Site
	opt.Emitters = append(append([]site.Emitter(nil), opt.Emitters...), s.captureSnapshot)
	s.builder = site.New(opt)
	var index publish.Index
	if cfg.Index != nil {
		index = cfg.Index
	}
	s.pub = publish.New(publish.Config{
		Store: s.st, Source: cfg.Source, Builder: s.builder, Snapshot: s.snapshot,
		BaseURL: func() string { return s.siteConfig().BaseURL },
		Index:   index, Render: s.md, Now: cfg.Now, Logger: cfg.Logger, Hook: cfg.PublishHook,
	})
	s.ctx, s.cancel = context.WithCancel(context.Background())

	if err := s.pub.Recover(); err != nil {
		return nil, err
	}
	if _, err := s.builder.Build(s.ctx); err != nil {
		return nil, fmt.Errorf("building the reader site: %w", err)
	}
	if _, err := s.SyncSubmissionIndex(s.ctx); err != nil {
		return nil, err
	}
	if n, err := s.st.UserCount(); err != nil {
		return nil, err
	} else if n == 0 {
		s.setupToken = newSetupToken()
	}
	s.routes = s.routeTable()
	if cfg.Mail != nil && cfg.Mail.Addr != "" {
		s.st.OnNotify(s.mailNotifications)
	}
	s.handler = s.mux()
	if cfg.SchedulerInterval > 0 {
		s.wg.Add(1)
		go s.schedule()
	}
	if cfg.Watch {
		// The first stamp is taken before New returns, so a change made
		// right after is seen as one.
		last := contentStamp(cfg.Source)
		s.wg.Add(1)
		go s.watch(last)
	}
	return s, nil
}

// captureSnapshot is an emitter that remembers the last build.
func (s *Server) captureSnapshot(ctx context.Context, dir string, snap *site.Snapshot) error {
	s.snapMu.Lock()
	s.snap = snap
	s.snapMu.Unlock()
	return nil
}

// snapshot returns the last build.
func (s *Server) snapshot() *site.Snapshot {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	return s.snap
}

// siteConfig returns the site configuration of the last build.
func (s *Server) siteConfig() content.Site {
	if sn := s.snapshot(); sn != nil {
		return sn.Content.Site
	}
	return content.DefaultSite()
}

// Exclusive runs fn while no publish or correction runs, so that work
// done in the background after a build (the static search index) never
// writes the outcome of a publish that has not committed.
func (s *Server) Exclusive(fn func() error) error { return s.pub.Exclusive(fn) }

// SiteBaseURL is the base URL of the reader site as last built.
func (s *Server) SiteBaseURL() string { return s.siteConfig().BaseURL }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background; it returns the address listened on.
func (s *Server) Start(addr string) (string, error) {
	ln, err := listen(addr)
	if err != nil {
		return "", err
	}
	return s.Serve(ln), nil
}

// Serve serves on ln in the background (banmian serve listens before New,
// to build the site with its own address as base URL); it returns the
// address listened on. Close closes ln.
func (s *Server) Serve(ln net.Listener) string {
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	return ln.Addr().String()
}

// Close stops serving (letting requests in flight finish for up to five
// seconds), the scheduler and the watcher. It does not close the store or
// the index.
func (s *Server) Close() error {
	s.cancel()
	s.reload.close()
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.http.Shutdown(ctx)
		cancel()
	}
	if s.adminHTTP != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if aerr := s.adminHTTP.Shutdown(ctx); err == nil {
			err = aerr
		}
		cancel()
	}
	if s.cfg.Mail != nil && s.cfg.Mail.Addr != "" {
		s.st.OnNotify(nil)
	}
	s.wg.Wait()
	s.subQueue.close()
	return err
}

// outDir is the reader site folder.
func (s *Server) outDir() string { return s.cfg.Site.OutDir }

// contentPath is the OS path of a slash-separated content path.
func (s *Server) contentPath(p string) string {
	return filepath.Join(s.cfg.Source, filepath.FromSlash(p))
}
