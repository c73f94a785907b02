package server

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/banmian/banmian/internal/store"
)

// listPage lists one page through the API as user and returns the IDs,
// the total, the next URL and the items as sent.
func (e *testEnv) listPage(user, query string) (ids []string, total int, next string, items []map[string]any) {
	e.t.Helper()
	resp, text := e.api(user, "GET", "/api/submissions?"+query, "", "")
	if resp.StatusCode != 200 {
		e.t.Fatalf("listing ?%s as %s: %d %s", query, user, resp.StatusCode, text)
	}
	var out struct {
		Submissions []map[string]any
		Total       *int
		Next        string
	}
	if err := json.Unmarshal([]byte(text), &out); err != nil || out.Total == nil || out.Submissions == nil {
		e.t.Fatalf("listing ?%s: %v %s", query, err, text)
	}
	ids = []string{}
	for _, s := range out.Submissions {
		ids = append(ids, s["id"].(string))
	}
	return ids, *out.Total, out.Next, out.Submissions
}

// TestAPIListPaging: GET /api/submissions pages with ?limit= and ?offset=,
// says how many there are in all and links the next page; a search keeps
// its order across pages; a submitter pages through their office's only.
func TestAPIListPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 7 {
		title := fmt.Sprintf("长征镇新闻%d", i)
		if i%2 == 0 {
			title = fmt.Sprintf("长征镇垃圾分类见成效%d", i)
		}
		e.createViaAPI("changzheng", title, fmt.Sprintf("居民积极参与垃圾分类，第%d篇。", i))
	}
	for i := range 3 {
		e.createViaAPI("hongqiao", fmt.Sprintf("虹桥镇新闻%d", i), "虹桥镇的居民也在做垃圾分类。")
	}
	all, total, next, _ := e.listPage("editor", "")
	if len(all) != 10 || total != 10 || next != "" {
		t.Fatalf("editor's list: %d of %d, next %q", len(all), total, next)
	}
	if !slices.IsSortedFunc(all, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("not newest first: %v", all)
	}
	mine, _, _, _ := e.listPage("changzheng", "")
	theirs, _, _, _ := e.listPage("hongqiao", "")
	found, _, _, _ := e.listPage("editor", "q="+url.QueryEscape("垃圾分类"))
	if len(found) != 10 {
		t.Fatalf("search found %d", len(found))
	}
	mineFound, _, _, _ := e.listPage("changzheng", "q="+url.QueryEscape("垃圾分类"))
	office := url.QueryEscape("虹桥镇")

	for _, tc := range []struct {
		name, user, query string
		want              []string
		total             int
		next              string
	}{
		{"默认一页五十条，只有一页", "editor", "", all, 10, ""},
		{"第一页三条", "editor", "limit=3", all[:3], 10, "/api/submissions?limit=3&offset=3"},
		{"第二页", "editor", "limit=3&offset=3", all[3:6], 10, "/api/submissions?limit=3&offset=6"},
		{"最后一页不足三条", "editor", "limit=3&offset=9", all[9:], 10, ""},
		{"起始位置超出总数", "editor", "limit=3&offset=20", []string{}, 10, ""},
		{"不带条数，从第八条起", "editor", "offset=7", all[7:], 10, ""},
		{"最多两百条", "editor", "limit=200", all, 10, ""},
		{"投稿人只见本单位", "changzheng", "limit=2", mine[:2], 7, "/api/submissions?limit=2&offset=2"},
		{"投稿人指定他单位也只见本单位", "hongqiao", "office=" + url.QueryEscape("长征镇") + "&limit=2&offset=2", theirs[2:], 3, ""},
		{"按单位过滤并保留在下一页链接里", "editor", "office=" + office + "&limit=2", all[:2], 3, "/api/submissions?limit=2&office=" + office + "&offset=2"},
		{"按状态过滤", "editor", "status=submitted&limit=5", []string{}, 0, ""},
		{"搜索第一页保持相关度次序", "editor", "q=" + url.QueryEscape("垃圾分类") + "&limit=4", found[:4], 10,
			"/api/submissions?limit=4&offset=4&q=" + url.QueryEscape("垃圾分类")},
		{"搜索第二页接着排", "editor", "q=" + url.QueryEscape("垃圾分类") + "&limit=4&offset=4", found[4:8], 10,
			"/api/submissions?limit=4&offset=8&q=" + url.QueryEscape("垃圾分类")},
		{"搜索最后一页", "editor", "q=" + url.QueryEscape("垃圾分类") + "&limit=4&offset=8", found[8:], 10, ""},
		{"搜索并按状态过滤", "editor", "q=" + url.QueryEscape("垃圾分类") + "&status=draft&limit=3&offset=3", found[3:6], 10,
			"/api/submissions?limit=3&offset=6&q=" + url.QueryEscape("垃圾分类") + "&status=draft"},
		{"搜索并按状态过滤，没有结果", "editor", "q=" + url.QueryEscape("垃圾分类") + "&status=submitted", []string{}, 0, ""},
		{"投稿人搜索只见本单位", "changzheng", "q=" + url.QueryEscape("垃圾分类") + "&limit=5&offset=5", mineFound[5:], 7, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, total, next, _ := e.listPage(tc.user, tc.query)
			if !slices.Equal(ids, tc.want) || total != tc.total || next != tc.next {
				t.Errorf("?%s as %s: got %v of %d, next %q; want %v of %d, next %q", tc.query, tc.user, ids, total, next, tc.want, tc.total, tc.next)
			}
		})
	}
	// The office's own stories come in the editor's relevance order.
	var wantMine []string
	for _, id := range found {
		if slices.Contains(mine, id) {
			wantMine = append(wantMine, id)
		}
	}
	if !slices.Equal(mineFound, wantMine) {
		t.Errorf("changzheng's search %v, want %v", mineFound, wantMine)
	}
	// The title-matching stories rank first, and paging kept that order.
	for _, id := range found[:4] {
		if _, _, _, items := e.listPage("editor", "q="+url.QueryEscape("垃圾分类")+"&limit=4"); !slices.ContainsFunc(items, func(m map[string]any) bool {
			return m["id"] == id && strings.Contains(m["title"].(string), "垃圾分类")
		}) {
			t.Errorf("%s on the first page of the search has no match in its title", id)
		}
	}

	// Bodies are left out of the list unless asked for.
	if _, _, _, items := e.listPage("editor", "limit=1"); items[0]["body"] != nil || items[0]["title"] == nil || items[0]["office"] == nil {
		t.Errorf("list item: %v", items[0])
	}
	if _, _, _, items := e.listPage("editor", "limit=1&body=1"); items[0]["body"] == nil {
		t.Errorf("list item with ?body=1: %v", items[0])
	}
}

