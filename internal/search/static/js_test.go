package static

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/search"
	"github.com/banmian/banmian/internal/search/searchtest"
)

// nodeHarness runs search.js under Node on a static index directory: it
// reads queries (JSON lines) from stdin and prints one result per line.
const nodeHarness = `
const fs = require("fs"), path = require("path");
const s = require(process.argv[2]);
const dir = process.argv[3];
const queries = fs.readFileSync(0, "utf8").split("\n").filter(Boolean).map(JSON.parse);
let bytes = 0;
s.openStatic((name, from, to) => {
  let b = new Uint8Array(fs.readFileSync(path.join(dir, name)));
  if (from !== undefined) b = b.subarray(from, to);
  bytes += b.length;
  return Promise.resolve(b);
})
  .then(async ix => {
    for (const q of queries) console.log(JSON.stringify(await ix.search(q)));
  })
  .catch(e => { console.error(e); process.exit(1); });
`

// jsQuery is a Query as search.js takes it.
func jsQuery(q search.Query) map[string]any {
	m := map[string]any{"text": q.Text, "credit": q.Credit, "tag": q.Tag, "sort": string(q.Sort), "offset": q.Offset, "limit": q.Limit}
	if !q.From.IsZero() {
		m["from"] = q.From.Format("2006-01-02")
	}
	if !q.To.IsZero() {
		m["to"] = q.To.Format("2006-01-02")
	}
	return m
}

// runNode runs queries through search.js on the index in dir.
func runNode(t *testing.T, dir string, qs []search.Query) []*search.Result {
	t.Helper()
	res := runNodeOrNil(t, dir, qs)
	if res == nil {
		t.Skip("node is not installed: the browser script is not tested")
	}
	return res
}

// runNodeOrNil is runNode, returning nil when node is not installed
// (unless BANMIAN_REQUIRE_BROWSER=1), for tests that check more.
func runNodeOrNil(t *testing.T, dir string, qs []search.Query) []*search.Result {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("BANMIAN_REQUIRE_BROWSER") == "1" {
			t.Fatal("node is required to test the browser search script (apt-get install nodejs)")
		}
		return nil
	}
	h := filepath.Join(t.TempDir(), "harness.js")
	if err := os.WriteFile(h, []byte(nodeHarness), 0o644); err != nil {
		t.Fatal(err)
	}
	var in bytes.Buffer
	for _, q := range qs {
		b, _ := json.Marshal(jsQuery(q))
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command(node, h, filepath.Join(dir, "search.js"), dir)
	cmd.Stdin = &in
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, errb.String())
	}
	var res []*search.Result
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r search.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		res = append(res, &r)
	}
	if len(res) != len(qs) {
		t.Fatalf("node printed %d results for %d queries", len(res), len(qs))
	}
	return res
}

// TestScriptAgreesWithStaticIndex: search.js, run by Node on the emitted
// index, returns exactly what StaticIndex.Search (and so the server)
// returns on the golden set.
func TestScriptAgreesWithStaticIndex(t *testing.T) {
	docs := searchtest.GoldenDocs(t)
	dir, s := mustWriteStatic(t, docs)
	var qs []search.Query
	for _, c := range searchtest.GoldenCases {
		qs = append(qs, c.Q)
	}
	qs = append(qs, search.Query{Text: "长征镇 长征镇"}, search.Query{Text: "「佘山」"}, search.Query{Text: "ＡＢ角"}, search.Query{Text: "居民 社区 网格", Sort: search.SortNewest, Offset: 3}, search.Query{Text: "普陀区 长征镇"})
	got := runNode(t, dir, qs)
	for i, q := range qs {
		want, err := s.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := searchtest.JSONOf(t, got[i]), searchtest.JSONOf(t, want); g != w {
			t.Errorf("query %+v:\nsearch.js:\n%s\nGo:\n%s", q, g, w)
		}
		// The partial flag, checked on the script's own output.
		switch q.Text {
		case "xyz长征镇":
			if !got[i].Partial || len(got[i].Missing) != 1 || got[i].Missing[0] != "xyz" || got[i].Total == 0 {
				t.Errorf("search.js %q: partial %v, missing %q, total %d", q.Text, got[i].Partial, got[i].Missing, got[i].Total)
			}
		case "changzheng":
			// Pinyin matches are highlighted by the script itself.
			for _, h := range got[i].Hits {
				if h.ID == searchtest.SlugChangzheng && !strings.Contains(string(h.KickerHTML), "<mark>长征</mark>镇") {
					t.Errorf("search.js %q: kicker %s", q.Text, h.KickerHTML)
				}
			}
		case "长征镇 居民", "火星 木星":
			if got[i].Partial {
				t.Errorf("search.js %q: partial", q.Text)
			}
		}
	}
}
