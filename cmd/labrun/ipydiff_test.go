package main

// A differential test of labrun's Python cells against a real IPython
// kernel: course lessons made by a seeded random generator
// (ipygen_test.go) are run by labrun (labrun run, the course dialect,
// ipython = "8": labrun emulating IPython 8.5) and, exported with
// labrun export (its generated set-up cell dropped: the lessons use no
// course magic, and the set-up cell would shift Jupyter's execution
// counts, which tracebacks show), by jupyter nbconvert --execute
// --allow-errors (nbclient, ipykernel and Debian bookworm's IPython
// 8.5), and each cell's outputs must be the same: the kernel's outputs,
// adjacent ones of a stream joined and empty ones dropped as nbconvert's
// coalesce_streams does, a traceback's lines joined and its ANSI colours
// removed as nbconvert's Markdown does, are laid out as labrun lays out
// its own (render.Outputs) and compared with labrun's transcript byte
// for byte. labrun's worker runs the kernel's Python (the interpreter of
// jupyter's #! line is put first in PATH as python3), so that both are
// the same Python.
//
// Masked, as differences in the nature of two processes:
//   - the process id in ipykernel's cell file names
//     (TMPDIR/ipykernel_PID/HASH.py, ipykernel/compiler.py get_file_name)
//     and the temporary folder before it;
//   - object addresses (<__main__.S at 0x7f...>);
//   - what IPython's timing magics measured, on both sides: the times of
//     %time's "CPU times:" and "Wall time:" lines and of %timeit's "MEAN
//     ± STD per loop" line (its runs and -n's loops stay), and the lines
//     that show only when a measurement says so (%timeit's "The slowest
//     run took ...", the compile and parse times over 0.1 s).
//
// Left, each with why (ipyDiffKept: a cell that differs as one of them
// describes is counted, logged and not failed): the order of a script
// cell's stdout and stderr lines, a RecursionError's count of similar
// frames, a value whose repr raises, a carriage return in a stream, the
// "To exit" warning shown again. Not generated: %env alone (the two
// environments differ), exit() and quit() (they end a kernel), %timeit
// without -n (the loops it chooses differ with the speed of the two
// processes), errors inside %timeit and a %time statement that does not
// parse (their tracebacks show IPython's frames of execution.py and
// compilerop.py, which labrun does not show).
//
// The lessons: -ipydiff.n of them, from the seed -ipydiff.seed on (a few by
// default, to keep go test short); the environment variable
// LABRUN_IPYDIFF_N, if set, overrides -ipydiff.n, and LABRUN_IPYDIFF_SEED
// -ipydiff.seed, so that make test can run more:
//
//	LABRUN_IPYDIFF_N=40 LABRUN_IPYDIFF_SEED=100 go test ./cmd/labrun -run TestIPyDiff
//
// -ipydiff.keep DIR keeps the lessons that differ. Skipped where
// Jupyter is not installed (requireJupyter); under CI it fails instead.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

var (
	ipyDiffN    = flag.Int("ipydiff.n", 3, "TestIPyDiff: how many generated lessons (LABRUN_IPYDIFF_N overrides it)")
	ipyDiffSeed = flag.Uint64("ipydiff.seed", 1, "TestIPyDiff: the seed of the first lesson (LABRUN_IPYDIFF_SEED overrides it)")
	ipyDiffKeep = flag.String("ipydiff.keep", "", "TestIPyDiff: a folder to copy the lessons that differ into")
)

