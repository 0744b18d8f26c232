package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// TestShellUnderPty: ! lines run under a 24×80 terminal, stdout and stderr
// merged, the terminal's \r\n turned back into \n.
func TestShellUnderPty(t *testing.T) {
	md := fence("!test -t 0 && test -t 1 && echo tty") + "\n" +
		fence("!stty size") + "\n" +
		fence("!printf 'a\\nb\\n'; echo err >&2") + "\n" +
		fence("!exit 3") + "\n" +
		fence("!kill -9 $$")
	res := runLesson(t, md, Options{})
	want := []string{"tty\n", "24 80\n", "a\nb\nerr\n", "", ""}
	for i, w := range want {
		cr := res.Cells[i]
		if got := streams(cr); got != w {
			t.Errorf("cell %d output = %q, want %q\n%s", i, got, w, dump(cr))
		}
		for _, o := range cr.Outputs {
			if o.Kind == transcript.Stream && o.Name != transcript.Stdout {
				t.Errorf("cell %d: pty output on stream %q, want stdout (merged)", i, o.Name)
			}
		}
		if cr.Status != transcript.OK {
			t.Errorf("cell %d status %d, want ok (a failing command is content)\n%s", i, cr.Status, dump(cr))
		}
	}
	if got := res.Cells[3].Exit; got != (transcript.Exit{Code: 3}) {
		t.Errorf("!exit 3: Exit = %+v, want 3", got)
	}
	if got := res.Cells[4].Exit; got != (transcript.Exit{Code: 137, Signal: unix.SIGKILL}) {
		t.Errorf("!kill -9 $$: Exit = %+v, want 137 (SIGKILL)", got)
	}
}

// TestScriptCellPipes: %%bash and %%sh read the body on stdin through
// pipes: no terminal, ls prints one name a line, stderr kept apart.
func TestScriptCellPipes(t *testing.T) {
	md := fence("%%bash\n"+
		"test -t 0 || echo stdin-not-tty\n"+
		"test -t 1 || echo stdout-not-tty\n"+
		"test -t 2 || echo stderr-not-tty\n"+
		"touch a b c\n"+
		"ls\n"+
		"echo $BASH_VERSION | grep -q . && echo bash") + "\n" +
		fence("%%bash\necho to-stderr >&2") + "\n" +
		fence("%%sh\necho ${BASH_VERSION:-not-bash}")
	res := runLesson(t, md, Options{})
	if got, want := streams(res.Cells[0]), "stdin-not-tty\nstdout-not-tty\nstderr-not-tty\na\nb\nc\nbash\n"; got != want {
		t.Errorf("%%%%bash output = %q, want %q\n%s", got, want, dump(res.Cells[0]))
	}
	c1 := res.Cells[1]
	if len(c1.Outputs) != 1 || c1.Outputs[0].Name != transcript.Stderr || c1.Outputs[0].Text != "to-stderr\n" {
		t.Errorf("%%%%bash stderr: want one stderr output \"to-stderr\\n\"\n%s", dump(c1))
	}
	if got := streams(res.Cells[2]); got != "not-bash\n" {
		t.Errorf("%%%%sh output = %q, want not-bash (sh, not bash)", got)
	}
}

// TestTimeoutInterrupts: a step past its timeout gets Ctrl-C (the pty echoes
// ^C), the cell is marked interrupted, and the run goes on.
func TestTimeoutInterrupts(t *testing.T) {
	const timeout = time.Second
	md := fence("!while true; do sleep 0.1; done") + "\n" +
		fence("!echo next") + "\n" +
		fence("%%bash\nwhile true; do sleep 0.1; done") + "\n" +
		fence("!echo after-bash")
	opts := Options{Timeout: timeout, NoStuckDetection: true}
	// Not enforced, the loops run until the test's 90 s bound.
	bound := loadbound.New(t, "a looping cell", timeout+proc.DefaultGrace, 90*time.Second,
		cellBaseline(t, fence("!true")+"\n"+fence("%%bash\ntrue"), opts))
	res := runLesson(t, md, opts)
	for _, i := range []int{0, 2} {
		cr := res.Cells[i]
		if cr.Status != transcript.Interrupted {
			t.Errorf("cell %d status %d, want interrupted\n%s", i, cr.Status, dump(cr))
		}
		if !interruptedBy(cr, transcript.Timeout) {
			t.Errorf("cell %d: not interrupted on timeout: %s", i, dump(cr))
		}
		if cr.Duration < timeout-50*time.Millisecond {
			t.Errorf("cell %d took %v, less than the %v timeout", i, cr.Duration, timeout)
		}
		bound.Check(t, cr.Duration, fmt.Sprintf("cell %d was not stopped at its timeout", i))
	}
	if got := streams(res.Cells[0]); !strings.Contains(got, "^C") {
		t.Errorf("pty step output %q does not show the ^C echo", got)
	}
	if got := streams(res.Cells[1]); got != "next\n" || res.Cells[1].Status != transcript.OK {
		t.Errorf("cell after the timeout:\n%s", dump(res.Cells[1]))
	}
	if got := streams(res.Cells[3]); got != "after-bash\n" || res.Cells[3].Status != transcript.OK {
		t.Errorf("cell after the %%%%bash timeout:\n%s", dump(res.Cells[3]))
	}
}

