package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/banmian/banmian/internal/server"
	"github.com/banmian/banmian/internal/store"
)

// accounts is what banmian user, token and backup need of the editorial
// store. While banmian serve runs it holds the data file, so the commands
// talk to it over its admin socket (DATA/admin.sock, mode 0600, answered
// only for the account that runs the server); otherwise they open the
// file directly. Either way they act as store.Operator.
type accounts interface {
	AddUser(u store.User, password string) (store.User, error)
	Users() ([]store.User, error)
	ChangeUser(name string, ch store.UserChange) (store.User, error)
	CreateToken(user, label string) (secret string, t store.Token, err error)
	Tokens(user string) ([]store.Token, error)
	RevokeToken(id string) error
	// Backup writes a consistent copy of the data file to w.
	Backup(w io.Writer) (int64, error)
	Close() error
}

// openAccounts reaches the store in data folder dir: through a running
// server's admin socket, or directly.
func openAccounts(dir string) (accounts, error) {
	sock := server.AdminSocket(dir)
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err == nil {
		c.Close()
		return newSocketAccounts(sock), nil
	}
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("banmian serve's admin socket %s: %w", sock, err)
	}
	st, err := store.Open(store.DataFile(dir), store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w; and no server answers on %s", err, sock)
	}
	if err != nil {
		return nil, err
	}
	return storeAccounts{st}, nil
}

// storeAccounts opens the data file itself (no server running).
type storeAccounts struct{ st *store.Store }

func (a storeAccounts) AddUser(u store.User, pw string) (store.User, error) {
	return a.st.CreateUser(u, pw)
}
func (a storeAccounts) Users() ([]store.User, error) { return a.st.Users() }
func (a storeAccounts) ChangeUser(name string, ch store.UserChange) (store.User, error) {
	return a.st.ChangeUser(store.Operator, name, ch)
}
func (a storeAccounts) CreateToken(user, label string) (string, store.Token, error) {
	return a.st.CreateToken(user, label)
}
func (a storeAccounts) Tokens(user string) ([]store.Token, error) { return a.st.Tokens(user) }
func (a storeAccounts) RevokeToken(id string) error               { return a.st.RevokeToken(id) }
func (a storeAccounts) Backup(w io.Writer) (int64, error)         { return a.st.Backup(w) }
func (a storeAccounts) Close() error                              { return a.st.Close() }

// socketAccounts asks the running server, over its admin socket, with the
// JSON API's operator routes.
type socketAccounts struct{ c *http.Client }

func newSocketAccounts(sock string) socketAccounts {
	return socketAccounts{c: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}}
}

// call sends a JSON request and decodes the answer into out; the
// server's error message (Chinese, for people) becomes the error.
func (a socketAccounts) call(method, path string, in, out any) error {
	resp, err := a.send(method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		out = &struct{}{}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("banmian serve answered %s to %s %s with no JSON: %w", resp.Status, method, path, err)
	}
	return nil
}

func (a socketAccounts) send(method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://banmian"+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("banmian serve's admin socket: %w", err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var e struct{ Error string }
		json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		return nil, &serverError{status: resp.StatusCode, msg: e.Error}
	}
	return resp, nil
}

// serverError is an error the running server answered with.
type serverError struct {
	status int
	msg    string
}

func (e *serverError) Error() string { return e.msg + " (banmian serve)" }

func (a socketAccounts) AddUser(u store.User, pw string) (store.User, error) {
	var out struct{ User store.User }
	err := a.call("POST", "/api/users", map[string]any{"name": u.Name, "role": u.Role, "office": u.Office, "password": pw}, &out)
	return out.User, err
}

func (a socketAccounts) Users() ([]store.User, error) {
	var out struct{ Users []store.User }
	err := a.call("GET", "/api/users", nil, &out)
	return out.Users, err
}

func (a socketAccounts) ChangeUser(name string, ch store.UserChange) (store.User, error) {
	var out struct{ User store.User }
	err := a.call("PATCH", "/api/users/"+url.PathEscape(name), ch, &out)
	return out.User, err
}

func (a socketAccounts) CreateToken(user, label string) (string, store.Token, error) {
	var out struct {
		Secret string
		Token  store.Token
	}
	err := a.call("POST", "/api/tokens", map[string]string{"user": user, "label": label}, &out)
	return out.Secret, out.Token, err
}

func (a socketAccounts) Tokens(user string) ([]store.Token, error) {
	var out struct{ Tokens []store.Token }
	err := a.call("GET", "/api/tokens?user="+url.QueryEscape(user), nil, &out)
	return out.Tokens, err
}

func (a socketAccounts) RevokeToken(id string) error {
	return a.call("DELETE", "/api/tokens/"+url.PathEscape(id), nil, nil)
}

func (a socketAccounts) Backup(w io.Writer) (int64, error) {
	resp, err := a.send("GET", "/api/backup", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("backup through banmian serve: %w", err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("backup through banmian serve: got %d of %d bytes", n, resp.ContentLength)
	}
	return n, nil
}

func (a socketAccounts) Close() error { return nil }
