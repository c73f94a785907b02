package searchhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/static"
)

// Searcher runs queries: *search.Index does, and so does a static index
// (static.Searcher).
type Searcher interface {
	Search(ctx context.Context, q search.Query) (*search.Result, error)
}

var _ Searcher = (*search.Index)(nil)

// HandlerOptions tune NewHandler.
type HandlerOptions struct {
	Title      string // site title on the page (default 多维世界)
	Home       string // home page URL (default /)
	Stylesheet string // optional stylesheet URL for the page
	// Header and Footer, if set, are the site's own header and footer
	// (trusted HTML from its theme), shown around the page.
	Header, Footer template.HTML
	Logger         *slog.Logger // search failures are logged here (default slog.Default())
}

// NewHandler returns the search handler: GET /search renders the reader
// page with results (no script needed), GET /api/search answers JSON
// (Result, or {"error": "..."} with status 400 for bad parameters and 500
// when the index fails). Parameters: q, credit, tag, from and to
// (YYYY-MM-DD), sort ("" or newest), offset, limit (JSON only; at most
// MaxLimit). Mount it at the root of a mux: mux.Handle("/search", h) and
// mux.Handle("/api/search", h).
func NewHandler(s Searcher, opt HandlerOptions) http.Handler {
	if opt.Title == "" {
		opt.Title = "多维世界"
	}
	if opt.Home == "" {
		opt.Home = "/"
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &handler{s: s, opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /search", h.page)
	mux.HandleFunc("GET /api/search", h.api)
	return mux
}

type handler struct {
	s   Searcher
	opt HandlerOptions
}

// paramError is a bad request parameter.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

// parseParams reads a Query from URL parameters.
func parseParams(r *http.Request) (search.Query, error) {
	v := r.URL.Query()
	q := search.Query{Text: strings.TrimSpace(v.Get("q")), Credit: strings.TrimSpace(v.Get("credit")), Tag: strings.TrimSpace(v.Get("tag"))}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return q, &paramError{fmt.Sprintf("%s: 日期格式应为 YYYY-MM-DD，收到 %q", p.name, s)}
			}
			*p.to = t
		}
	}
	switch s := v.Get("sort"); s {
	case "", "relevance":
	case "newest":
		q.Sort = search.SortNewest
	default:
		return q, &paramError{fmt.Sprintf("sort: 应为 relevance 或 newest，收到 %q", s)}
	}
	for _, p := range []struct {
		name string
		to   *int
	}{{"offset", &q.Offset}, {"limit", &q.Limit}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return q, &paramError{fmt.Sprintf("%s: 应为非负整数，收到 %q", p.name, s)}
			}
			*p.to = n
		}
	}
	if len(q.Text) > 400 {
		return q, &paramError{"q: 关键词过长"}
	}
	return q, nil
}

func setHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
}

func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	q, err := parseParams(r)
	var res *search.Result
	if err == nil {
		res, err = h.s.Search(r.Context(), q)
	}
	setHeaders(w, "application/json; charset=utf-8")
	if err != nil {
		status := h.status(r, err)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": userMessage(err, status)})
		return
	}
	_ = json.NewEncoder(w).Encode(res)
}

func (h *handler) status(r *http.Request, err error) int {
	var pe *paramError
	if errors.As(err, &pe) {
		return http.StatusBadRequest
	}
	h.opt.Logger.Error("search failed", "url", r.URL.String(), "err", err)
	return http.StatusInternalServerError
}

func userMessage(err error, status int) string {
	if status == http.StatusBadRequest {
		return err.Error()
	}
	return "搜索暂时不可用，请稍后再试。"
}

