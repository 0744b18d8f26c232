package proc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The rule the reaper needs (Reap): in a process that reaps, nothing
// waits for a child but through the reaper. TestReaperRule checks it in
// the source of the module: every package whose main or TestMain calls
// Reap, with the non-test code of every package of the module it links,
// must not wait for a child itself.

// childWaits are the functions and methods that wait for a child, by
// their full name as go/types writes it.
var childWaits = map[string]bool{
	"(*os/exec.Cmd).Wait":           true,
	"(*os/exec.Cmd).Run":            true,
	"(*os/exec.Cmd).Output":         true,
	"(*os/exec.Cmd).CombinedOutput": true,
	"(*os.Process).Wait":            true,
	"syscall.Wait4":                 true,
	"golang.org/x/sys/unix.Wait4":   true,
	"golang.org/x/sys/unix.Waitid":  true,
}

// reaperOwn are the functions of this package that do wait for children:
// the reaper, and Run's wait where the process does not reap.
var reaperOwn = map[string]bool{"reapAll": true, "statusOf": true}

// listedPackage is what the test reads of "go list -json".
type listedPackage struct {
	ImportPath, Dir, Name, Export      string
	GoFiles, CgoFiles                  []string
	TestGoFiles, XTestGoFiles          []string
	Imports, TestImports, XTestImports []string
	ForTest                            string
	Standard                           bool
	Module                             *struct{ Main bool }
}

func TestReaperRule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool to list the module's packages")
	}
	var gomod bytes.Buffer
	cmd := exec.Command("go", "env", "GOMOD")
	cmd.Stdout = &gomod
	if err := Run(t.Context(), cmd); err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	modRoot := filepath.Dir(strings.TrimSpace(gomod.String()))
	pkgs := goList(t, modRoot, true, "./...")
	mod := map[string]*listedPackage{}
	for _, p := range pkgs {
		mod[p.ImportPath] = p
	}
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	parse := func(p *listedPackage, names []string) []*ast.File {
		var out []*ast.File
		for _, n := range names {
			path := filepath.Join(p.Dir, n)
			f, ok := parsed[path]
			if !ok {
				var err error
				if f, err = parser.ParseFile(fset, path, nil, parser.SkipObjectResolution); err != nil {
					t.Fatal(err)
				}
				parsed[path] = f
			}
			out = append(out, f)
		}
		return out
	}
	thisPkg := mod[reaperPkgPath(t, pkgs)]

	// The roots: main packages and test binaries that reap.
	type root struct {
		pkg  *listedPackage
		test bool
	}
	var roots []root
	for _, p := range pkgs {
		if p.Name == "main" && callsReap(parse(p, p.GoFiles), "main", thisPkg.ImportPath, p == thisPkg) {
			roots = append(roots, root{p, false})
		}
		tests := parse(p, append(slices.Clone(p.TestGoFiles), p.XTestGoFiles...))
		if callsReap(tests, "TestMain", thisPkg.ImportPath, p == thisPkg) {
			roots = append(roots, root{p, true})
		}
	}
	if len(roots) == 0 {
		t.Fatal("no main or TestMain in the module calls proc.Reap: labrun's main must")
	}

	// What each root links of the module, and the export data of the rest.
	var rootPaths []string
	checkAsDep := map[string]string{} // package -> a root that links it
	for _, r := range roots {
		rootPaths = append(rootPaths, r.pkg.ImportPath)
		imports := slices.Clone(r.pkg.Imports)
		if r.test {
			imports = append(append(imports, r.pkg.TestImports...), r.pkg.XTestImports...)
		}
		for _, dep := range moduleClosure(mod, imports) {
			if _, ok := checkAsDep[dep]; !ok && dep != r.pkg.ImportPath {
				checkAsDep[dep] = r.pkg.ImportPath
			}
		}
	}
	checker := &ruleChecker{fset: fset, own: map[string]*types.Package{}, this: thisPkg.ImportPath}
	checker.gc = exportImporter(t, fset, modRoot, append([]string{"-test"}, rootPaths...)...)

	for _, r := range roots {
		why := r.pkg.ImportPath + "'s main calls proc.Reap"
		files := parse(r.pkg, append(slices.Clone(r.pkg.GoFiles), r.pkg.CgoFiles...))
		if r.test {
			why = r.pkg.ImportPath + "'s TestMain calls proc.Reap"
			files = append(files, parse(r.pkg, r.pkg.TestGoFiles)...)
		}
		tp := checker.report(t, r.pkg.ImportPath, files, why)
		if r.test && len(r.pkg.XTestGoFiles) > 0 {
			checker.own[r.pkg.ImportPath] = tp
			checker.report(t, r.pkg.ImportPath+"_test", parse(r.pkg, r.pkg.XTestGoFiles), why)
			delete(checker.own, r.pkg.ImportPath)
		}
	}
	for _, r := range roots {
		if r.test {
			delete(checkAsDep, r.pkg.ImportPath) // checked whole, as a root
		}
	}
	deps := slices.Sorted(maps.Keys(checkAsDep))
	t.Logf("reaping: %s; linked by them: %s", strings.Join(rootPaths, ", "), strings.Join(deps, ", "))
	for _, dep := range deps {
		by := checkAsDep[dep]
		p := mod[dep]
		checker.report(t, dep, parse(p, append(slices.Clone(p.GoFiles), p.CgoFiles...)), by+" reaps and links "+dep)
	}
}