// TestAPIListBadPage: a limit or offset that is not a number in range is
// refused with a Chinese message.
func TestAPIListBadPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ query, want string }{
		{"limit=0", "每页条数应为 1 到 200 之间的整数"},
		{"limit=201", "每页条数应为 1 到 200 之间的整数"},
		{"limit=-5", "每页条数应为 1 到 200 之间的整数"},
		{"limit=" + url.QueryEscape("五十"), "每页条数应为 1 到 200 之间的整数"},
		{"limit=1e3", "每页条数应为 1 到 200 之间的整数"},
		{"offset=-1", "起始位置应为不小于 0 的整数"},
		{"offset=abc&limit=10", "起始位置应为不小于 0 的整数"},
		{"q=" + url.QueryEscape("长征") + "&limit=999", "每页条数应为 1 到 200 之间的整数"},
	} {
		resp, body := e.api("editor", "GET", "/api/submissions?"+tc.query, "", "")
		var out struct{ Error string }
		json.Unmarshal([]byte(body), &out)
		if resp.StatusCode != 400 || !strings.Contains(out.Error, tc.want) {
			t.Errorf("?%s: %d %s, want 400 %q", tc.query, resp.StatusCode, body, tc.want)
		}
	}
}

var (
	rowRE   = regexp.MustCompile(`<tr><td><a href="/desk/submissions/([0-9a-f]+)"`)
	prevRE  = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="prev">上一页</a>`)
	nextRE  = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="next">下一页</a>`)
	rangeRE = regexp.MustCompile(`第 (\d+)–(\d+) 篇，共 (\d+) 篇`)
)

// TestDeskListPaging: the desk's list shows 50 a page with 上一页 and
// 下一页 links that keep the filters, and says which ones it shows.
func TestDeskListPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 120 {
		to := store.StatusSubmitted
		if i%4 == 0 {
			to = store.StatusDraft
		}
		e.mustSubmission("changzheng", "长征镇", fmt.Sprintf("长征镇新闻%d", i), "正文。", to)
	}
	e.mustSubmission("hongqiao", "虹桥镇", "虹桥镇新闻", "正文。", store.StatusSubmitted)
	c, _ := e.login("changzheng")
	type page struct {
		ids               []string
		prev, next, shown string
	}
	get := func(path string) page {
		t.Helper()
		resp, body := e.do(c, "GET", path, "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		var p page
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			p.ids = append(p.ids, m[1])
		}
		if m := prevRE.FindStringSubmatch(body); m != nil {
			p.prev = html.UnescapeString(m[1])
		}
		if m := nextRE.FindStringSubmatch(body); m != nil {
			p.next = html.UnescapeString(m[1])
		}
		if m := rangeRE.FindStringSubmatch(body); m != nil {
			p.shown = m[1] + "-" + m[2] + "/" + m[3]
		}
		if !strings.Contains(body, `<nav class="pager" aria-label="分页">`) {
			t.Errorf("%s: no pager", path)
		}
		return p
	}
	want, err := e.st.Submissions(store.SubmissionFilter{Office: "长征镇"})
	if err != nil {
		t.Fatal(err)
	}
	var wantIDs []string
	for _, s := range want {
		wantIDs = append(wantIDs, s.ID)
	}
	var seen []string
	for _, tc := range []struct {
		path, prev, next, shown string
	}{
		{"/desk/submissions", "", "/desk/submissions?offset=50", "1-50/120"},
		{"/desk/submissions?offset=50", "/desk/submissions", "/desk/submissions?offset=100", "51-100/120"},
		{"/desk/submissions?offset=100", "/desk/submissions?offset=50", "", "101-120/120"},
	} {
		p := get(tc.path)
		if p.prev != tc.prev || p.next != tc.next || p.shown != tc.shown {
			t.Errorf("%s: prev %q next %q shown %q; want %q %q %q", tc.path, p.prev, p.next, p.shown, tc.prev, tc.next, tc.shown)
		}
		seen = append(seen, p.ids...)
	}
	if !slices.Equal(seen, wantIDs) {
		t.Errorf("the three pages show %d submissions, not the office's %d newest first", len(seen), len(wantIDs))
	}
	// The filters stay in the links.
	p := get("/desk/submissions?status=submitted&offset=50")
	if p.prev != "/desk/submissions?status=submitted" || p.next != "" || p.shown != "51-90/90" {
		t.Errorf("submitted, page 2: prev %q next %q shown %q", p.prev, p.next, p.shown)
	}
	if resp, body := e.do(c, "GET", "/desk/submissions?offset=500", "", nil); resp.StatusCode != 200 || !strings.Contains(body, "没有稿件") || !strings.Contains(body, `rel="prev"`) {
		t.Errorf("offset=500: %d", resp.StatusCode)
	}
	if resp, body := e.do(c, "GET", "/desk/submissions?offset=-3", "", nil); resp.StatusCode != 400 || !strings.Contains(body, "起始位置应为不小于 0 的整数") {
		t.Errorf("offset=-3: %d", resp.StatusCode)
	}
}

