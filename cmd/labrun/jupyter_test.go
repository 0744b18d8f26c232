package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fifoLesson is the dev corpus's FIFO lesson (TInteractiveLauncher,
// %%cpp, a cell Jupyter interrupts), and sharedTools the measuring tools.
const (
	fifoLesson  = "../../../shared/corpus/caos/caos_2019-2020/sem14-fifo-proc"
	sharedTools = "../../../shared/tools"
	baselineTSV = "../../../shared/corpus/JUPYTER_BASELINE.tsv"
)

// TestExportRunsInJupyter: the FIFO lesson exported by labrun runs under
// nbconvert as ../shared/tools/jupyter_pipeline.sh runs a course notebook
// (10 s cells, interrupt and continue, errors allowed) with no UsageError,
// and its fresh outputs, laid out as the course lays them out, score at
// least what JUPYTER_BASELINE.tsv gives Jupyter on that lesson
// (lesson_score.py's strict count), with no skeleton line lost.
func TestExportRunsInJupyter(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a lesson under Jupyter takes some 20 s")
	}
	if _, err := os.Stat(fifoLesson); err != nil {
		t.Skipf("no dev corpus at %s: %v", fifoLesson, err)
	}
	jupyter := requireJupyter(t)
	baseline := baselineStrict(t, "caos_2019-2020/sem14-fifo-proc")
	work := filepath.Join(t.TempDir(), "sem14-fifo-proc")
	if err := os.CopyFS(work, os.DirFS(fifoLesson)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"README.md", "fifo-proc.ipynb"} {
		os.Remove(filepath.Join(work, f))
	}
	var stdout, stderr bytes.Buffer
	skel := filepath.Join(fifoLesson, "README_no_output.md")
	if code := route([]string{"export", skel, "-o", filepath.Join(work, "labrun.ipynb")}, &stdout, &stderr); code != 0 {
		t.Fatalf("labrun export: exit %d: %s", code, stderr.String())
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run(jupyter, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=10",
		"--ExecutePreprocessor.interrupt_on_timeout=True", "--allow-errors", "--output", "exec.ipynb", "labrun.ipynb")
	executed, err := os.ReadFile(filepath.Join(work, "exec.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(executed, []byte("UsageError")) {
		t.Errorf("the executed notebook has a UsageError")
	}
	run(jupyter, "nbconvert", "--to", "markdown", "exec.ipynb", "--output", "jup_fresh")
	tools, _ := filepath.Abs(sharedTools)
	run("python3", filepath.Join(tools, "jupyter_improve_md.py"), "jup_fresh.md")
	lesson, _ := filepath.Abs(fifoLesson)
	cmd := exec.Command("python3", filepath.Join(tools, "lesson_score.py"), filepath.Join(lesson, "README_no_output.md"),
		filepath.Join(lesson, "README.md"), filepath.Join(work, "jup_fresh.md"), "--json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lesson_score.py: %v", err)
	}
	var score struct {
		Summary struct {
			Strict int `json:"strict"`
			Lost   int `json:"skeleton_lines_lost"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(out, &score); err != nil {
		t.Fatal(err)
	}
	if score.Summary.Strict < baseline || score.Summary.Lost != 0 {
		t.Errorf("strict %d (Jupyter's baseline %d), skeleton lines lost %d", score.Summary.Strict, baseline, score.Summary.Lost)
	}
	t.Logf("strict %d, Jupyter's baseline %d", score.Summary.Strict, baseline)
}

// baselineStrict is the strict count JUPYTER_BASELINE.tsv gives Jupyter
// on a lesson.
func baselineStrict(t *testing.T, lesson string) int {
	data, err := os.ReadFile(baselineTSV)
	if err != nil {
		t.Fatal(err)
	}
	strict := regexp.MustCompile(`\bstrict (\d+)\b`)
	for _, line := range strings.Split(string(data), "\n") {
		if name, _, _ := strings.Cut(line, "\t"); name == lesson {
			if m := strict.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n
			}
		}
	}
	t.Fatalf("%s: no strict count for %s", baselineTSV, lesson)
	return 0
}

// requireJupyter returns the path of jupyter with nbconvert; without it
// the test is skipped, unless CI is set (.ci/run installs Debian's
// jupyter-nbconvert and python3-ipykernel).
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
