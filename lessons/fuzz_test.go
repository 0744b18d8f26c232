package lessons_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/labrun/labrun/lessons"
)

// fuzzSeeds are small lessons and transcripts covering every construct.
var fuzzSeeds = []string{
	"",
	"# t\n\n```python\nprint(1)\n```\n",
	"```python\n%%cpp a.c\n%run gcc a.c -o a && ./a\n%// note\n%MD **x**\nint main(){}\n```",
	"```cpp\n%%cpp a.c --ejudge-style --under-spoiler-threshold 3\nint x;  \n```\n",
	"```\n%%makefile\nall:\n    echo\n```\n~~~bash\n%%bash\necho\n~~~\n",
	"```python\n%%writefile w.txt\nx\n```\n\n```python\n%%sql\nSELECT\n```\n",
	"```python\n!ls {x} $y\nx = !ls\n%p x  # c\n%MD t\n%bash_async sleep 1\na = TInteractiveLauncher('cat')\n```\n",
	"```cpp file=a.c run=\"gcc a.c\" timeout=2s\nint main(){}\n```\n```sh run=ls\n```\n",
	"<!-- labrun timeout=30s -->\n\n```python\n# look at tools/set_up_magics.ipynb\nget_ipython().run_cell('x')\nNone\n```\n",
	"- item\n\n  ```python\n  x = 1\n  ```\n> ```python\n> y\n> ```\n",
	"````python\n```\n````\n```python\r\nx\r\n```\r\n",
	"```python\nx\n```\n<!-- labrun:out cell=0 -->\n\n    1\n\n<!-- labrun:end -->\n",
	"```python\nx\n```\n<!-- labrun:out cell=0 -->\n<!-- labrun:end -->",
}

// addFileSeeds adds the repository's lessons and transcripts (golden
// txtar archives, examples) when they exist.
func addFileSeeds(f *testing.F) {
	archives, _ := filepath.Glob("../testdata/*/*.txtar")
	for _, a := range archives {
		for name, data := range readTxtar(f, a) {
			if strings.HasSuffix(name, ".md") {
				f.Add(data)
			}
		}
	}
	examples, _ := filepath.Glob("../examples/*/*.md")
	for _, e := range examples {
		if b, err := os.ReadFile(e); err == nil {
			f.Add(b)
		}
	}
}

// FuzzParse: Parse never panics; what it accepts has sound positions.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	addFileSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		l, err := lessons.Parse("f.md", src)
		if err != nil {
			if l != nil {
				t.Fatalf("a lesson and an error")
			}
			if !strings.HasPrefix(err.Error(), "f.md") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		prevEnd := 0
		for i, c := range l.Cells {
			if c.Index != i {
				t.Fatalf("cell %d has Index %d", i, c.Index)
			}
			if !(1 <= c.Line && c.Line < c.EndLine) {
				t.Fatalf("cell %d: Line %d EndLine %d", i, c.Line, c.EndLine)
			}
			if c.EndLine > lines {
				t.Fatalf("cell %d: EndLine %d past the %d lines", i, c.EndLine, lines)
			}
			if c.Line <= prevEnd {
				t.Fatalf("cell %d at line %d overlaps the previous cell ending at %d", i, c.Line, prevEnd)
			}
			prevEnd = c.EndLine
			if (c.Kind == lessons.File || c.Kind == lessons.WriteFile) && c.MagicExit == nil && (c.File == nil ||
				c.File.Name == "" && (c.Kind == lessons.WriteFile || len(c.File.Commands) == 0)) {
				t.Fatalf("cell %d: file cell without a file (or, native, without commands)", i)
			}
			if c.File != nil {
				name := c.File.Name
				if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(filepath.Clean(name), "../") {
					t.Fatalf("cell %d: file %q outside the work dir", i, name)
				}
			}
		}
	})
}

// FuzzPythonLines: one entry a line; text lines are the ones InString
// says start inside a string; a continued line follows an escape or magic
// (or another continued line) whose line ends with a backslash, as IPython
// continues lines.
func FuzzPythonLines(f *testing.F) {
	for _, s := range []string{"!ls\nx = !ls \\\n  -l\n%p x", "s = '''\n!x\n'''", "%%bash\n% x\ny=%p 1", "!\\\\\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Split(src, "\n")
		pls := lessons.PythonLines(src)
		if len(pls) != len(lines) {
			t.Fatalf("%d entries for %d lines", len(pls), len(lines))
		}
		inString := lessons.InString(src)
		for i, pl := range pls {
			if (pl.Kind == lessons.PyText) != (inString[i] && pl.Kind != lessons.PyContinued) {
				t.Fatalf("line %d %q: kind %v, InString %v", i, lines[i], pl.Kind, inString[i])
			}
			if pl.Kind == lessons.PyContinued && (i == 0 || !strings.HasSuffix(lines[i-1], `\`) || pls[i-1].Kind == lessons.PyCode || pls[i-1].Kind == lessons.PyText) {
				t.Fatalf("line %d %q continued, after %v %q", i, lines[i], pls[i-1].Kind, lines[i-1])
			}
		}
	})
}

// readTxtar reads a txtar archive (go-internal's txtar) into its files.
func readTxtar(t testing.TB, path string) map[string][]byte {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	return files
}
