package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// testTagVar is set in the test process before a run so that every process
// the run starts inherits it: a scan of /proc for it finds them all, with
// no need to know the run's internal id.
const testTagVar = "LABRUN_TEST_TAG"

// parseLesson parses an inline lesson or fails the test.
func parseLesson(t *testing.T, md string) *lessons.Lesson {
	t.Helper()
	l, err := lessons.Parse("lesson.md", []byte(md))
	if err != nil {
		t.Fatalf("parse: %v\nlesson:\n%s", err, md)
	}
	return l
}

// runLesson runs an inline lesson in a fresh temp dir (scratch copy) and
// returns its result. The whole run is bounded so that a hang fails the
// test instead of the package.
func runLesson(t *testing.T, md string, opts Options) *transcript.Result {
	t.Helper()
	return runLessonIn(t, md, t.TempDir(), opts)
}

func runLessonIn(t *testing.T, md, dir string, opts Options) *transcript.Result {
	t.Helper()
	l := parseLesson(t, md)
	need(t, "sh", "bash")
	for _, c := range l.Cells {
		if c.Kind == lessons.Python {
			need(t, "python3")
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := Run(ctx, l, dir, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res == nil || len(res.Cells) != len(l.Cells) {
		t.Fatalf("Run returned %d cell results for %d cells", len(res.Cells), len(l.Cells))
	}
	if ctx.Err() != nil {
		t.Fatalf("the run hit the test's 90s bound")
	}
	return res
}

// need skips the test when a program it needs is not in PATH.
func need(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not in PATH", p)
		}
	}
}

// streams returns every stream output of a cell, concatenated.
func streams(cr *transcript.CellResult) string {
	var b strings.Builder
	for _, o := range cr.Outputs {
		if o.Kind == transcript.Stream {
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

// outputsOf returns the text of every output of the given kind.
func outputsOf(cr *transcript.CellResult, kind transcript.OutputKind) []string {
	var out []string
	for _, o := range cr.Outputs {
		if o.Kind == kind {
			out = append(out, o.Text)
		}
	}
	return out
}

// logOf returns the single background log of a cell.
func logOf(t *testing.T, cr *transcript.CellResult) string {
	t.Helper()
	logs := outputsOf(cr, transcript.Log)
	if len(logs) != 1 {
		t.Fatalf("cell %d: want 1 background log, got %d: %s", cr.Cell.Index, len(logs), dump(cr))
	}
	return logs[0]
}

// interruptedBy reports whether cr was interrupted for cause.
func interruptedBy(cr *transcript.CellResult, cause transcript.Cause) bool {
	return cr.Status == transcript.Interrupted && cr.Interruption != nil && cr.Interruption.Cause == cause
}

// outcome describes what cr holds beyond its status, for messages and
// comparisons (times left out).
func outcome(cr *transcript.CellResult) string {
	var parts []string
	if why := cr.Interruption; why != nil {
		parts = append(parts, fmt.Sprintf("interrupted cause=%d where=%q", why.Cause, why.Where))
	}
	if w := cr.WorkerLost; w != nil {
		parts = append(parts, fmt.Sprintf("worker lost killed=%v", w.Killed))
	}
	if e := cr.Exception; e != nil {
		parts = append(parts, "exception "+e.Name+": "+e.Message)
	}
	if cr.CommandNotFound {
		parts = append(parts, "command not found")
	}
	if cr.OutputCut {
		parts = append(parts, "output cut")
	}
	if cr.Skip != transcript.NotSkipped {
		parts = append(parts, fmt.Sprintf("skip=%d", cr.Skip))
	}
	return strings.Join(parts, "; ")
}

var kindName = map[transcript.OutputKind]string{transcript.Stream: "stream", transcript.Markdown: "markdown", transcript.HTML: "html", transcript.Text: "text", transcript.Error: "error", transcript.Log: "log"}

// dump describes a cell result for failure messages.
func dump(cr *transcript.CellResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cell %d (%s, line %d) status=%d exit=%+v steps=%d time=%v outcome=%q\n",
		cr.Cell.Index, cr.Cell.Kind, cr.Cell.Line, cr.Status, cr.Exit, cr.Steps, cr.Duration, outcome(cr))
	for _, o := range cr.Outputs {
		fmt.Fprintf(&b, "  [%s %s] %q\n", kindName[o.Kind], o.Name, o.Text)
	}
	return b.String()
}

func dumpAll(res *transcript.Result) string {
	var b strings.Builder
	for _, cr := range res.Cells {
		b.WriteString(dump(cr))
	}
	return b.String()
}

var (
	pidRe  = regexp.MustCompile(`(PID = |pid=)\d+`)
	secsRe = regexp.MustCompile(`\d+(\.\d+)?s\b`)
)

// normalized describes a run without its volatile values (pids, times),
// so that two runs of the same lesson can be compared.
func normalized(res *transcript.Result) string {
	var b strings.Builder
	for _, cr := range res.Cells {
		fmt.Fprintf(&b, "cell %d %d exit=%+v steps=%d outcome=%q\n", cr.Cell.Index, cr.Status, cr.Exit, cr.Steps, outcome(cr))
		for _, o := range cr.Outputs {
			fmt.Fprintf(&b, "  [%s %s] %q\n", kindName[o.Kind], o.Name, pidRe.ReplaceAllString(o.Text, "${1}N"))
		}
	}
	return b.String()
}

// setTag gives the test process a unique tag that every process started
// from now on inherits, and returns it.
func setTag(t *testing.T) string {
	t.Helper()
	tag := fmt.Sprintf("%s-%d-%d", t.Name(), os.Getpid(), time.Now().UnixNano())
	t.Setenv(testTagVar, tag)
	return tag
}

// tagged lists the live (not zombie) processes other than the test itself
// whose environment holds the tag, as "PID STATE CMDLINE".
func tagged(tag string) []string {
	var out []string
	for _, pid := range proc.Marked(testTagVar, tag) {
		state, ok := proc.State(pid)
		if !ok || state == 'Z' {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		cmd = bytes.TrimRight(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}), " ")
		out = append(out, fmt.Sprintf("%d %c %s", pid, state, cmd))
	}
	return out
}

// killTagged kills what a failed test left behind, so that one failure
// does not disturb the next tests.
func killTagged(tag string) {
	for _, pid := range proc.Marked(testTagVar, tag) {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
}

// contextWithCancelAfter returns a context cancelled after d, as a Ctrl-C
// would stop labrun.
func contextWithCancelAfter(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t := time.AfterFunc(d, cancel)
	return ctx, func() { t.Stop(); cancel() }
}

// pyGrace is what an interrupted Python cell may take past its deadline:
// the step's grace and the interpreter's on top (proc/timings.go).
const pyGrace = proc.DefaultGrace + proc.InterpreterGrace

// cellBaseline returns a baseline for loadbound.New: the longest cell of
// md, a lesson of trivial cells of the kinds the test times, run afresh
// with opts as the test runs its own (a first Python cell includes the
// worker's start, as the test's does).
func cellBaseline(t *testing.T, md string, opts Options) func() time.Duration {
	return func() time.Duration {
		var d time.Duration
		for _, cr := range runLesson(t, md, opts).Cells {
			d = max(d, cr.Duration)
		}
		return d
	}
}

// runBaseline returns a baseline for loadbound.New: how long a whole Run
// of md, a lesson of trivial cells, takes.
func runBaseline(t *testing.T, md string) func() time.Duration {
	return func() time.Duration {
		start := time.Now()
		runLesson(t, md, Options{})
		return time.Since(start)
	}
}
