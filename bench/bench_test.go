// Package bench measures labrun's speed against a plain shell script doing
// the same work and against the Jupyter pipeline it replaces. Speed is only
// measured here, in benchmarks (go test -bench, see make bench); no test
// asserts a timing. See README.md for what each benchmark measures.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/internal/testbin"
)

const (
	exampleLesson = "../examples/fifo/lesson.md"
	shellScript   = "testdata/example.sh"
	sharedDir     = "../../shared" // ../shared seen from the repository root
	fifoLesson    = sharedDir + "/corpus/caos/caos_2019-2020/sem14-fifo-proc"
	scoreTool     = sharedDir + "/tools/lesson_score.py"
	jupyterTool   = sharedDir + "/tools/jupyter_pipeline.sh"

	// runLimit bounds one run of anything a benchmark starts: a hang
	// fails the benchmark instead of the whole go test timeout.
	runLimit = 5 * time.Minute
)

// results keeps each benchmark's figures for the summary TestMain prints
// (ratios need two benchmarks).
var results struct {
	sync.Mutex
	m map[string]figures
}

type figures struct {
	seconds float64 // mean seconds per run
	strict  float64 // mean strict cells (lessons with a recording), else -1
	scored  float64 // cells with a recorded output
	fastest float64 // the fastest run's seconds, where a benchmark keeps it
}

func record(name string, f figures) {
	results.Lock()
	defer results.Unlock()
	if results.m == nil {
		results.m = map[string]figures{}
	}
	results.m[name] = f
}

func TestMain(m *testing.M) {
	testbin.MaybeSpawn() // measure's spawner (issue13_test.go)
	proc.MaybeGate()
	code := m.Run()
	printSummary()
	writeReport()
	testbin.Cleanup()
	os.Exit(code)
}

// printSummary prints the ratios between benchmarks that ran.
func printSummary() {
	results.Lock()
	defer results.Unlock()
	r := results.m
	if ex, ok := r["labrun-example"]; ok {
		if sh, ok := r["shell-example"]; ok && sh.seconds > 0 {
			fmt.Printf("summary: example lesson: labrun %.3f s/op, shell script %.3f s/op, labrun/shell %.2f\n",
				ex.seconds, sh.seconds, ex.seconds/sh.seconds)
		}
	}
	lr, lok := r["labrun-fifo"]
	jp, jok := r["jupyter-fifo"]
	if lok {
		fmt.Printf("summary: FIFO lesson: labrun %.3f s/op, strict %.4g/%.4g\n", lr.seconds, lr.strict, lr.scored)
	}
	if jok {
		fmt.Printf("summary: FIFO lesson: jupyter %.3f s/op, strict %.4g/%.4g\n", jp.seconds, jp.strict, jp.scored)
	}
	if lok && jok && lr.seconds > 0 {
		fmt.Printf("summary: FIFO lesson: jupyter/labrun %.2f\n", jp.seconds/lr.seconds)
	}
	checkSummary(r)
}

