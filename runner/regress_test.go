package runner

import (
	"context"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/transcript"
)

// Regression tests for bugs found by the first test suite.

// TestLauncherStreamOrder: lines written to stdout then stderr at once
// should be logged in that order on every run (the course's launcher
// polled stdout before stderr).
func TestLauncherStreamOrder(t *testing.T) {
	md := fence("a = TInteractiveLauncher('echo out; echo err >&2')") + "\n" + fence("a.close()")
	for i := 0; i < bgRepeats; i++ {
		res := runLesson(t, md, Options{})
		log := pidRe.ReplaceAllString(logOf(t, res.Cells[0]), "${1}N")
		if want := "L | Process started. PID = N\nO | out\nE | err\nL | Process finished. Exit code 0"; log != want {
			t.Fatalf("run %d: log %q, want %q", i, log, want)
		}
	}
}

// TestLauncherLargeWrite: a.write() of more than a pipe holds, to a step
// that does not read, blocks labrun for good: no timeout, no Ctrl-C gets
// it out (the course's launcher queued the input instead).
func TestLauncherLargeWrite(t *testing.T) {
	tag := setTag(t)
	defer killTagged(tag) // unblocks the write: the pipe loses its reader
	l := parseLesson(t, fence("a = TInteractiveLauncher('sleep 30')\na.write('x' * 200000)")+"\n"+fence("print('next')"))
	const timeout, cancelAfter = 2 * time.Second, 5 * time.Second
	// Blocked, the run never returns.
	bound := loadbound.New(t, "the run", cancelAfter+pyGrace, 0,
		runBaseline(t, fence("a = TInteractiveLauncher('cat >/dev/null')\na.write('x')")+"\n"+fence("print('next')")))
	ctx, cancel := context.WithTimeout(context.Background(), cancelAfter)
	defer cancel()
	done := make(chan *transcript.Result, 1)
	start := time.Now()
	go func() {
		res, _ := Run(ctx, l, t.TempDir(), Options{Timeout: timeout})
		done <- res
	}()
	if res, ok := loadbound.Await(t, bound, start, done); !ok {
		t.Errorf("Run still blocked %.1fs later, past its %v timeout and its cancelled context", time.Since(start).Seconds(), timeout)
	} else if res == nil || streams(res.Cells[1]) != "next\n" {
		t.Errorf("the run did not go on after the large write")
	}
}

// TestBangInString: a line starting with ! inside a triple-quoted string
// is text, not a shell escape (IPython transforms logical lines only).
func TestBangInString(t *testing.T) {
	res := runLesson(t, fence("s = \"\"\"\n!not a command\n\"\"\"\nprint(repr(s))"), Options{})
	if got := streams(res.Cells[0]); got != "'\\n!not a command\\n'\n" {
		t.Errorf("got %q\n%s", got, dump(res.Cells[0]))
	}
}
