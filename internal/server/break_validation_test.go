package server

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/banmian/banmian/internal/store"
)

// Break 5: an edition with a bad box type saved fine and failed at publish
// with a bare 500. It is now refused when saved, naming the field.
func TestEditionSaveValidatesBoxes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "垃圾分类新风尚", "正文。", store.StatusAccepted)
	for _, c := range []struct{ box, field string }{
		{`{"id":"rongyu","type":"evil/../../x","title":"荣誉榜"}`, "items[1].box.type"},
		{`{"id":"../x","title":"荣誉榜"}`, "items[1].box.id"},
		{`{"id":"rongyu","title":"荣誉榜","rows":[{"company":" ","product":"水壶","award":"优秀"}]}`, "items[1].box.rows[0].company"},
	} {
		resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
			`{"page":12,"items":[{"submission":"`+id+`"},{"box":`+c.box+`}]}`)
		var out struct{ Error, Field string }
		json.Unmarshal([]byte(body), &out)
		if resp.StatusCode != 400 || out.Field != c.field || !hasHan(out.Error) {
			t.Errorf("box %s: %d %s, want 400 with field %s", c.box, resp.StatusCode, body, c.field)
		}
	}
	if _, err := e.st.Edition("2025-06-24"); err == nil {
		t.Error("a refused edition was stored")
	}
}

// A build failure during publish (here an edition file in content/ that
// names a missing story) is shown as the file, line and reason in
// Chinese, not as 服务器内部错误.
func TestPublishShowsBuildFailureInChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.mustSubmission("changzheng", "长征镇", "垃圾分类新风尚", "正文。", store.StatusAccepted)
	if resp, body := e.api("editor", "PUT", "/api/editions/2025-06-24", "application/json",
		`{"page":12,"items":[{"submission":"`+id+`"}]}`); resp.StatusCode != 200 {
		t.Fatalf("put edition: %d %s", resp.StatusCode, body)
	}
	writeFile(t, filepath.Join(e.source, "editions", "2025-06-01.yaml"), "date: 2025-06-01\npage: 12\nitems:\n  - story: ghost\n")
	before := treeHash(t, e.out)
	resp, body := e.api("editor", "POST", "/api/editions/2025-06-24/publish", "", "")
	var out struct{ Error string }
	json.Unmarshal([]byte(body), &out)
	if resp.StatusCode != 422 {
		t.Errorf("publish with broken content: %d %s, want 422", resp.StatusCode, body)
	}
	for _, want := range []string{"editions/2025-06-01.yaml", "第 4 行", "稿件“ghost”不存在"} {
		if !strings.Contains(out.Error, want) {
			t.Errorf("message %q does not say %q", out.Error, want)
		}
	}
	if strings.Contains(out.Error, "which does not exist") || strings.Contains(out.Error, "服务器内部错误") {
		t.Errorf("message is not the Chinese reason: %q", out.Error)
	}
	if treeHash(t, e.out) != before {
		t.Error("public/ changed")
	}
	if sub, _ := e.st.Submission(id); sub.Status == store.StatusPublished {
		t.Error("story marked published")
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