// labrun returns the labrun binary the benchmarks run, built once.
func labrun(b *testing.B) string {
	b.Helper()
	bin, err := testbin.Labrun()
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// ownedCommand is name with args in dir (or the current folder), with env
// added to this process's environment, in a process group of its own
// that is killed whole when ctx ends.
func ownedCommand(ctx context.Context, dir string, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs name args in dir with env added to the environment and returns
// its standard output and error; a non-zero exit fails the benchmark. The
// command gets its own process group, killed whole if it outlives runLimit.
func run(b *testing.B, dir string, env []string, name string, args ...string) (stdout, stderr string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := ownedCommand(ctx, dir, env, name, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err,
			tail(out.String()), tail(errs.String()))
	}
	return out.String(), errs.String()
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

func abs(b *testing.B, path string) string {
	b.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// scratchEnv gives the runs a fresh TMPDIR inside the benchmark's temp
// folder, so whatever they leave there goes with it.
func scratchEnv(b *testing.B) []string {
	b.Helper()
	tmp := filepath.Join(b.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		b.Fatal(err)
	}
	return []string{"TMPDIR=" + tmp}
}

// BenchmarkExampleLesson: labrun runs the bundled example lesson.
func BenchmarkExampleLesson(b *testing.B) {
	bin := labrun(b)
	lesson := abs(b, exampleLesson)
	dir := b.TempDir()
	env := scratchEnv(b)
	var total time.Duration
	n := 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("fifo-%d.md", n))
		start := time.Now()
		run(b, dir, env, bin, "run", lesson, "-o", out)
		total += time.Since(start)
		n++
		if _, err := os.Stat(out); err != nil {
			b.Fatalf("no transcript: %v", err)
		}
	}
	s := total.Seconds() / float64(n)
	b.ReportMetric(s, "s/op")
	record("labrun-example", figures{seconds: s, strict: -1})
}

// shellMustSay are lines the shell script prints only when it really did
// the lesson's compiles and runs.
var shellMustSay = []string{
	"my_fifo is a fifo of 0 bytes",
	"cannot create my_fifo: Interrupted system call",
	"the writer got past open()",
	"writer: open failed: No such device or address",
	"0000000000000000 T count_lines",
	"cc -Wall -O2 fifo_reader.c count_lines.S -o fifo_reader",
	"reader: end of file after 0 lines, no writer left",
	"reader: end of file after 2 lines, no writer left",
	"write after the reader closed -> EPIPE",
	"reader: end of file after 4 lines, no writer left",
	"reader: end of file after 3 lines, no writer left",
	"reader: EAGAIN, a writer exists but sent nothing yet",
	"from writer 2",
	"reader: end of file after 1 lines, no writer left",
}

// BenchmarkShellScript: testdata/example.sh, the example lesson's
// shell-visible work as a plain bash script, in a fresh folder each run.
func BenchmarkShellScript(b *testing.B) {
	script := abs(b, shellScript)
	base := b.TempDir()
	env := scratchEnv(b)
	var total time.Duration
	n := 0
	for b.Loop() {
		dir := filepath.Join(base, strconv.Itoa(n))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		stdout, stderr := run(b, dir, env, "bash", script)
		total += time.Since(start)
		n++
		b.StopTimer()
		out := stdout + stderr
		for _, want := range shellMustSay {
			if !strings.Contains(out, want) {
				b.Fatalf("example.sh did not print %q; its output:\n%s", want, tail(out))
			}
		}
		for _, f := range []string{"fifo_writer", "fifo_reader", "count_lines.o"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				b.Fatalf("example.sh did not build %s", f)
			}
		}
		b.StartTimer()
	}
	s := total.Seconds() / float64(n)
	b.ReportMetric(s, "s/op")
	record("shell-example", figures{seconds: s, strict: -1})
}

// needCorpus skips when the shared corpus lesson is not there.
func needCorpus(b *testing.B) {
	b.Helper()
	if _, err := os.Stat(filepath.Join(fifoLesson, "README_no_output.md")); err != nil {
		b.Skipf("corpus lesson not found: %v", err)
	}
}

var scoreLine = regexp.MustCompile(`with-output (\d+)\s+strict (\d+)`)

// score runs lesson_score.py on a fresh transcript of the FIFO lesson and
// returns the cells with a recorded output and how many match strictly.
func score(b *testing.B, fresh string) (withOutput, strict int) {
	b.Helper()
	out, _ := run(b, ".", nil, "python3", scoreTool,
		filepath.Join(fifoLesson, "README_no_output.md"), filepath.Join(fifoLesson, "README.md"), fresh)
	m := scoreLine.FindStringSubmatch(out)
	if m == nil {
		b.Fatalf("lesson_score.py said %q", out)
	}
	b.Logf("score: %s", strings.TrimSpace(out))
	withOutput, _ = strconv.Atoi(m[1])
	strict, _ = strconv.Atoi(m[2])
	return withOutput, strict
}

// copyLesson copies the corpus lesson folder to dst without its recorded
// transcript, as corpus_eval.sh does.
func copyLesson(b *testing.B, dst string) {
	b.Helper()
	src := fifoLesson
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case rel == "README.md" || !d.Type().IsRegular():
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm()|0o200)
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCorpusFIFO: labrun on the course's FIFO lesson (sem14-fifo-proc)
// copied to a temp folder, scored against the recorded transcript.
func BenchmarkCorpusFIFO(b *testing.B) {
	needCorpus(b)
	bin := labrun(b)
	base := b.TempDir()
	lessonDir := filepath.Join(base, "sem14-fifo-proc")
	copyLesson(b, lessonDir)
	env := scratchEnv(b)
	var total time.Duration
	var strictSum, scored int
	n := 0
	for b.Loop() {
		out := filepath.Join(base, fmt.Sprintf("fresh-%d.md", n))
		start := time.Now()
		run(b, lessonDir, env, bin, "run", "README_no_output.md", "-o", out)
		total += time.Since(start)
		n++
		b.StopTimer()
		w, s := score(b, out)
		scored = w
		strictSum += s
		b.StartTimer()
	}
	f := figures{seconds: total.Seconds() / float64(n), strict: float64(strictSum) / float64(n), scored: float64(scored)}
	b.ReportMetric(f.seconds, "s/op")
	b.ReportMetric(f.strict, "strict-cells")
	b.ReportMetric(f.scored, "with-output-cells")
	record("labrun-fifo", f)
}

var secondsLine = regexp.MustCompile(`(?m)^seconds ([0-9.]+)\s*$`)

