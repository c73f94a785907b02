// Package archtest holds the test that keeps the package map honest: it
// fails when a package imports what the architecture forbids.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/banmian/banmian"

// pkg is what go list says of one package of the module.
type pkg struct {
	ImportPath string
	Imports    []string // direct, non-test
	Deps       []string // transitive, non-test
	Standard   bool
}

// listPackages runs go list over the whole module.
func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	touchSources(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the architecture test needs the go command on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-json=ImportPath,Imports,Deps,Standard", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// touchSources reads every Go file of the module, so that go test's result
// cache, which tracks the files a test opens but not those its child
// processes read, reruns this test when an import changes.
func touchSources(t *testing.T) {
	t.Helper()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// standard reports whether an import path belongs to the standard library
// (its first element has no dot).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// leaves are our packages that import only the standard library and are
// as safe to depend on as it is: any package, the domain included, may.
var leaves = map[string]bool{internalPkg("parallel"): true, internalPkg("atomicfile"): true}

func internalPkg(name string) string { return module + "/internal/" + name }

// under reports whether path is the package dir or one below it.
func under(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

// TestArchitecture enforces the package map of STYLE.md: the domain
// package depends on nothing of ours, each mandated library sits behind
// one package, and the site build and the domain services never reach the
// HTTP server.
func TestArchitecture(t *testing.T) {
	pkgs := listPackages(t)
	type rule struct {
		name string
		// broken returns the offending import of p, or "".
		broken func(p *pkg) string
	}
	firstOf := func(list []string, bad func(string) bool) string {
		for _, s := range list {
			if bad(s) {
				return s
			}
		}
		return ""
	}
	onlyIn := func(lib string, owners ...string) func(p *pkg) string {
		return func(p *pkg) string {
			for _, o := range owners {
				if under(p.ImportPath, internalPkg(o)) {
					return ""
				}
			}
			return firstOf(p.Imports, func(s string) bool { return under(s, lib) })
		}
	}
	forPkg := func(dir string, check func(p *pkg) string) func(p *pkg) string {
		return func(p *pkg) string {
			if !under(p.ImportPath, internalPkg(dir)) {
				return ""
			}
			return check(p)
		}
	}
	rules := []rule{
		{"internal/content imports nothing internal but the standard-library-only leaves", forPkg("content", func(p *pkg) string {
			return firstOf(p.Imports, func(s string) bool { return strings.HasPrefix(s, module+"/") && !leaves[s] })
		})},
		{"the leaves (parallel, atomicfile) use the standard library only", func(p *pkg) string {
			if !leaves[p.ImportPath] {
				return ""
			}
			return firstOf(p.Imports, func(s string) bool { return !standard(s) })
		}},
		{"internal/typeset uses the standard library only", forPkg("typeset", func(p *pkg) string {
			return firstOf(p.Imports, func(s string) bool { return !standard(s) })
		})},
		{"only internal/markdown imports goldmark", onlyIn("github.com/yuin/goldmark", "markdown")},
		{"only internal/store imports bbolt", onlyIn("go.etcd.io/bbolt", "store")},
		{"only internal/search (the engine) imports bleve", func(p *pkg) string {
			if p.ImportPath == internalPkg("search") {
				return ""
			}
			return firstOf(p.Imports, func(s string) bool { return under(s, "github.com/blevesearch") })
		}},
		{"of the search packages, only internal/search/searchhttp serves HTTP", forPkg("search", func(p *pkg) string {
			if p.ImportPath == internalPkg("search/searchhttp") {
				return ""
			}
			return firstOf(p.Imports, func(s string) bool { return under(s, "net/http") })
		})},
		{"the search engine knows nothing of the static index or of HTTP", forPkg("search", func(p *pkg) string {
			if p.ImportPath != internalPkg("search") {
				return ""
			}
			return firstOf(p.Deps, func(s string) bool { return under(s, internalPkg("search")+"/") })
		})},
		{"only internal/deploy imports the S3 client", onlyIn("github.com/minio/minio-go", "deploy")},
		{"the site build never imports the server", forPkg("site", func(p *pkg) string {
			return firstOf(p.Deps, func(s string) bool { return under(s, internalPkg("server")) })
		})},
		{"the store never imports net/http or the server", forPkg("store", func(p *pkg) string {
			return firstOf(p.Deps, func(s string) bool { return s == "net/http" || under(s, internalPkg("server")) })
		})},
		{"search never imports the server", forPkg("search", func(p *pkg) string {
			return firstOf(p.Deps, func(s string) bool { return under(s, internalPkg("server")) })
		})},
		{"the publish service speaks domain errors, not HTTP", forPkg("publish", func(p *pkg) string {
			if bad := firstOf(p.Imports, func(s string) bool { return s == "net/http" }); bad != "" {
				return bad
			}
			return firstOf(p.Deps, func(s string) bool { return under(s, internalPkg("server")) })
		})},
		{"no internal package imports a command", func(p *pkg) string {
			if !under(p.ImportPath, module+"/internal") {
				return ""
			}
			return firstOf(p.Imports, func(s string) bool { return under(s, module+"/cmd") })
		}},
		{"benchutil and searchtest are for tests only", func(p *pkg) string {
			return firstOf(p.Imports, func(s string) bool {
				return s == internalPkg("benchutil") || s == internalPkg("search/searchtest")
			})
		}},
		{"browsertest is for tests only", func(p *pkg) string {
			return firstOf(p.Imports, func(s string) bool { return s == internalPkg("browsertest") })
		}},
		{"only internal/chromium, internal/layout and browsertest drive Chromium", onlyIn("github.com/chromedp", "chromium", "layout", "browsertest")},
	}
	for _, r := range rules {
		for _, p := range pkgs {
			if bad := r.broken(p); bad != "" {
				t.Errorf("%s: %s imports %s", r.name, strings.TrimPrefix(p.ImportPath, module+"/"), bad)
			}
		}
	}
}