// resultsTemplate renders results as search.js's resultsHTML does.
var resultsTemplate = template.Must(template.New("results").Funcs(template.FuncMap{
	"chineseDate": chineseDate,
	// creditEnd is what the house credit line adds to a credit (" 供稿").
	"creditEnd": func(c string) string { return strings.TrimPrefix(content.CreditLine(c), c) },
	"quoteTerms": func(ts []string) string {
		q := make([]string, len(ts))
		for i, t := range ts {
			q[i] = "“" + t + "”"
		}
		return strings.Join(q, "、")
	},
}).Parse(`
{{- if .Err}}<p role="alert">{{.Err}}</p>
{{- else if .Res}}<h2 id="results-heading" tabindex="-1">共找到 {{.Res.Total}} 篇报道</h2>
{{- if .Res.Partial}}<p class="partial">没有同时包含全部关键词的报道，部分结果不含{{quoteTerms .Res.Missing}}。</p>{{end}}
{{- if or .Res.Facets.Credit .Res.Facets.Year}}<p class="facets">{{range .Res.Facets.Credit}}{{.Value}}（{{.Count}}） {{end}}{{range .Res.Facets.Year}}{{.Value}}年（{{.Count}}） {{end}}</p>{{end -}}
<ol>
{{- range .Res.Hits}}<li class="hit">
{{- if .KickerHTML}}<p class="kicker">{{.KickerHTML}}</p>{{end -}}
<h3><a href="{{.URL}}">{{.TitleHTML}}</a></h3>
{{- if .SubtitleHTML}}<p class="subtitle">{{.SubtitleHTML}}</p>{{end -}}
<p class="meta"><time datetime="{{.Date}}">{{chineseDate .Date}}</time>{{if .CreditHTML}} · {{.CreditHTML}}{{creditEnd .Credit}}{{end}}</p><p>{{.Snippet}}</p>
{{- if .Missing}}<p class="missing">不含：{{quoteTerms .Missing}}</p>{{end -}}
</li>
{{- end}}</ol>
{{- if or .Prev .Next}}<nav aria-label="分页">{{if .Prev}}<a href="{{.Prev}}">上一页</a> {{end}}{{if .Next}}<a href="{{.Next}}">下一页</a>{{end}}</nav>{{end}}
{{- end}}`))

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	q, err := parseParams(r)
	q.Limit = search.DefaultLimit
	var res *search.Result
	status := http.StatusOK
	empty := q.Text == "" && q.Credit == "" && q.Tag == "" && q.From.IsZero() && q.To.IsZero()
	if err == nil && !empty {
		res, err = h.s.Search(r.Context(), q)
	}
	data := struct {
		Res        *search.Result
		Err        string
		Prev, Next string
	}{Res: res}
	if err != nil {
		status = h.status(r, err)
		data.Err = userMessage(err, status)
	}
	link := func(offset int) string {
		v := r.URL.Query()
		v.Del("limit")
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		} else {
			v.Del("offset")
		}
		return "/search?" + v.Encode()
	}
	if res != nil {
		if res.Offset > 0 {
			data.Prev = link(max(0, res.Offset-res.Limit))
		}
		if res.Offset+res.Limit < res.Total {
			data.Next = link(res.Offset + res.Limit)
		}
	}
	var results bytes.Buffer
	if err := resultsTemplate.Execute(&results, data); err != nil {
		h.opt.Logger.Error("rendering search results", "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	v := r.URL.Query()
	pd := static.PageData{
		Title: h.opt.Title, Home: h.opt.Home, Stylesheet: h.opt.Stylesheet, Header: h.opt.Header, Footer: h.opt.Footer,
		Action: "/search", API: "/api/search",
		Query: q.Text, Credit: q.Credit, From: v.Get("from"), To: v.Get("to"), Sort: string(q.Sort),
		Results: template.HTML(results.String()),
	}
	out, err := static.RenderPage(pd)
	if err != nil {
		h.opt.Logger.Error("rendering search page", "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	setHeaders(w, "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// chineseDate formats a YYYY-MM-DD date as the site does (the house
// rule, content.ChineseDate): 2025年5月22日.
func chineseDate(ymd string) string {
	t, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	return content.ChineseDate(t)
}
