package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/content"
	"github.com/banmian/banmian/internal/store"
)

// fitJSON is the part of the fit report the tests read.
type fitJSON struct {
	Page struct {
		Fit     string `json:"fit"`
		Summary string `json:"summary"`
	} `json:"page"`
	Modules []struct {
		Item      string `json:"item"`
		Kind      string `json:"kind"`
		Columns   int    `json:"columns"`
		Lines     int    `json:"lines"`
		NeedLines int    `json:"needLines"`
		Fit       string `json:"fit"`
		Chars     int    `json:"chars"`
		Lead      bool   `json:"lead"`
	} `json:"modules"`
}

func TestEditionBuilderForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustSubmission("changzheng", "长征镇", "长征镇社区食堂开张", copyOf(700), store.StatusAccepted)
	b := e.mustSubmission("hongqiao", "虹桥镇", "虹桥镇老旧小区加装电梯", copyOf(1400), store.StatusAccepted)
	ec, tok := e.login("editor")

	// The previous edition's 版次 and masthead carry over to a new one.
	prev := store.Edition{Date: "2025-07-01", Page: 14, Masthead: content.Masthead{Section: "多维世界", Editor: "郭爽", Hotline: "22897276"}}
	if _, err := e.st.PutEdition(prev, "editor"); err != nil {
		t.Fatal(err)
	}
	_, page := e.do(ec, "GET", "/desk/editions/2025-07-08", "", nil)
	for _, want := range []string{`name="page" type="number" min="1" value="14"`, `name="editor" value="郭爽"`, `id="b-pool"`, `name="columns:` + a + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("new edition page lacks %s", want)
		}
	}

	v := url.Values{"csrf": {tok}, "page": {"14"}, "section": {"多维世界"},
		"place": {a, b}, "order:" + a: {"2"}, "order:" + b: {"1"}, "lead": {b},
		"columns:" + a: {"3"}, "lines:" + a: {"30"}, "locked:" + a: {"1"},
		"box_id": {""}, "box_title": {"荣誉榜"}, "box_rows": {"上海某食品有限公司\t酱油\t优质产品\n上海某乳业有限公司\t牛奶\t优质产品\n"},
		"box_order": {"3"}, "box_columns": {""}, "box_lines": {""}, "box_locked": {""},
	}

	// The fit report of the form as it stands, before saving.
	resp, body := e.do(ec, "POST", "/desk/editions/2025-07-08/fit", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), "Accept", "application/json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("fit: %d %s", resp.StatusCode, body)
	}
	var rep fitJSON
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Modules) != 3 || rep.Modules[0].Item != b || !rep.Modules[0].Lead {
		t.Fatalf("fit modules: %s", body)
	}
	for _, m := range rep.Modules {
		if m.Item == a && (m.Columns != 3 || m.Lines != 30) {
			t.Errorf("module %s is %d栏×%d行, want the 3×30 the form asks for", a, m.Columns, m.Lines)
		}
		if m.Fit == "" || m.NeedLines == 0 {
			t.Errorf("module %+v lacks its fit", m)
		}
	}
	if _, err := e.st.Edition("2025-07-08"); err == nil {
		t.Error("the fit report saved the edition")
	}

	if resp, body := e.form(ec, "/desk/editions/2025-07-08", v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	ed, err := e.st.Edition("2025-07-08")
	if err != nil {
		t.Fatal(err)
	}
	if len(ed.Items) != 3 || ed.Items[0].Submission != b || !ed.Items[0].Lead || ed.Items[1].Submission != a {
		t.Fatalf("saved items: %+v", ed.Items)
	}
	if m := ed.Items[1].Module; m == nil || *m != (content.ItemModule{Columns: 3, Lines: 30, Locked: true}) {
		t.Errorf("saved module: %+v", m)
	}
	box := ed.Items[2].Box
	if box == nil || box.ID != "rong-yu-bang-20250708" || len(box.Rows) != 2 || ed.Items[2].Module != nil {
		t.Errorf("saved box: %+v (module %+v), want a generated id and two rows", box, ed.Items[2].Module)
	}

	// A bad size comes back as a Chinese error, nothing saved.
	bad := url.Values{}
	for k, x := range v {
		bad[k] = x
	}
	bad.Set("columns:"+a, "三")
	resp, body = e.form(ec, "/desk/editions/2025-07-08", bad)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "模块栏数应为") {
		t.Errorf("bad columns: %d %s", resp.StatusCode, body)
	}
}

func TestEditionAPIModule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustSubmission("changzheng", "长征镇", "长征镇社区食堂开张", copyOf(700), store.StatusAccepted)
	body := fmt.Sprintf(`{"page":14,"items":[{"submission":%q,"lead":true,"module":{"columns":6,"lines":40,"locked":true}}]}`, a)
	resp, out := e.api("editor", "PUT", "/api/editions/2025-07-08", "application/json", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d %s", resp.StatusCode, out)
	}
	ed, err := e.st.Edition("2025-07-08")
	if err != nil {
		t.Fatal(err)
	}
	if m := ed.Items[0].Module; m == nil || *m != (content.ItemModule{Columns: 6, Lines: 40, Locked: true}) {
		t.Errorf("stored module %+v", m)
	}
	// Published, the edition file carries the module for the proof.
	files, _, _, err := e.srv.pub.EditionFiles(ed)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(files["editions/2025-07-08.yaml"])
	if !strings.Contains(yaml, "module:\n") || !strings.Contains(yaml, "columns: 6") || !strings.Contains(yaml, "locked: true") {
		t.Errorf("edition file:\n%s", yaml)
	}
	resp, out = e.api("editor", "PUT", "/api/editions/2025-07-08", "application/json",
		fmt.Sprintf(`{"items":[{"submission":%q,"module":{"columns":-1}}]}`, a))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("negative columns: %d %s", resp.StatusCode, out)
	}
}

// BenchmarkEditionFit is one live update of the builder's page: the form
// of an eight-module page posted, laid out and its fit report answered.
func BenchmarkEditionFit(b *testing.B) {
	e := newEnv(b)
	ec, tok := e.login("editor")
	v := url.Values{"csrf": {tok}, "page": {"14"}}
	for i, n := range []int{1800, 1500, 300, 600, 900, 1200, 500} {
		id := e.mustSubmission("changzheng", "长征镇", fmt.Sprintf("社区治理添新招第%d篇", i+1), copyOf(n), store.StatusAccepted)
		v.Add("place", id)
		v.Set("order:"+id, fmt.Sprint(i+1))
		if i == 0 {
			v.Set("lead", id)
		}
	}
	v.Set("box_id", "")
	v.Set("box_title", "荣誉榜")
	v.Set("box_rows", "上海某食品有限公司\t酱油\t优质产品\n上海某乳业有限公司\t牛奶\t优质产品\n")
	v.Set("box_order", "8")
	enc := v.Encode()
	for b.Loop() {
		resp, body := e.do(ec, "POST", "/desk/editions/2025-07-08/fit", "application/x-www-form-urlencoded", strings.NewReader(enc), "Accept", "application/json")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"modules"`) {
			b.Fatalf("fit: %d %s", resp.StatusCode, body)
		}
	}
}
