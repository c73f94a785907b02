package server

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/banmian/banmian/internal/store"
)

// englishAllowed are the technical names a desk user may see: file
// formats, units, the API's own words and a pinyin example ID (rongyu).
var englishAllowed = map[string]bool{
	"JPEG": true, "PNG": true, "WebP": true, "UTF": true, "MB": true, "KB": true, "API": true, "JSON": true,
	"CSRF": true, "PDF": true, "Chromium": true, "YYYY": true, "MM": true, "DD": true, "HH": true, "slug": true,
	"content": true, "md": true, "markdown": true, "txt": true, "Authorization": true, "Bearer": true,
	"token": true, "rongyu": true,
	// Key names, and JSON field names in API-only messages.
	"Alt": true, "Tab": true,
	"disabled": true, "role": true, "office": true, "password": true, "application": true, "json": true, "text": true, "Word": true, "WPS": true,
}

var englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)

// english returns the English words of s that are not allowed.
func english(s string) []string {
	var out []string
	for _, w := range englishWord.FindAllString(s, -1) {
		if !englishAllowed[w] {
			out = append(out, w)
		}
	}
	return out
}

var (
	tmplAction  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	codeSpan    = regexp.MustCompile(`(?s)<code>.*?</code>`)
	userAttr    = regexp.MustCompile(`(?:title|placeholder|aria-label|alt|data-confirm|label)="([^"]*)"`)
)

// TestNoEnglishInDeskTemplates scans every desk template: its text and
// the attributes a user reads (title, placeholder, aria-label, alt, the
// confirmation questions) must be Chinese.
func TestNoEnglishInDeskTemplates(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, n := range names {
		src, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		s := tmplAction.ReplaceAllString(string(src), " ")
		s = htmlComment.ReplaceAllString(s, " ")
		s = codeSpan.ReplaceAllString(s, " ")
		var shown []string
		for _, m := range userAttr.FindAllStringSubmatch(s, -1) {
			shown = append(shown, m[1])
		}
		shown = append(shown, htmlTag.ReplaceAllString(s, "\n"))
		for _, text := range shown {
			for _, line := range strings.Split(text, "\n") {
				line = strings.ReplaceAll(line, "&amp;", "&")
				if w := english(line); len(w) > 0 {
					t.Errorf("%s: English %q in %q", n, w, strings.TrimSpace(line))
				}
			}
		}
	}
}

var jsLiteral = regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"`)
var cjk = regexp.MustCompile(`\p{Han}`)

// TestNoEnglishInDeskScript: every string of desk.js that a user reads
// (those with Chinese in them) has no English.
func TestNoEnglishInDeskScript(t *testing.T) {
	t.Parallel()
	src, err := fs.ReadFile(staticFS, "static/desk.js")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range jsLiteral.FindAllStringSubmatch(string(src), -1) {
		if !cjk.MatchString(m[1]) {
			continue
		}
		n++
		if w := english(m[1]); len(w) > 0 {
			t.Errorf("desk.js: English %q in %q", w, m[1])
		}
	}
	if n < 20 {
		t.Errorf("only %d user-facing strings found in desk.js: is the scan broken?", n)
	}
}

// TestNoEnglishInErrors scans the server's sources for the messages of
// its errors (errorf formats, Error{Message: …} literals and msg
// constants) and checks the message of every store error as the desk
// shows it, with the store's English context wrapped around it.
func TestNoEnglishInErrors(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	check := func(pos token.Pos, lit *ast.BasicLit) {
		if lit == nil || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return
		}
		checked++
		if w := english(s); len(w) > 0 {
			t.Errorf("%s: English %q in the user message %q", fset.Position(pos), w, s)
		}
		if strings.Contains(s, "%v") || strings.Contains(s, "%w") {
			t.Errorf("%s: %q formats a value that may be a Go error", fset.Position(pos), s)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "errorf" && len(n.Args) > 1 {
					lit, _ := n.Args[1].(*ast.BasicLit)
					check(n.Pos(), lit)
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Message" {
					switch v := n.Value.(type) {
					case *ast.BasicLit:
						check(n.Pos(), v)
					case *ast.BinaryExpr:
						lit, _ := v.X.(*ast.BasicLit)
						check(n.Pos(), lit)
						if _, ok := v.Y.(*ast.CallExpr); ok {
							t.Errorf("%s: a message built from a call (an error's text?)", fset.Position(n.Pos()))
						}
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if strings.HasPrefix(name.Name, "msg") && i < len(n.Values) {
						lit, _ := n.Values[i].(*ast.BasicLit)
						check(n.Pos(), lit)
					}
				}
			}
			return true
		})
	}
	if checked < 30 {
		t.Errorf("only %d messages checked: is the scan broken?", checked)
	}
	for _, sentinel := range []error{store.ErrNotFound, store.ErrExists, store.ErrConflict, store.ErrInvalid,
		store.ErrInvalidTransition, store.ErrNotEditable, store.ErrForbidden, store.ErrAuth, store.ErrExpired,
		errors.New("disk on fire")} {
		wrapped := fmt.Errorf("submission 01a22 needs a title and a body before it is submitted: %w", sentinel)
		_, msg := statusOf(wrapped)
		if englishWord.MatchString(msg) || !cjk.MatchString(msg) {
			t.Errorf("statusOf(%v) shows %q", sentinel, msg)
		}
	}
	for code, msg := range flashes {
		if w := english(msg); len(w) > 0 {
			t.Errorf("flash %s: %q", code, msg)
		}
	}
	for _, st := range store.Statuses {
		if englishWord.MatchString(st.Label()) {
			t.Errorf("status label %q", st.Label())
		}
	}
	for _, a := range []store.Action{store.ActionCreate, store.ActionSubmit, store.ActionReturn, store.ActionAccept, store.ActionReject,
		store.ActionWithdraw, store.ActionReopen, store.ActionSchedule, store.ActionUnschedule, store.ActionPublish} {
		if englishWord.MatchString(a.Label()) {
			t.Errorf("action label %q", a.Label())
		}
	}
	for _, k := range []store.NotificationKind{store.NoticeReturned, store.NoticeAccepted, store.NoticeRejected,
		store.NoticePublished, store.NoticeSubmitted, store.NoticeResubmitted} {
		if englishWord.MatchString(k.Label()) {
			t.Errorf("notification label %q", k.Label())
		}
	}
}