// BenchmarkJupyterFIFO: the Jupyter pipeline (jupyter_pipeline.sh:
// nbconvert --execute, 10 s cell timeout, the course's Markdown export) on
// the same lesson. s/op is the notebook execution time the pipeline prints,
// as in JUPYTER_BASELINE.tsv; ns/op also counts the Markdown export.
func BenchmarkJupyterFIFO(b *testing.B) {
	needCorpus(b)
	if _, err := exec.LookPath("jupyter"); err != nil {
		b.Skip("jupyter not installed (apt-get install jupyter-nbconvert python3-ipykernel python3-nbclient)")
	}
	tool := abs(b, jupyterTool)
	lesson := abs(b, fifoLesson)
	base := b.TempDir()
	env := append(scratchEnv(b), "JUPYTER_ROOT="+filepath.Join(base, "root"))
	pipeline := func(out string) float64 {
		stdout, _ := run(b, base, env, tool, lesson, out)
		m := secondsLine.FindStringSubmatch(stdout)
		if m == nil {
			b.Fatalf("jupyter_pipeline.sh printed no seconds: %q", stdout)
		}
		s, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	// One untimed run first: the pipeline's one-time set-up (it executes
	// the course's set_up_magics.ipynb) and cold caches stay out of ns/op.
	b.Logf("warm-up run (with set-up): %.2f s", pipeline(filepath.Join(base, "warmup.md")))

	var seconds float64
	var strictSum, scored int
	n := 0
	for b.Loop() {
		out := filepath.Join(base, fmt.Sprintf("jup-%d.md", n))
		s := pipeline(out)
		seconds += s
		n++
		b.StopTimer()
		b.Logf("jupyter seconds: %.2f", s)
		w, st := score(b, out)
		scored = w
		strictSum += st
		b.StartTimer()
	}
	f := figures{seconds: seconds / float64(n), strict: float64(strictSum) / float64(n), scored: float64(scored)}
	b.ReportMetric(f.seconds, "s/op")
	b.ReportMetric(f.strict, "strict-cells")
	b.ReportMetric(f.scored, "with-output-cells")
	record("jupyter-fifo", f)
}

// cellBodies returns, for each code cell of a lesson that writes a file or
// is a bash script, what example.sh must contain: the body without its
// magic lines, with %%makefile's four-space indents as tabs; and every
// %run command.
func cellBodies(lesson string) (bodies, commands []string) {
	lines := strings.Split(lesson, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") || i+1 >= len(lines) {
			continue
		}
		start := i + 1
		end := start
		for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
			end++
		}
		i = end
		first := strings.Fields(lines[start] + " ")
		if len(first) == 0 {
			continue
		}
		var body []string
		switch first[0] {
		case "%%writefile", "%%bash", "%%sh":
			body = lines[start+1 : end]
		case "%%cpp", "%%asm", "%%makefile", "%%save_file", "%%cmake":
			for _, l := range lines[start+1 : end] {
				if cmd, ok := strings.CutPrefix(l, "%run "); ok {
					commands = append(commands, cmd)
				}
				if !strings.HasPrefix(l, "%") {
					body = append(body, l)
				}
			}
		default:
			continue
		}
		text := strings.Trim(strings.Join(body, "\n"), "\n") + "\n"
		if first[0] == "%%makefile" {
			text = strings.ReplaceAll(text, "    ", "\t")
		}
		bodies = append(bodies, text)
	}
	return bodies, commands
}

// TestScriptMatchesLesson keeps testdata/example.sh honest: it must write
// the same files and run the same build and run commands as the example
// lesson, so the shell benchmark does the same work. (A check, not a
// benchmark: it runs in make test and takes milliseconds.)
func TestScriptMatchesLesson(t *testing.T) {
	lesson, err := os.ReadFile(exampleLesson)
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(shellScript)
	if err != nil {
		t.Fatal(err)
	}
	bodies, commands := cellBodies(string(lesson))
	if len(bodies) < 7 || len(commands) < 5 {
		t.Fatalf("found only %d file cells and %d %%run commands in %s", len(bodies), len(commands), exampleLesson)
	}
	for _, body := range bodies {
		if !bytes.Contains(script, []byte(body)) {
			t.Errorf("%s lacks this cell body of %s (update both together):\n%s", shellScript, exampleLesson, body)
		}
	}
	scriptLines := map[string]bool{}
	for _, l := range strings.Split(string(script), "\n") {
		scriptLines[strings.TrimSpace(l)] = true
	}
	for _, c := range commands {
		if !scriptLines[c] {
			t.Errorf("%s does not run %q as %s does", shellScript, c, exampleLesson)
		}
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", shellScript).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", shellScript, err, out)
		}
	}
}
