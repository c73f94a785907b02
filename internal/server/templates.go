package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/markdown"
	"github.com/banmian/banmian/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// cst is the newsroom's time zone (the house rule in content).
var cst = content.Newsroom

var funcs = template.FuncMap{
	"statusLabel": func(s store.Status) string { return s.Label() },
	"actionLabel": func(a store.Action) string { return a.Label() },
	"roleLabel":   func(r store.Role) string { return r.Label() },
	"noticeLabel": func(k store.NotificationKind) string { return k.Label() },
	// deskBody shows stored copy one paragraph per line, as it is typed.
	"deskBody": markdown.ParagraphsToLines,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
}

// pages are the desk's templates, parsed once, when a server is made:
// each page file together with layout.html. Parsing them at package
// initialisation cost every command (banmian build included) 6 ms.
var pages = sync.OnceValue(func() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/fields.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "fields" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return out
})

// staticFiles serves the desk's scripts and stylesheets: files only, never
// a directory listing (a path naming a folder is not found).
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if st, err := fs.Stat(sub, name); name == "" || strings.HasSuffix(name, "/") || err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// pageData is what every desk page gets.
type pageData struct {
	Title  string
	User   *store.User
	CSRF   string
	Error  string
	Status int
	Flash  string
	Unread int // the header's notification badge
	D      any // the page's own data
}

// page renders the named template with status; data gets the caller.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, name string, data *pageData) {
	t := pages()[name]
	if t == nil {
		s.log.Error("no template", "name", name)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("rendering page", "name", name, "err", err)
		secure(w.Header(), cspDesk)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(w, "服务器内部错误")
		return
	}
	secure(w.Header(), cspDesk)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// flashes are the messages a redirect can ask a page to show (?msg=code);
// codes, not text, so a link cannot put words in the desk's mouth.
var flashes = map[string]string{
	"saved":     "已保存",
	"created":   "稿件已创建",
	"submitted": "已投稿",
	"returned":  "已退回",
	"accepted":  "已采用",
	"rejected":  "已标记为不采用",
	"withdrawn": "已撤回",
	"reopened":  "已恢复为草稿，可以修改后重新投稿",
	"deleted":   "草稿已删除",
	"noted":     "留言已发送",
	"photo":     "照片已上传",
	"published": "版面已发布",
	"scheduled": "已设置定时发布",
	"deploying": "已开始重新部署网站",
	"corrected": "更正已发布",
	"user":      "用户已创建",

	"userchanged":   "角色和单位已保存",
	"disabled":      "账号已停用：其登录和 API 令牌立即失效",
	"enabled":       "账号已启用",
	"passwordreset": "密码已重设，该用户需用新密码重新登录",
	"revoked":       "令牌已撤销",
	"office":        "单位已添加",
	"officeremoved": "单位已删除",
	"ownpassword":   "密码已修改",
}

// render renders a page for a signed-in caller.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c *reqCtx, name, title string, d any) error {
	pd := &pageData{Title: title, D: d, Flash: flashes[r.URL.Query().Get("msg")]}
	if c != nil {
		u := c.user
		pd.User, pd.CSRF, pd.Unread = &u, c.csrf(), s.unreadCount(u)
	}
	s.page(w, r, http.StatusOK, name, pd)
	return nil
}

// renderStatus renders a page with status and an error message shown
// above the page's own content (empty for none).
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, msg, name, title string, d any) error {
	pd := &pageData{Title: title, D: d, Error: msg, Status: status}
	if msg == "" {
		pd.Flash = flashes[r.URL.Query().Get("msg")]
	}
	if c != nil {
		u := c.user
		pd.User, pd.CSRF, pd.Unread = &u, c.csrf(), s.unreadCount(u)
	}
	s.page(w, r, status, name, pd)
	return nil
}

// renderFailed shows a page again after a failed form post, with the
// status, the message on top and the page's data (the form as posted).
func (s *Server) renderFailed(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, name, title, msg string, d any) error {
	return s.renderStatus(w, r, c, status, msg, name, title, d)
}

// redirect answers a form post with a redirect (303) to target.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