// ipyDiffKept are the differences the test leaves, each a test of a
// cell (its source, the lesson's cells before it, the kernel's outputs
// and labrun's, masked) and why labrun differs there.
var ipyDiffKept = []struct {
	why   string
	match func(src string, before []string, kernel, labrun string) bool
}{
	{"the order of a script cell's stdout and stderr lines written close together: both sides read " +
		"two pipes, and which one is read first when both hold data is the reader's (the kernel's " +
		"asyncio loop, labrun's step goroutines): the same lines, in another order",
		func(src string, _ []string, kernel, labrun string) bool {
			lines := func(s string) []string {
				var ls []string
				for _, l := range strings.Split(s, "\n") {
					if strings.TrimSpace(l) != "" {
						ls = append(ls, l)
					}
				}
				slices.Sort(ls)
				return ls
			}
			return isScriptCell(src) && slices.Equal(lines(kernel), lines(labrun))
		}},
	{"a RecursionError: the kernel's cell runs some 20 frames deeper (ipykernel's and asyncio's), " +
		"so fewer of the lesson's frames fit under the limit of 3000 and the count of similar " +
		"frames skipped differs",
		func(_ string, _ []string, kernel, labrun string) bool {
			times := regexp.MustCompile(`\(\d+ times\)`)
			return strings.Contains(kernel, "RecursionError") && kernel != labrun &&
				times.ReplaceAllString(kernel, "(N times)") == times.ReplaceAllString(labrun, "(N times)")
		}},
	{"a value whose repr raises: IPython's traceback shows the frames of its formatter and " +
		"pretty printer (IPython/core/formatters.py, IPython/lib/pretty.py), which labrun does not run",
		func(_ string, _ []string, kernel, _ string) bool {
			return strings.Contains(kernel, "IPython/core/formatters.py")
		}},
	{"a carriage return in a stream: the kernel's notebook keeps of a line only what follows its " +
		"last \\r, as Jupyter shows it (the line cleared); labrun's transcript writes the text as a " +
		"terminal shows it (render, termtext.Plain: the shorter text over the start of the longer)",
		func(src string, _ []string, kernel, labrun string) bool {
			return strings.Contains(src, `\r`) && strings.Count(kernel, "\n") == strings.Count(labrun, "\n")
		}},
	{"IPython's \"To exit\" warning shown again: the kernel shows it for a later SystemExit of the " +
		"same lesson now and then (its once-a-place registry started afresh: Python's warnings " +
		"module does so whenever the filters change; what changed them is not yet found); labrun " +
		"shows it once a lesson",
		func(_ string, before []string, kernel, labrun string) bool {
			exited := slices.ContainsFunc(before, func(c string) bool {
				return strings.Contains(c, "exit(") || strings.Contains(c, "SystemExit")
			})
			return exited && strings.Contains(kernel, "To exit:") && !strings.Contains(labrun, "To exit:")
		}},
}