// TestTimeoutSettings: the lesson's directive and a native cell's timeout=
// override Options.Timeout.
func TestTimeoutSettings(t *testing.T) {
	md := "<!-- labrun timeout=1s -->\n\n" +
		fence("!sleep 30") + "\n" +
		"```sh run=\"sleep 30\" timeout=500ms\n```\n"
	trivial := "<!-- labrun timeout=1s -->\n\n" + fence("!true") + "\n" + "```sh run=\"true\" timeout=500ms\n```\n"
	// With the directives ignored, each sleep 30 runs for 30 s.
	cellBound := loadbound.New(t, "a cell past its own timeout", time.Second+proc.DefaultGrace, 30*time.Second,
		cellBaseline(t, trivial, Options{Timeout: time.Minute}))
	runBound := loadbound.New(t, "the run", 1500*time.Millisecond+2*proc.DefaultGrace, 30*time.Second, runBaseline(t, trivial))
	start := time.Now()
	res := runLesson(t, md, Options{Timeout: time.Minute})
	for i := range 2 {
		cr := res.Cells[i]
		if !interruptedBy(cr, transcript.Timeout) {
			t.Errorf("cell %d: want interrupted on timeout\n%s", i, dump(cr))
		}
		cellBound.Check(t, cr.Duration, fmt.Sprintf("cell %d's own timeout was not used", i))
	}
	runBound.Check(t, time.Since(start), "the per-lesson/per-cell timeouts were not used")
}

// TestStuckDetection: opening a FIFO with no reader can never progress:
// interrupted well before the timeout, with dash's own words.
func TestStuckDetection(t *testing.T) {
	md := fence("!mkfifo f") + "\n" +
		fence("!echo hi > f") + "\n" +
		fence("!cat") + "\n" +
		fence("!echo after")
	// Without stuck detection, each step waits for the timeout.
	opts := Options{Timeout: 30 * time.Second}
	bound := loadbound.New(t, "a stuck cell", proc.DefaultGrace, opts.Timeout,
		cellBaseline(t, fence("!true")+"\n"+fence("!echo hi > f"), opts))
	res := runLesson(t, md, opts)
	for _, i := range []int{1, 2} {
		cr := res.Cells[i]
		if cr.Status != transcript.Interrupted {
			t.Errorf("cell %d status %d, want interrupted\n%s", i, cr.Status, dump(cr))
		}
		if !interruptedBy(cr, transcript.Stuck) || cr.Interruption.Where == "" {
			t.Errorf("cell %d: want stuck with where it waits: %s", i, dump(cr))
		}
		bound.Check(t, cr.Duration, fmt.Sprintf("cell %d: stuck detection should beat the 30s timeout by far", i))
		if !strings.Contains(streams(cr), "^C") {
			t.Errorf("cell %d output %q lacks the ^C echo", i, streams(cr))
		}
	}
	if got := streams(res.Cells[1]); !strings.Contains(got, "cannot create f: Interrupted system call") {
		t.Errorf("FIFO open output = %q, want dash's \"cannot create f: Interrupted system call\"", got)
	}
	if got := streams(res.Cells[3]); got != "after\n" {
		t.Errorf("cell after the stuck ones: %q", got)
	}
}

// TestSleepIsNotStuck: a process asleep on a timer will wake: never stuck.
func TestSleepIsNotStuck(t *testing.T) {
	res := runLesson(t, fence("!sleep 2; echo done"), Options{})
	cr := res.Cells[0]
	if cr.Status != transcript.OK || streams(cr) != "done\n" || outcome(cr) != "" {
		t.Errorf("want status ok, output done, no notes:\n%s", dump(cr))
	}
}