// TestDeskSearchPaging: the desk's search results page too, in relevance
// order, with the query and filters in the links and a snippet on every
// page.
func TestDeskSearchPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 55 {
		e.createViaAPI("changzheng", fmt.Sprintf("垃圾分类稿件%d", i), fmt.Sprintf("居民积极参与垃圾分类，第%d篇。", i))
	}
	e.createViaAPI("hongqiao", "虹桥镇垃圾分类", "虹桥镇的居民也在做垃圾分类。")
	q := url.QueryEscape("垃圾分类")
	found, _, _, _ := e.listPage("changzheng", "q="+q+"&limit=200")
	c, _ := e.login("changzheng")
	var seen []string
	for _, tc := range []struct {
		path, prev, next, shown string
	}{
		{"/desk/submissions?q=" + q + "&status=draft", "", "/desk/submissions?offset=50&q=" + q + "&status=draft", "1-50/55"},
		{"/desk/submissions?offset=50&q=" + q + "&status=draft", "/desk/submissions?q=" + q + "&status=draft", "", "51-55/55"},
	} {
		resp, body := e.do(c, "GET", tc.path, "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", tc.path, resp.StatusCode)
		}
		var prev, next, shown string
		if m := prevRE.FindStringSubmatch(body); m != nil {
			prev = html.UnescapeString(m[1])
		}
		if m := nextRE.FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
		}
		if m := rangeRE.FindStringSubmatch(body); m != nil {
			shown = m[1] + "-" + m[2] + "/" + m[3]
		}
		if prev != tc.prev || next != tc.next || shown != tc.shown {
			t.Errorf("%s: prev %q next %q shown %q; want %q %q %q", tc.path, prev, next, shown, tc.prev, tc.next, tc.shown)
		}
		rows := rowRE.FindAllStringSubmatch(body, -1)
		for _, m := range rows {
			seen = append(seen, m[1])
		}
		if n := strings.Count(body, `class="snippet"`); n != len(rows) || !strings.Contains(body, "<mark>") {
			t.Errorf("%s: %d snippets for %d rows", tc.path, n, len(rows))
		}
	}
	if !slices.Equal(seen, found) {
		t.Errorf("the desk's pages %v, the API's order %v", seen, found)
	}
}

// TestAPIListHostileOffsets: offsets past the end, up to the largest
// integer (where offset+limit overflows), with and without a search, give
// an empty page with the true total at once: no panic, no scan of the
// integers, in the API and in the desk list.
func TestAPIListHostileOffsets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 3 {
		e.createViaAPI("changzheng", fmt.Sprintf("长征镇社区新闻第%d篇", i+1), "长征镇正文。")
	}
	editor, _ := e.login("editor")
	for _, off := range []string{"3", "1000000", "9223372036854775000", "9223372036854775807"} {
		for _, q := range []string{"", "&q=" + url.QueryEscape("长征")} {
			query := "offset=" + off + "&limit=200" + q
			done := make(chan struct{})
			go func() {
				defer close(done)
				ids, total, next, _ := e.listPage("editor", query)
				if len(ids) != 0 || total != 3 || next != "" {
					t.Errorf("?%s: %d listed, total %d, next %q; want none of 3", query, len(ids), total, next)
				}
				resp, body := e.do(editor, "GET", "/desk/submissions?offset="+off+q, "", nil)
				if resp.StatusCode != 200 {
					t.Errorf("desk list ?offset=%s%s: %d %.200s", off, q, resp.StatusCode, body)
				}
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("?%s: no answer in 10 s", query)
			}
		}
	}
}