func TestIPyDiff(t *testing.T) {
	jup := requireJupyter(t)
	n, seed := *ipyDiffN, *ipyDiffSeed
	if v := os.Getenv("LABRUN_IPYDIFF_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("LABRUN_IPYDIFF_N=%q: %v", v, err)
		}
	}
	if v := os.Getenv("LABRUN_IPYDIFF_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("LABRUN_IPYDIFF_SEED=%q: %v", v, err)
		}
	}
	python := kernelPython(t, jup)
	numpy := exec.Command(python, "-c", "import numpy").Run() == nil
	bin := labrunBinary(t)
	root := t.TempDir()
	pathDir := filepath.Join(root, "bin")
	if err := os.Mkdir(pathDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(python, filepath.Join(pathDir, "python3")); err != nil {
		t.Fatal(err)
	}
	lessonsDir := filepath.Join(root, "lessons")
	var names, notebooks []string
	cellsOf := map[string][]string{}
	for i := 0; i < n; i++ {
		s := seed + uint64(i)
		name := fmt.Sprintf("g%d", s)
		cells := genIPyLesson(s, numpy)
		cellsOf[name] = cells
		dir := filepath.Join(lessonsDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		lesson := filepath.Join(dir, "lesson.md")
		if err := os.WriteFile(lesson, ipyLessonMarkdown(s, cells), 0o644); err != nil {
			t.Fatal(err)
		}
		notebooks = append(notebooks, exportForKernel(t, lesson))
		names = append(names, name)
	}
	env := append(os.Environ(), "TMPDIR="+t.TempDir(), "PYDEVD_DISABLE_FILE_VALIDATION=1")
	// Jupyter: one nbconvert for all the notebooks (a kernel each).
	args := append([]string{"nbconvert", "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.timeout=60"}, notebooks...)
	cmd := exec.Command(jup, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		keepLessons(lessonsDir, names)
		t.Fatalf("jupyter nbconvert: %v\n%s", err, out)
	}
	// labrun: one run for all the lessons.
	args = []string{"run", "-o", filepath.Join(root, "out")}
	for _, name := range names {
		args = append(args, filepath.Join(name, "lesson.md"))
	}
	cmd = exec.Command(bin, args...)
	cmd.Dir = lessonsDir
	cmd.Env = append(env, "PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("labrun run: %v\n%s", err, out)
		}
	}
	total, differ := 0, 0
	left := map[string]int{}
	var differing []string
	for i, name := range names {
		want := kernelOutputs(t, strings.TrimSuffix(notebooks[i], ".ipynb")+".nbconvert.ipynb")
		got := labrunOutputs(t, filepath.Join(root, "out", name, "lesson.md"))
		cells := cellsOf[name]
		if len(want) != len(cells) || len(got) != len(cells) {
			t.Fatalf("%s: %d cells, the kernel ran %d, labrun %d", name, len(cells), len(want), len(got))
		}
		bad := 0
		for j, src := range cells {
			total++
			w, g := ipyMask(want[j]), ipyMask(got[j])
			if w != g && keptWhy(src, cells[:j], w, g) != "" {
				left[keptWhy(src, cells[:j], w, g)]++
				continue
			}
			if w != g {
				bad++
				t.Errorf("%s cell %d differs:\n%s\nthe kernel:\n%slabrun:\n%s", name, j+1, quoteLines([]byte(src+"\n")), quoteLines([]byte(w)), quoteLines([]byte(g)))
			}
		}
		if bad > 0 {
			differ += bad
			differing = append(differing, name)
		}
	}
	keepLessons(lessonsDir, differing)
	for why, k := range left {
		t.Logf("%d cells differ as the test leaves them: %s", k, why)
	}
	t.Logf("%d lessons (seeds %d-%d), %d cells, %d differ", n, seed, seed+uint64(n)-1, total, differ)
}

// keepLessons copies the named lessons into -ipydiff.keep, if given.
func keepLessons(dir string, names []string) {
	if *ipyDiffKeep == "" || len(names) == 0 {
		return
	}
	os.MkdirAll(*ipyDiffKeep, 0o755)
	for _, name := range names {
		src, _ := os.ReadFile(filepath.Join(dir, name, "lesson.md"))
		os.WriteFile(filepath.Join(*ipyDiffKeep, name+".md"), src, 0o644)
	}
}

// keptWhy is why labrun differs in a cell on purpose (ipyDiffKept), or "".
func keptWhy(src string, before []string, kernel, labrun string) string {
	for _, k := range ipyDiffKept {
		if k.match(src, before, kernel, labrun) {
			return k.why
		}
	}
	return ""
}

// kernelPython is the Python that jupyter runs under (its #! line), whose
// ipykernel runs the notebooks.
func kernelPython(t *testing.T, jup string) string {
	t.Helper()
	f, err := os.Open(jup)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		t.Fatalf("%s: no #! line naming its Python", jup)
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		p, err := exec.LookPath(fields[1])
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return fields[0]
}

// exportForKernel exports a lesson with labrun export, drops the set-up
// cell it generated, and writes the notebook beside the lesson.
func exportForKernel(t *testing.T, lesson string) string {
	t.Helper()
	raw := strings.TrimSuffix(lesson, ".md") + ".export.ipynb"
	var stdout, stderr bytes.Buffer
	if code := route([]string{"export", lesson, "-o", raw}, &stdout, &stderr); code != 0 {
		t.Fatalf("labrun export %s: exit %d: %s", lesson, code, stderr.String())
	}
	data, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := jupyter.Parse(raw, data)
	if err != nil {
		t.Fatal(err)
	}
	var cells []jupyter.Cell
	for _, c := range nb.Cells {
		if m, ok := c.Metadata["labrun"].(map[string]any); ok && m["generated"] != nil {
			continue
		}
		cells = append(cells, c)
	}
	nb.Cells = cells
	out, err := jupyter.Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(lesson), "kernel.ipynb")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// kernelOutputs are the outputs of each code cell of an executed