// exportImporter is a gc importer of the export data "go list -export
// -deps" gives for args in dir, run through Run (the reaper's way to wait).
func exportImporter(t *testing.T, fset *token.FileSet, dir string, args ...string) types.Importer {
	t.Helper()
	exports := map[string]string{}
	for _, p := range goList(t, dir, false, append([]string{"-export", "-deps"}, args...)...) {
		if p.ForTest == "" && p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if f, ok := exports[path]; ok {
			return os.Open(f)
		}
		return nil, fmt.Errorf("no export data for %s", path)
	})
}

// goList runs "go list -e -json" with args in the module's root dir, and
// returns the packages it lists (with mainOnly, those of the module).
func goList(t *testing.T, dir string, mainOnly bool, args ...string) []*listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-json=ImportPath,Dir,Name,Export,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Imports,TestImports,XTestImports,ForTest,Standard,Module"}, args...)...)
	cmd.Dir = dir
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := Run(t.Context(), cmd); err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []*listedPackage
	dec := json.NewDecoder(&out)
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if !mainOnly || p.Module != nil && p.Module.Main {
			pkgs = append(pkgs, &p)
		}
	}
	return pkgs
}

// reaperPkgPath is the import path of this package.
func reaperPkgPath(t *testing.T, pkgs []*listedPackage) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if p.Dir == wd {
			return p.ImportPath
		}
	}
	t.Fatalf("go list does not list %s", wd)
	return ""
}

// callsReap reports whether the function fn of files calls Reap of the
// package at procPath directly in its body (in a function literal it
// would run in a child, as testscript's commands do).
func callsReap(files []*ast.File, fn, procPath string, inProc bool) bool {
	for _, f := range files {
		name := ""
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == procPath {
				name = "proc"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != fn || fd.Body == nil {
				continue
			}
			for _, st := range fd.Body.List {
				es, ok := st.(*ast.ExprStmt)
				if !ok {
					continue
				}
				call, ok := es.X.(*ast.CallExpr)
				if !ok {
					continue
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					if inProc && f.Name == "Reap" {
						return true
					}
				case *ast.SelectorExpr:
					if x, ok := f.X.(*ast.Ident); ok && name != "" && x.Name == name && f.Sel.Name == "Reap" {
						return true
					}
				}
			}
		}
	}
	return false
}

// moduleClosure lists the module's packages that imports reach.
func moduleClosure(mod map[string]*listedPackage, imports []string) []string {
	seen := map[string]bool{}
	var out []string
	todo := slices.Clone(imports)
	for len(todo) > 0 {
		path := todo[0]
		todo = todo[1:]
		p, ok := mod[path]
		if !ok || seen[path] {
			continue
		}
		seen[path] = true
		out = append(out, path)
		todo = append(todo, p.Imports...)
	}
	return out
}

