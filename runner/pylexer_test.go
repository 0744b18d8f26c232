package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
)

// corpusGlob finds the dev corpus's lesson skeletons.
const corpusGlob = "../../shared/corpus/caos/*/*/README_no_output.md"

// TestPythonLexersAgree: the Go side (lessons.PythonLines, which decides
// what Parse checks) and the worker (_logical_lines, which decides what
// it turns into calls) read every line of a Python cell the same way, and
// name the same magics:
// over every Python cell of the dev corpus, over hand-picked edge cases,
// and over random cells made of the characters the rules look at.
func TestPythonLexersAgree(t *testing.T) {
	cells := append([]string(nil), lexerEdgeCases...)
	corpus := 0
	files, _ := filepath.Glob(corpusGlob)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := lessons.Parse(f, src)
		if err != nil {
			t.Logf("%v (skipped)", err)
			continue
		}
		for _, c := range l.Cells {
			if c.Kind == lessons.Python {
				cells = append(cells, c.Source)
				corpus++
			}
		}
	}
	if len(files) == 0 {
		t.Logf("no dev corpus at %s: edge cases and random cells only", corpusGlob)
	}
	rng := rand.New(rand.NewPCG(8, 2026))
	for range 5000 {
		cells = append(cells, randomCell(rng))
	}
	got := classifyInWorker(t, cells)
	if want := lessons.LineMagics(); !slices.Equal(got.Magics, want) {
		t.Errorf("line magics: worker knows %v, lessons %v", got.Magics, want)
	}
	bad := 0
	for i, src := range cells {
		var goKinds []string
		for _, pl := range lessons.PythonLines(src) {
			k := pl.Kind.String()
			if pl.Kind == lessons.PyMagic || pl.Kind == lessons.PyMagicAssign {
				k += " " + pl.Magic
			}
			goKinds = append(goKinds, k)
		}
		if slices.Equal(goKinds, got.Kinds[i]) {
			continue
		}
		if bad++; bad <= 10 {
			lines := strings.Split(src, "\n")
			for j := range lines {
				mark := "  "
				if j >= len(got.Kinds[i]) || goKinds[j] != got.Kinds[i][j] {
					mark = "!="
				}
				py := "?"
				if j < len(got.Kinds[i]) {
					py = got.Kinds[i][j]
				}
				t.Logf("%s go %-12s py %-12s %q", mark, goKinds[j], py, lines[j])
			}
			t.Errorf("cell %d: the lexers disagree (above)", i)
		}
	}
	t.Logf("%d cells compared (%d from the corpus), %d disagree", len(cells), corpus, bad)
}

// lexerEdgeCases are cells at the rules' edges.
var lexerEdgeCases = []string{
	"!ls\n!!ls\n  !echo {x}\nx = !ls\nx, y = !ls\na.b[0] = !ls\nx=!ls\nx\t=\t!ls",
	"%p x  # c\n%MD *t*\n%bash_async sleep 1\ny = %p x\ny=%p x\n%p(x)\n%\n% x\n%%bash\n  %%x\nx = %%y",
	"s = \"\"\"\n!not a shell\n%not a magic\n\"\"\"\n!ls",
	"s = '''a\n''' ; t = \"x\\\n!still text\"\n!ls",
	"!echo a \\\n  b \\\n  c\n!echo d\\ \t\nnext\nx = %p 1 + \\\n 2",
	"!echo a\\\n\"\"\"\n!b",
	"x = 5 # = !ls\nif a == !b: pass\nf(a = !b)\nx += !ls\nж = !ls\nx² = !ls\nd['k'] = !ls",
	"print('!x')  # '''\n!ls\n'#' ; !ls",
	"\\\n!ls \\",
	"",
}

// randomCell makes a cell of a few lines from the characters the rules
// look at: quotes, backslashes, #, !, %, =, blanks, names.
func randomCell(rng *rand.Rand) string {
	pieces := []string{"!", "!!", "%", "%%", "=", " = ", "==", "\"", "'", "\"\"\"", "'''", "\\", "#", " ", "\t",
		"x", "ab", "p", "MD", "bash_async", "run", "[0]", ".", ",", "(", ")", "é", "ж", "²", "½", "+", "\r", "\u00a0",
		"\x1c", "\v", "\u2003"}
	var b strings.Builder
	for range 1 + rng.IntN(6) {
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// workerKinds is what the worker's _classify_main answers.
type workerKinds struct {
	Kinds  [][]string `json:"kinds"`
	Magics []string   `json:"magics"`
}

// classifyInWorker runs the worker's classifier over cells.
func classifyInWorker(t *testing.T, cells []string) workerKinds {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not in PATH")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "labrun_worker.py"), workerSource, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(cells)
	if err != nil {
		t.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmd := exec.Command(py, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import labrun_worker; labrun_worker._classify_main()", dir)
	cmd.Stdin = bytes.NewReader(in)
	cmd.ExtraFiles = []*os.File{devnull, devnull} // fds 3 and 4, which the worker opens
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := proc.Run(context.Background(), cmd); err != nil {
		t.Fatalf("worker classifier: %v\n%s", err, stderr.String())
	}
	var got workerKinds
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("worker classifier: %v", err)
	}
	if len(got.Kinds) != len(cells) {
		t.Fatalf("worker classified %d cells of %d", len(got.Kinds), len(cells))
	}
	return got
}