// TestPythonTimeout: a Python loop past the timeout gets KeyboardInterrupt
// and the worker (with its state) goes on.
func TestPythonTimeout(t *testing.T) {
	const timeout = time.Second
	md := fence("kept = 42") + "\n" +
		fence("while True:\n    pass") + "\n" +
		fence("print('alive', kept)")
	// Not enforced, the loop runs until the test's 90 s bound.
	bound := loadbound.New(t, "the loop cell", timeout+pyGrace, 90*time.Second,
		cellBaseline(t, fence("kept = 42")+"\n"+fence("pass"), Options{Timeout: timeout}))
	res := runLesson(t, md, Options{Timeout: timeout})
	cr := res.Cells[1]
	if !interruptedBy(cr, transcript.Timeout) {
		t.Errorf("loop cell: want interrupted with a timeout note\n%s", dump(cr))
	}
	errs := outputsOf(cr, transcript.Error)
	if len(errs) != 1 || !strings.Contains(errs[0], "KeyboardInterrupt") || !strings.Contains(errs[0], "Traceback") {
		t.Errorf("loop cell: want one KeyboardInterrupt traceback, got %q", errs)
	}
	bound.Check(t, cr.Duration, "the Python loop was not stopped at its timeout")
	if got := streams(res.Cells[2]); got != "alive 42\n" || res.Cells[2].Status != transcript.OK {
		t.Errorf("the next Python cell:\n%s", dump(res.Cells[2]))
	}
}

