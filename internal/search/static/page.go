package static

import (
	"bytes"
	"fmt"
	"html/template"
)

// pageTemplate is the reader search page: a form that works without
// JavaScript against the server (GET /search?q=) and, on a static host,
// is driven by search.js. data-api tells the script where results come
// from: "static" (the files beside it) or a JSON endpoint. The static page
// loads the script in its head, so that it holds the results' space
// before the first paint (a script may not be inline: the server's CSP).
var pageTemplate = template.Must(template.New("search").Parse(`<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Query}}{{.Query}} - {{end}}搜索 - {{.Title}}</title>
<meta name="description" content="在{{.Title}}的往期稿件中全文搜索，可按供稿单位、标签和日期筛选。">
{{- if .Stylesheet}}
<link rel="stylesheet" href="{{.Stylesheet}}">
{{- end}}
{{- if and .Script (eq .API "static")}}
<script src="{{.Script}}"></script>
{{- end}}
<style>
{{- if not .Header}}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC",serif;max-width:42em;margin:0 auto;padding:1em;line-height:1.7}
{{- end}}
form{display:flex;gap:.5em;flex-wrap:wrap}
input,select,button{font-family:inherit;font-size:inherit;line-height:1.4}
input[type=search]{flex:1;min-width:12em;font-size:1.1em;padding:.3em}
mark{background:#fde68a;color:inherit}
#results-heading{font-size:1em;font-weight:normal;margin:1em 0 .5em}
#results ol{padding-left:1.5em}
.hit h3{font-size:1.15em;margin:1.2em 0 .2em}
.hit p{margin:.2em 0}
.kicker,.subtitle{color:#444}
.meta,.missing{color:#555;font-size:.9em}
.facets{font-size:.9em;color:#444}
html.searching #results{min-height:100vh}
</style>
</head>
<body>
{{- if .Header}}
<a class="skip-link" href="#main">跳到正文</a>
{{.Header}}
<main id="main" class="wrap" tabindex="-1">
{{- else}}
<header><a href="{{.Home}}">{{.Title}}</a></header>
<main id="main">
{{- end}}
<h1>搜索往期报道</h1>
<form role="search" action="{{.Action}}" method="get" id="search-form">
<label for="q">关键词</label>
<input type="search" id="q" name="q" value="{{.Query}}" placeholder="镇名、短语、热线号码……" autocomplete="off">
<label for="credit">供稿单位</label>
<input type="text" id="credit" name="credit" value="{{.Credit}}" size="8">
<label for="from">起</label><input type="date" id="from" name="from" value="{{.From}}">
<label for="to">止</label><input type="date" id="to" name="to" value="{{.To}}">
<label for="sort">排序</label>
<select id="sort" name="sort"><option value="">相关度</option><option value="newest"{{if eq .Sort "newest"}} selected{{end}}>最新</option></select>
<button type="submit">搜索</button>
</form>
<div id="results" aria-live="polite" data-api="{{.API}}">{{.Results}}
{{- if eq .API "static"}}<noscript><p>本页的搜索需要浏览器启用 JavaScript。也可以从<a href="{{.Home}}">首页</a>按日期浏览往期报道。</p></noscript>{{end}}</div>
</main>
{{- with .Footer}}
{{.}}
{{- end}}
{{- if and .Script (ne .API "static")}}
<script src="{{.Script}}" defer></script>
{{- end}}
</body>
</html>
`))

// PageData is what the reader search page shows. The static page (Write)
// sets Action "./", API "static" and Script "search.js"; a server sets the
// search URL it answers, its JSON endpoint, and the results it rendered
// itself (Query to Results).
type PageData struct {
	Title, Home, Stylesheet string
	// Header and Footer are the site's own (trusted HTML from its theme);
	// without them the page has a header of its own and basic styles.
	Header, Footer          template.HTML
	Action, API, Script     string
	Query, Credit, From, To string
	Sort                    string
	Results                 template.HTML
}

// RenderPage renders the reader search page.
func RenderPage(d PageData) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("rendering the search page: %w", err)
	}
	return b.Bytes(), nil
}

func staticPage(opt Options) ([]byte, error) {
	d := PageData{Title: opt.Title, Home: opt.Home, Stylesheet: opt.Stylesheet, Header: opt.Header, Footer: opt.Footer, Action: "./", API: "static", Script: "search.js"}
	if d.Title == "" {
		d.Title = "多维世界"
	}
	if d.Home == "" {
		d.Home = "../"
	}
	return RenderPage(d)
}
