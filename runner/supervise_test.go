package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// TestOneSupervisor drives each kind of step that can refuse to end
// through the one supervisor (proc.Supervise) and its named timings: a
// foreground step and a Python cell that ignore Ctrl-C, and a background
// step that ignores it and is closed. Each one is interrupted on its
// deadline, killed, and the lesson goes on.
func TestOneSupervisor(t *testing.T) {
	md := fence("!trap '' INT; while :; do sleep 0.1; done") + "\n" +
		fence("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass") + "\n" +
		fence("a = TInteractiveLauncher(\"trap '' INT TERM; while :; do sleep 0.1; done\")\na.close(0.5)") + "\n" +
		fence("print('after')")
	res := runLesson(t, md, Options{Timeout: time.Second, Grace: 200 * time.Millisecond})
	fg, py, bg := res.Cells[0], res.Cells[1], res.Cells[2]
	if !interruptedBy(fg, transcript.Timeout) || fg.Exit.Signal != unix.SIGKILL {
		t.Errorf("foreground step: want interrupted on timeout and killed (exit -9)\n%s", dump(fg))
	}
	if !interruptedBy(py, transcript.Timeout) || py.WorkerLost == nil || !py.WorkerLost.Killed {
		t.Errorf("Python cell: want interrupted on timeout and the worker killed\n%s", dump(py))
	}
	if log := logOf(t, bg); !strings.HasSuffix(log, "L | Process finished. Got signal 9") {
		t.Errorf("background step: want killed at its close timeout, log %q\n%s", log, dump(bg))
	}
	if got := streams(res.Cells[3]); got != "after\n" {
		t.Errorf("the lesson went on: last cell %q\n%s", got, dumpAll(res))
	}
}
