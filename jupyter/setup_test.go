package jupyter

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
)

// TestAddSetupImportsBack: a labrun transcript exported with the
// generated set-up cell first imports as the same transcript, byte for
// byte: Import drops the cell. (A lesson with a set-up cell of its own
// gets none.)
func TestAddSetupImportsBack(t *testing.T) {
	added := 0
	for name, transcript := range goldenTranscripts(t) {
		nb, err := Export("want.md", transcript)
		if err != nil {
			t.Fatal(err)
		}
		n := len(nb.Cells)
		if AddSetup(nb, lessons.MagicsCurrent); len(nb.Cells) == n {
			continue
		}
		added++
		data, err := Marshal(nb)
		if err != nil {
			t.Fatal(err)
		}
		checkNBFormat45(t, data)
		back, err := Parse("nb.ipynb", data)
		if err != nil {
			t.Fatal(err)
		}
		if !isGenerated(back.Cells[0]) {
			t.Fatalf("%s: the first cell is not the generated set-up cell", name)
		}
		if got := Import(back, ImportOptions{}); !bytes.Equal(got, transcript) {
			t.Errorf("%s: import(export(transcript)) differs: %s", name, firstDiff(got, transcript))
		}
	}
	if added == 0 {
		t.Error("no golden lesson got a set-up cell")
	}
}

// TestAddSetupSections: the set-up cell defines what the lesson uses,
// names its magics version on its first line (which labrun reads back as
// a set-up cell's), and is not added where the course's own is.
func TestAddSetupSections(t *testing.T) {
	code := func(src string) Cell { return Cell{CellType: "code", Source: Text(src)} }
	for _, tc := range []struct {
		name      string
		cells     []Cell
		want, not []string
	}{
		{"a file cell", []Cell{code("%%cpp a.c\nint x;")}, []string{"def cpp(", "def makefile("}, []string{"def p(", "class TInteractiveLauncher", "def bash_async("}},
		{"line magics", []Cell{code("x = 1\n%p x + 1\n%MD **b**")}, []string{"def p(", "def MD("}, []string{"def cpp(", "class TInteractiveLauncher"}},
		{"the launcher", []Cell{code("a = TInteractiveLauncher('cat')"), code("%bash_async sleep 1")}, []string{"class TInteractiveLauncher", "def bash_async("}, []string{"def cpp(", "def p("}},
		{"a word in a string is no use", []Cell{code("s = '''\n%p x\n'''")}, nil, []string{"def p("}},
	} {
		for _, magics := range []string{lessons.Magics2019, lessons.MagicsCurrent} {
			nb := &Notebook{Cells: tc.cells}
			AddSetup(nb, magics)
			src := string(nb.Cells[0].Source)
			if v, ok := lessons.SetupMagics(src); !ok || v != magics {
				t.Errorf("%s: SetupMagics = %q, %v; want %q", tc.name, v, ok, magics)
			}
			for _, w := range tc.want {
				if !strings.Contains(src, w) {
					t.Errorf("%s: the set-up cell lacks %q", tc.name, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(src, n) {
					t.Errorf("%s: the set-up cell has %q", tc.name, n)
				}
			}
			if !strings.HasSuffix(src, setupEnd) {
				t.Errorf("%s: the set-up cell does not end with %s", tc.name, setupEnd)
			}
		}
	}
	for _, name := range setupOrder {
		if setupSections[name] == "" {
			t.Errorf("setup_cell.py has no section %q", name)
		}
	}
	if len(setupSections) != len(setupOrder) {
		t.Errorf("setup_cell.py has sections %d, setupOrder names %d", len(setupSections), len(setupOrder))
	}
	course := code("# look at tools/set_up_magics.ipynb\nget_ipython().run_cell('...') #MAGICS_SETUP_END")
	nb := &Notebook{Cells: []Cell{course, code("%%cpp a.c\nint x;")}}
	if AddSetup(nb, lessons.MagicsCurrent); len(nb.Cells) != 2 {
		t.Errorf("a set-up cell was added before the course's own")
	}
}

// requireJupyter returns the path of jupyter with nbconvert and a Python
// kernel; without them the test is skipped, unless CI is set (.ci/run
// installs Debian's jupyter-nbconvert and python3-ipykernel).
func requireJupyter(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("jupyter")
	if err == nil {
		err = exec.Command(path, "nbconvert", "--version").Run()
	}
	if err == nil {
		return path
	}
	msg := "jupyter nbconvert not found (apt-get install jupyter-nbconvert python3-ipykernel): " + err.Error()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and %s", msg)
	}
	t.Skip(msg)
	return ""
}

// nbconvertLesson uses every magic the set-up cell defines.
const nbconvertLesson = "# Magics in Jupyter\n\n```cpp\n%%cpp hello.c\n%// build it\n%run gcc hello.c -o hello.exe\n%MD **built**\n%run ./hello.exe\n" +
	"#include <stdio.h>\nint main() { printf(\"hello from C\\n\"); return 0; }\n```\n\n" +
	"```python\nx = 20\n%p x + 22  # the answer\n%MD *a line*\n```\n\n" +
	"```python\na = TInteractiveLauncher('read line; echo \"got $line\"; echo oops >&2')\na.write('ping\\n')\n```\n\n" +
	"```python\na.close()\n```\n\n" +
	"```python\n%bash_async echo async out; echo async err >&2\n```\n\n" +
	"```python\nimport time; time.sleep(1)\n```\n"

// TestNBConvert: a lesson exported with its set-up cell runs under
// "jupyter nbconvert --to notebook --execute" with no error, its outputs
// those of the course's magics: a %// line shows as a heading under the
// current magics only, %run lines run, %p and %MD show, the launcher's
// log is final after close(), %bash_async's log shows.
func TestNBConvert(t *testing.T) {
	jupyter := requireJupyter(t)
	for _, magics := range []string{lessons.MagicsCurrent, lessons.Magics2019} {
		t.Run(magics, func(t *testing.T) {
			dir := t.TempDir()
			nb, err := Export("lesson.md", []byte(nbconvertLesson))
			if err != nil {
				t.Fatal(err)
			}
			AddSetup(nb, magics)
			data, err := Marshal(nb)
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, "lesson.ipynb")
			if err := os.WriteFile(in, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(jupyter, "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.timeout=30", "--output", "exec.ipynb", in)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nbconvert: %v\n%s", err, out)
			}
			got := executedOutputs(t, filepath.Join(dir, "exec.ipynb"))
			want := []string{"Run: `gcc hello.c -o hello.exe`", "**built**", "hello from C", "`x + 22 = 42`  # the answer", "*a line*",
				"L | Process started. PID = ", "I | ping", "O | got ping", "E | oops", "L | Process finished. Exit code 0",
				"STDOUT:\nasync out", "STDERR:\nasync err", "Process finished! exit_code=0"}
			heading := "\\#\\#\\#\\# `build it`"
			if magics == lessons.MagicsCurrent {
				want = append(want, heading)
			} else if strings.Contains(got, heading) {
				t.Errorf("the 2019 magics show a %%// line:\n%s", got)
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("the outputs lack %q:\n%s", w, got)
				}
			}
		})
	}
}

// executedOutputs is every output text of an executed notebook, and
// fails the test on an error output.
func executedOutputs(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb Notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				t.Errorf("cell %q: %s: %s", c.Source, o.EName, o.EValue)
			}
			if o.Text != nil {
				b.WriteString(string(*o.Text))
			}
			for _, mime := range []string{"text/markdown", "text/html"} {
				b.WriteString(string(o.Data[mime]) + "\n")
			}
		}
	}
	return b.String()
}