// TestContextCancel: when labrun is stopped the current step is
// interrupted and the cells left are skipped.
func TestContextCancel(t *testing.T) {
	started := filepath.Join(t.TempDir(), "started")
	l := parseLesson(t, fence("!echo first")+"\n"+fence("!touch "+started+"; sleep 30")+"\n"+fence("!echo never"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Not cancelled, the sleep 30 runs for 30 s past the cancel.
	bound := loadbound.New(t, "the run after the cancel", proc.DefaultGrace, 30*time.Second,
		runBaseline(t, fence("!echo first")+"\n"+fence("!true")+"\n"+fence("!true")))
	// The cancel comes once the second cell's step runs, however long
	// the start took on a loaded machine.
	cancelled := make(chan time.Time, 1)
	go func() {
		for {
			if _, err := os.Stat(started); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancelled <- time.Now()
		cancel()
	}()
	res, err := Run(ctx, l, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-cancelled:
		bound.Check(t, time.Since(at), "the cancel did not stop the step")
	default:
		t.Errorf("Run returned before the second cell's step started")
	}
	if !res.Interrupted {
		t.Errorf("Result.Interrupted not set")
	}
	if got := streams(res.Cells[0]); got != "first\n" || res.Cells[0].Status != transcript.OK {
		t.Errorf("first cell:\n%s", dump(res.Cells[0]))
	}
	if cr := res.Cells[1]; !interruptedBy(cr, transcript.Cancelled) {
		t.Errorf("running cell: want interrupted, labrun interrupted\n%s", dump(cr))
	}
	if cr := res.Cells[2]; cr.Status != transcript.Skipped || len(cr.Outputs) != 0 {
		t.Errorf("cell after the stop: want skipped, no output\n%s", dump(cr))
	}
}

// TestSetupAndSkippedCells: the course's set-up cell and %%sql are not run.
func TestSetupAndSkippedCells(t *testing.T) {
	md := fence("# look at tools/set_up_magics.ipynb\nget_ipython().run_cell('raise SystemExit(3)')  # nothing to run #MAGICS_SETUP_END") + "\n" +
		fence("%%sql\nSELECT 1;") + "\n" +
		fence("print(sys.version_info[0], os.path.basename(os.getcwd()) != '')")
	res := runLesson(t, md, Options{})
	for i := 0; i < 2; i++ {
		if cr := res.Cells[i]; cr.Status != transcript.Skipped || len(cr.Outputs) != 0 {
			t.Errorf("cell %d: want skipped, no output\n%s", i, dump(cr))
		}
	}
	if got := streams(res.Cells[2]); got != "3 True\n" {
		t.Errorf("set-up imports: %q\n%s", got, dump(res.Cells[2]))
	}
}

// TestOutputCap: a step's output is kept head and tail, with a marker
// saying how much was dropped between.
func TestOutputCap(t *testing.T) {
	res := runLesson(t, fence("!seq 1 20000"), Options{OutputCap: 1000})
	out := streams(res.Cells[0])
	if !strings.HasPrefix(out, "1\n2\n3\n") || !strings.HasSuffix(out, "19999\n20000\n") {
		t.Errorf("head or tail lost: %q … %q", out[:min(len(out), 40)], out[max(0, len(out)-40):])
	}
	if !strings.Contains(out, "bytes of output dropped here; 1000 kept]") {
		t.Errorf("no drop marker in %d bytes of output", len(out))
	}
	if len(out) > 1200 {
		t.Errorf("kept %d bytes with a 1000-byte cap", len(out))
	}
}

// TestCaptureTimeout: x = !cmd is interrupted on timeout too (SIGINT to
// its group, no pty), and the cell goes on with what was captured.
func TestCaptureTimeout(t *testing.T) {
	const timeout = time.Second
	// Not enforced, the capture waits for sleep 30.
	bound := loadbound.New(t, "the capturing cell", timeout+pyGrace, 30*time.Second,
		cellBaseline(t, fence("x = !echo partial\nprint(x)"), Options{Timeout: timeout}))
	res := runLesson(t, fence("x = !echo partial; sleep 30\nprint(x)"), Options{Timeout: timeout})
	cr := res.Cells[0]
	if !interruptedBy(cr, transcript.Timeout) || streams(cr) != "['partial']\n" {
		t.Errorf("want interrupted, ['partial'] printed:\n%s", dump(cr))
	}
	bound.Check(t, cr.Duration, "the captured command was not stopped at its timeout")
}

// TestPythonWorkerDies: a worker killed by the lesson is started afresh
// for the next Python cell, its state lost and said so.
func TestPythonWorkerDies(t *testing.T) {
	md := fence("a = 1") + "\n" +
		fence("os.kill(os.getpid(), 9)") + "\n" +
		fence("print('fresh', 'a' in dir())")
	res := runLesson(t, md, Options{})
	if cr := res.Cells[1]; cr.Status == transcript.OK || cr.WorkerLost == nil {
		t.Errorf("killed worker: want a failed cell with a note:\n%s", dump(cr))
	}
	if got := streams(res.Cells[2]); got != "fresh False\n" {
		t.Errorf("next cell: %q\n%s", got, dump(res.Cells[2]))
	}
}

// TestStuckWaitsForBackground: a step blocked on a FIFO is not stuck while
// a background step that will open the other end is asleep on a timer.
func TestStuckWaitsForBackground(t *testing.T) {
	md := fence("!mkfifo f\na = TInteractiveLauncher('sleep 1; echo late > f')") + "\n" +
		fence("!cat f") + "\n" +
		fence("a.close()")
	res := runLesson(t, md, Options{})
	cr := res.Cells[1]
	if cr.Status != transcript.OK || streams(cr) != "late\n" {
		t.Errorf("the reader was interrupted instead of waiting for the writer:\n%s", dump(cr))
	}
	if log := pidRe.ReplaceAllString(logOf(t, res.Cells[0]), "${1}N"); log != "L | Process started. PID = N\nL | Process finished. Exit code 0" {
		t.Errorf("writer log %q", log)
	}
}

// TestContextCancelPython: stopping labrun during Python code interrupts
// it (KeyboardInterrupt) and skips the rest.
func TestContextCancelPython(t *testing.T) {
	l := parseLesson(t, fence("import time\ntime.sleep(30)")+"\n"+fence("print('never')"))
	// Not cancelled, time.sleep(30) runs for 30 s.
	bound := loadbound.New(t, "the cancelled run", time.Second+pyGrace, 30*time.Second,
		runBaseline(t, fence("import time")+"\n"+fence("pass")))
	ctx, cancel := contextWithCancelAfter(time.Second)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, l, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	bound.Check(t, time.Since(start), "the cancel at 1s did not stop the Python cell")
	if cr := res.Cells[0]; !interruptedBy(cr, transcript.Cancelled) {
		t.Errorf("python cell:\n%s", dump(cr))
	}
	if cr := res.Cells[1]; cr.Status != transcript.Skipped {
		t.Errorf("next cell:\n%s", dump(cr))
	}
	if !res.Interrupted {
		t.Errorf("Result.Interrupted not set")
	}
}

// TestPtyDaemonHoldingTerminal: a ! step whose sh exited while a daemon in
// another session keeps the terminal open: as IPython (pexpect), the step
// ends once its program is dead and nothing is left to read, not at the
// timeout.
func TestPtyDaemonHoldingTerminal(t *testing.T) {
	tag := setTag(t)
	t.Cleanup(func() { killTagged(tag) })
	const timeout = 30 * time.Second
	// Held by the daemon, the step would end at its timeout.
	bound := loadbound.New(t, "the step", 300*time.Millisecond+proc.PtyDrain, timeout,
		cellBaseline(t, fence("!sleep 0; echo started"), Options{Timeout: timeout}))
	res := runLesson(t, fence("!(setsid sleep 1000 &); sleep 0.3; echo started"), Options{Timeout: timeout})
	cr := res.Cells[0]
	if cr.Status != transcript.OK || streams(cr) != "started\n" {
		t.Errorf("want ok, output started:\n%s", dump(cr))
	}
	bound.Check(t, cr.Duration, "the daemon holding the terminal kept the step to its timeout")
	if left := tagged(tag); len(left) > 0 {
		t.Errorf("processes left after Run returned:\n%s", strings.Join(left, "\n"))
	}
}
