package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// Content security policies. The desk loads its one script and stylesheet
// from /desk/static/; nothing inline runs anywhere.
const (
	cspDesk   = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cspReader = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
	// The print proof carries its geometry in inline styles; no script.
	cspProof = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// secure sets the security headers every response carries. It is the one
// place they are set: every handler's response passes through it.
func secure(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// headers wraps h so its responses carry the security headers with csp.
func headers(csp string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header(), csp)
		h.ServeHTTP(w, r)
	})
}

// Error is an error with the HTTP status and the message the user sees.
// Handlers return it (or a store error, mapped by statusOf).
type Error struct {
	Status  int
	Message string // shown to the user, Simplified Chinese
	Field   string // the field at fault, when one is (JSON "field"; shown next to it in forms)
	Err     error  // the cause, logged, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

var (
	errForbidden    = &Error{Status: http.StatusForbidden, Message: "没有权限执行此操作"}
	errNotFound     = &Error{Status: http.StatusNotFound, Message: "找不到该页面或稿件"}
	errUnauthorized = &Error{Status: http.StatusUnauthorized, Message: "请先登录"}
	errCSRF         = &Error{Status: http.StatusForbidden, Message: "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"}
)

// statusOf maps an error to the status and the message the user sees. The
// store's sentinel errors map as its errors.go documents; their messages
// say which field or status is at fault and contain no internals.
func statusOf(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Status, e.Message
	}
	var pe *store.PasswordError
	if errors.As(err, &pe) {
		return http.StatusBadRequest, passwordRuleText(pe.Rule)
	}
	if status, msg, ok := limitStatus(err); ok {
		return status, msg
	}
	if l := content.AsList(err); len(l) > 0 {
		lines := make([]string, len(l))
		for i, fe := range l {
			lines[i] = fe.Chinese()
		}
		return http.StatusUnprocessableEntity, "网站生成失败，网站和稿件都保持原样。请修改：\n" + strings.Join(lines, "\n")
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("提交的内容过大（上限 %d 字节）", mb.Limit)
	}
	// The store's messages are English, for logs: the user gets Chinese.
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "找不到该稿件或页面，可能已被删除"
	case errors.Is(err, store.ErrExists):
		return http.StatusConflict, "已经有同名的记录（例如网址已被另一篇稿件使用），请换一个"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "在你编辑期间，稿件已被他人修改"
	case errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, "内容不符合要求，请检查后再提交"
	case errors.Is(err, store.ErrInvalidTransition):
		return http.StatusConflict, "稿件的状态已经变化，不能再执行这个操作，请刷新页面查看最新状态"
	case errors.Is(err, store.ErrNotEditable):
		return http.StatusConflict, "稿件当前的状态下不能修改"
	case errors.Is(err, store.ErrForbidden):
		return http.StatusForbidden, "没有权限执行此操作"
	case errors.Is(err, store.ErrAuth):
		return http.StatusUnauthorized, "用户名或密码错误"
	case errors.Is(err, store.ErrExpired):
		return http.StatusUnauthorized, "登录已过期，请重新登录"
	case errors.Is(err, store.ErrDisabled):
		return http.StatusUnauthorized, "此账号已停用，请联系管理员"
	case errors.Is(err, store.ErrLastAdmin):
		return http.StatusConflict, "至少要保留一位启用的管理员：不能停用最后一位管理员，也不能改变其角色"
	case errors.Is(err, store.ErrNotListed):
		return http.StatusBadRequest, "该单位不在单位列表中，请先请编辑在“单位”页添加"
	}
	return http.StatusInternalServerError, "服务器内部错误，请稍后再试"
}

// passwordRuleText says in Chinese why a password was refused.
func passwordRuleText(r store.PasswordRule) string {
	switch r {
	case store.PasswordTooShort:
		return fmt.Sprintf("密码太短：至少要 %d 个字符（汉字也算一个）", store.MinPasswordChars)
	case store.PasswordTooLong:
		return fmt.Sprintf("密码太长：最多 %d 字节（约 24 个汉字）", store.MaxPasswordBytes)
	case store.PasswordCommon:
		return "这是一个常见密码，很容易被猜到，请换一个"
	case store.PasswordOnlyDigits:
		return "密码不能只有数字和符号，请加入字母或汉字"
	case store.PasswordRepeats:
		return "密码不能是同一段文字的重复，请换一个"
	case store.PasswordHasName:
		return "密码不能包含用户名，请换一个"
	}
	return "密码不符合要求，请换一个"
}

// wantsJSON reports whether the client asked for JSON (API paths always
// get JSON).
func wantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// fail writes err as an HTML page or JSON by Accept, and logs server errors
// with their cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized && !wantsJSON(r) && r.Method == http.MethodGet {
		http.Redirect(w, r, "/desk/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	if wantsJSON(r) {
		body := map[string]any{"error": msg, "status": status}
		var e *Error
		if errors.As(err, &e) && e.Field != "" {
			body["field"] = e.Field
		}
		s.json(w, status, body)
		return
	}
	s.page(w, r, status, "error", &pageData{Title: "出错了", Error: msg, Status: status})
}

// json writes v as JSON with status.
func (s *Server) json(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		s.log.Error("encoding JSON", "err", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":"服务器内部错误"}` + "\n")
	}
	s.writeJSON(w, status, b)
}

// encodeJSON encodes v as the desk's JSON answers are: HTML characters
// escaped, a newline at the end.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// writeJSON writes an encoded JSON answer with status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, b []byte) {
	secure(w.Header(), cspDesk)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}