// ruleChecker type-checks packages and reports every use of a function
// that waits for a child.
type ruleChecker struct {
	fset *token.FileSet
	gc   types.Importer
	own  map[string]*types.Package // checked here, for an x_test package
	this string                    // this package, whose reaper and Run may wait
}

func (c *ruleChecker) Import(path string) (*types.Package, error) {
	if p, ok := c.own[path]; ok {
		return p, nil
	}
	return c.gc.Import(path)
}

// report checks files as the package path and fails t on each wait for
// a child in them; why says why the package must not wait.
func (c *ruleChecker) report(t *testing.T, path string, files []*ast.File, why string) *types.Package {
	t.Helper()
	pkg, found, err := c.check(path, files, why)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
	return pkg
}

// check type-checks files as the package path and returns each wait for
// a child in them, worded for a person; why says why the package must not
// wait.
func (c *ruleChecker) check(path string, files []*ast.File, why string) (*types.Package, []string, error) {
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: c, FakeImportC: true}
	pkg, err := conf.Check(path, c.fset, files, info)
	if err != nil {
		return nil, nil, fmt.Errorf("type-check %s: %w", path, err)
	}
	var found []string
	for _, f := range files {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			se, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			var obj types.Object
			if sel, ok := info.Selections[se]; ok {
				obj = sel.Obj()
			} else {
				obj = info.Uses[se.Sel]
			}
			fn, ok := obj.(*types.Func)
			if !ok || !childWaits[fn.FullName()] {
				return true
			}
			if path == c.this && !strings.HasSuffix(c.fset.Position(f.Pos()).Filename, "_test.go") && reaperOwn[enclosingFunc(stack)] {
				return true
			}
			found = append(found, fmt.Sprintf("%s: %s waits for a child in a process that reaps (%s): run it with proc.Run",
				c.fset.Position(se.Sel.Pos()), fn.FullName(), why))
			return true
		})
	}
	return pkg, found, nil
}

// enclosingFunc names the function declaration stack is inside.
func enclosingFunc(stack []ast.Node) string {
	for i := len(stack) - 1; i >= 0; i-- {
		if fd, ok := stack[i].(*ast.FuncDecl); ok {
			return fd.Name.Name
		}
	}
	return ""
}

// TestReaperRuleFinds: the checker finds each way of waiting for a child
// (a call, a method value, a method of an embedded exec.Cmd, a process's
// Wait, wait4), and leaves alone what only looks alike (a WaitGroup's
// Wait, testing.M's Run).
func TestReaperRuleFinds(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool for the standard library's export data")
	}
	const src = `package p

import (
	"os/exec"
	"sync"
	"syscall"
	"testing"
)

type job struct{ *exec.Cmd }

func f(m *testing.M, wg *sync.WaitGroup) {
	cmd := exec.Command("true")
	cmd.Output()
	wait := cmd.Wait
	_ = wait
	job{cmd}.CombinedOutput()
	cmd.Process.Wait()
	var ws syscall.WaitStatus
	syscall.Wait4(-1, &ws, 0, nil)
	wg.Wait()
	m.Run()
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Not importer.Default(): it runs "go list" through os/exec, whose wait
	// races with the reaper this test binary runs (TestMain) and lost a
	// child to it ("waitid: no child processes").
	c := &ruleChecker{fset: fset, gc: exportImporter(t, fset, ".", "os/exec", "sync", "syscall", "testing"), this: "nothing"}
	_, found, err := c.check("p", []*ast.File{f}, "a test")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"14:6: (*os/exec.Cmd).Output", "15:14: (*os/exec.Cmd).Wait", "17:11: (*os/exec.Cmd).CombinedOutput",
		"18:14: (*os.Process).Wait", "20:10: syscall.Wait4"}
	if len(found) != len(want) {
		t.Fatalf("found %d waits, want %d:\n%s", len(found), len(want), strings.Join(found, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(found[i], "p.go:"+w+" waits for a child") {
			t.Errorf("finding %d: %s\nwant p.go:%s", i, found[i], w)
		}
	}
}