// notebook, laid out as labrun lays out its own.
func kernelOutputs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb jupyter.Notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var cells []string
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		var outs []transcript.Output
		for _, o := range c.Outputs {
			if x, ok := kernelOutput(o); ok {
				n := len(outs)
				if n > 0 && x.Kind == transcript.Stream && outs[n-1].Kind == transcript.Stream && outs[n-1].Name == x.Name {
					outs[n-1].Text += x.Text
					continue
				}
				outs = append(outs, x)
			}
		}
		var kept []transcript.Output
		for _, o := range outs {
			if o.Kind != transcript.Stream || o.Text != "" {
				kept = append(kept, o)
			}
		}
		cells = append(cells, render.Outputs(kept))
	}
	return cells
}

// kernelOutput is a notebook output as labrun's: its form that
// nbconvert's Markdown shows (HTML, Markdown, LaTeX as Markdown, text).
func kernelOutput(o jupyter.Output) (transcript.Output, bool) {
	switch o.OutputType {
	case "stream":
		text := ""
		if o.Text != nil {
			text = string(*o.Text)
		}
		return transcript.Output{Kind: transcript.Stream, Name: transcript.StreamNamed(o.Name), Text: text}, true
	case "error":
		return transcript.Output{Kind: transcript.Error, Text: ansiCodes.ReplaceAllString(strings.Join(o.Traceback, "\n"), "")}, true
	case "execute_result", "display_data":
		for _, f := range []struct {
			mime string
			kind transcript.OutputKind
		}{{"text/html", transcript.HTML}, {"text/markdown", transcript.Markdown}, {"text/latex", transcript.Markdown}, {"text/plain", transcript.Text}} {
			if d, ok := o.Data[f.mime]; ok {
				return transcript.Output{Kind: f.kind, Text: string(d)}, true
			}
		}
	}
	return transcript.Output{}, false
}

// ansiCodes are the colour codes of a kernel's tracebacks (nbconvert's
// strip_ansi).
var ansiCodes = regexp.MustCompile(`\x1b\[[0-9;]*[a-zA-Z]`)

// labrunOutputs are the outputs of each cell of a labrun transcript, as
// it laid them out.
func labrunOutputs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := transcript.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, c := range tr.Lesson.Cells {
		out := ""
		if p := tr.Recorded(c.Index); p != nil {
			out = p.Outputs
		}
		cells = append(cells, out)
	}
	return cells
}

// ipyMasks are the differences in the nature of two processes (see the
// doc comment above).
var ipyMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\S*/ipykernel_[0-9]+/`), "TMP/ipykernel_PID/"},
	{regexp.MustCompile(`0x[0-9a-f]{6,}`), "0xADDR"},
	{regexp.MustCompile(`(?m)^([ \t]*CPU times: user )[^,\n]+, sys: [^,\n]+, total: .+$`), "${1}T, sys: T, total: T"},
	{regexp.MustCompile(`(?m)^([ \t]*Wall time: ).+$`), "${1}T"},
	{regexp.MustCompile(`(?m)^([ \t]*(?:<TimeitResult : )?)\S+ \S+ ± \S+ \S+( per loop )`), "${1}T ± T${2}"},
	{regexp.MustCompile(`(?m)^[ \t]*(?:The slowest run took \S+ times longer than the fastest\. .*|Compiler time: .*|Compiler : .*|Parser   : .*)\n`), ""},
}

func ipyMask(s string) string {
	for _, m := range ipyMasks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}
