package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestSearchCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, idx := filepath.Join(dir, "content"), filepath.Join(dir, "index")
	writeFiles(t, src, searchSite)

	// No index yet: search builds it first.
	code, stdout, stderr := runCmd(t, "search", "-source", src, "-index", idx, "长征镇")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "indexing") || !strings.Contains(stdout, "共 2 篇") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	if i, j := strings.Index(stdout, "[changzheng]"), strings.Index(stdout, "[decoy]"); i < 0 || j < i {
		t.Errorf("order:\n%s", stdout)
	}
	if !strings.Contains(stdout, "【长征镇】") {
		t.Errorf("no highlight:\n%s", stdout)
	}

	type jsonResult struct {
		Total   int  `json:"total"`
		Partial bool `json:"partial"`
		Hits    []struct {
			ID, Title, Date, Credit, Snippet string
			Score                            float64
		} `json:"hits"`
	}
	tests := []struct {
		name  string
		args  []string
		slugs []string
		part  bool
	}{
		{"full-width digits", []string{"１２３４５"}, []string{"sheshan", "changzheng"}, false}, // BM25: 12345 recurs in the Sheshan story,
		{"phrase with digits", []string{"12345热线"}, []string{"sheshan", "changzheng"}, false},
		{"credit filter", []string{"-credit", "佘山镇", "12345"}, []string{"sheshan"}, false},
		{"date filter", []string{"-from", "2025-01-01", "长征"}, []string{"changzheng"}, false},
		{"to filter", []string{"-to", "2024-12-31", "长征"}, []string{"decoy"}, false},
		{"quoted", []string{`"长征镇"`}, []string{"changzheng"}, false},
		{"one character", []string{"佘"}, []string{"sheshan"}, false},
		{"fallback", []string{"多格合一", "火星"}, []string{"changzheng"}, true},
		{"limit", []string{"-n", "1", "镇"}, []string{"changzheng"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"search", "-source", src, "-index", idx, "-json"}, tt.args...)
			code, stdout, stderr := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var r jsonResult
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			var got []string
			for _, h := range r.Hits {
				got = append(got, h.ID)
				if h.Title == "" || h.Date == "" || h.Score < 0 {
					t.Errorf("incomplete hit %+v", h)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.slugs, ",") || r.Partial != tt.part {
				t.Errorf("hits %v partial %v, want %v partial %v", got, r.Partial, tt.slugs, tt.part)
			}
		})
	}

	for _, args := range [][]string{{"search"}, {"search", "-from", "2025-1-1", "a"}, {"search", "-n", "0", "a"}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
