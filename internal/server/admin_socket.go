package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// AdminSocketName is the admin socket's file name in the data folder.
const AdminSocketName = "admin.sock"

// AdminSocket returns the admin socket's path in data folder dir.
func AdminSocket(dir string) string { return filepath.Join(dir, AdminSocketName) }

// ListenAdmin serves the operator routes of the JSON API (users, tokens,
// offices, backup) on a Unix socket at path, created with mode 0600, so
// that banmian user, token and backup work while the server holds the
// data file. Only the account that runs the server may connect: the file
// mode says so, and on Linux each connection's peer credentials are
// checked as well. Calls act as store.Operator. A socket left behind by
// a server that died is replaced; one a live server answers on is not.
// Close removes it.
//
// Errors: ErrAdminSocketInUse, and those of listening.
func (s *Server) ListenAdmin(path string) error {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s: %w", path, ErrAdminSocketInUse)
	}
	if st, err := os.Lstat(path); err == nil {
		if st.Mode().Type() != os.ModeSocket {
			return fmt.Errorf("%s exists and is not a socket", path)
		}
		os.Remove(path) // stale
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin socket: %w", err)
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		if rt.operator {
			mux.Handle(rt.pattern, s.operatorHandler(rt))
		}
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errorf(http.StatusNotFound, "管理套接字上没有这个请求：%s %s", r.Method, r.URL.Path))
	}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.adminHTTP = srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(peerCheckListener{ln}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("admin socket", "err", err)
		}
	}()
	return nil
}

// ErrAdminSocketInUse: another live server answers on the admin socket.
var ErrAdminSocketInUse = errors.New("another banmian serve answers on the admin socket")

// operatorHandler runs a route for the operator: no session, no CSRF (a
// Unix socket cannot be reached from a web page).
func (s *Server) operatorHandler(rt route) http.Handler {
	limit := rt.maxBody
	if limit == 0 {
		limit = s.cfg.MaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		c := &reqCtx{user: store.User{Role: store.RoleAdmin}, operator: true}
		if err := rt.h(w, r, c); err != nil {
			s.fail(w, r, err)
		}
	})
}

// peerCheckListener drops connections from other user accounts.
type peerCheckListener struct{ net.Listener }

func (l peerCheckListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if peerIsUs(c) {
			return c, nil
		}
		c.Close()
	}
}
