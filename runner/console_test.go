package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/loadbound"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
)

// consoleBlock is a console fence with attrs holding cmds, one "$ "
// line each.
func consoleBlock(attrs string, cmds ...string) string {
	return "```console run " + attrs + "\n$ " + strings.Join(cmds, "\n$ ") + "\n```\n"
}

// TestConsoleCommandTimeout: a console command past its own timeout is
// stopped at it, under a pty (Ctrl-C to its job) and on pipes (SIGINT,
// then SIGKILL to what the shell started for it); the shell lives on, its
// state kept, the block's later commands run, and a job an earlier
// command left in the background is not touched.
func TestConsoleCommandTimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	for _, mode := range []string{"", "no-pty"} {
		t.Run("pty="+fmt.Sprint(mode == ""), func(t *testing.T) {
			attrs := fmt.Sprintf("timeout=%v %s", timeout, mode)
			md := consoleBlock(attrs, "X=kept; sleep 100 & echo $! > bg.pid", "sleep 30; echo never",
				`kill -0 "$(cat bg.pid)" && echo "bg alive, X=$X"`)
			// Not enforced, the sleep runs its 30 s. The baseline is a
			// block of as many commands that stop at once.
			bound := loadbound.New(t, "a console command past its timeout", timeout+proc.DefaultGrace, 30*time.Second,
				cellBaseline(t, consoleBlock(mode, "true", "true", "true"), Options{}))
			res := runLesson(t, md, Options{})
			cr := res.Cells[0]
			if len(cr.Console) != 3 {
				t.Fatalf("%d commands, want 3\n%s", len(cr.Console), dump(cr))
			}
			late := cr.Console[1]
			if why := late.Interruption; why == nil || why.Cause != transcript.Timeout {
				t.Errorf("the sleep: interruption %+v, want its timeout\n%s", why, dump(cr))
			}
			bound.Check(t, cr.Duration, "the command was not stopped at its own timeout")
			if strings.Contains(late.Output, "never") {
				t.Errorf("the rest of the interrupted command ran: %q", late.Output)
			}
			if last := cr.Console[2]; !last.Ran || last.Output != "bg alive, X=kept\n" {
				t.Errorf("the command after the timeout: ran %v, output %q; want the same shell, its background job alive\n%s",
					last.Ran, last.Output, dump(cr))
			}
			if cr.Status != transcript.Interrupted || !interruptedBy(cr, transcript.Timeout) {
				t.Errorf("cell: %s", dump(cr))
			}
		})
	}
}

// TestConsoleStuckCommand: a console command that can never progress
// (cat reading a terminal nobody types at) is interrupted well before
// its timeout; the idle shell between commands and between blocks,
// waiting for its next command, is never called stuck nor timed out,
// however long the lesson's other cells take.
func TestConsoleStuckCommand(t *testing.T) {
	md := consoleBlock("", "X=1", "cat", "echo next") + "\n" +
		"```sh run\nsleep 1.5\n```\n\n" +
		consoleBlock("timeout=1s", `echo "X=$X"`)
	// Not detected, the cat runs until the lesson's 30 s timeout.
	// The promise: seen stuck once quiet for StuckQuiet, then Ctrl-C and
	// its grace, as for a stuck step (TestStuckDetection).
	bound := loadbound.New(t, "a stuck console command", proc.StuckQuiet+proc.DefaultGrace, 30*time.Second,
		cellBaseline(t, consoleBlock("", "true", "true", "true"), Options{Timeout: 30 * time.Second}))
	res := runLesson(t, md, Options{Timeout: 30 * time.Second})
	cr := res.Cells[0]
	if why := cr.Console[1].Interruption; why == nil || why.Cause != transcript.Stuck {
		t.Errorf("cat: interruption %+v, want stuck\n%s", why, dump(cr))
	}
	bound.Check(t, cr.Duration, "the stuck command was not seen stuck")
	if co := cr.Console[2]; co.Output != "next\n" || co.Interruption != nil {
		t.Errorf("the command after it: %+v", co)
	}
	if last := res.Cells[2]; last.Status != transcript.OK || last.Console[0].Output != "X=1\n" {
		t.Errorf("the block after a 1.5 s cell (its timeout 1s): the session's idle shell was disturbed\n%s", dump(last))
	}
}

// TestConsoleInterruptedRun: labrun interrupted (its context ends) during
// a console command stops that command (Ctrl-C to its job) at once; the
// block's later commands and the later blocks do not run, the cell says
// labrun was interrupted, and nothing of the session is left.
func TestConsoleInterruptedRun(t *testing.T) {
	const after = 300 * time.Millisecond
	md := consoleBlock("", "sleep 100 &", "sleep 30", "echo never") + "\n" + consoleBlock("", "echo neither")
	// Not passed on, the sleep runs until the lesson's 60 s timeout.
	bound := loadbound.New(t, "a console command when labrun is interrupted", after+proc.DefaultGrace, 60*time.Second,
		runBaseline(t, consoleBlock("", "true", "true", "true")+"\n"+consoleBlock("", "true")))
	tag := setTag(t)
	ctx, cancel := contextWithCancelAfter(after)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, parseLesson(t, md), t.TempDir(), Options{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	bound.Check(t, time.Since(start), "the interrupt did not reach the console command")
	cr := res.Cells[0]
	if why := cr.Console[1].Interruption; why == nil || why.Cause != transcript.Cancelled {
		t.Errorf("sleep 30: interruption %+v, want labrun's\n%s", why, dump(cr))
	}
	if cr.Console[2].Ran || res.Cells[1].Console != nil && res.Cells[1].Console[0].Ran {
		t.Errorf("commands ran after labrun was interrupted:\n%s", dumpAll(res))
	}
	if !res.Interrupted {
		t.Errorf("the result does not say labrun was interrupted")
	}
	if left := tagged(tag); len(left) > 0 {
		killTagged(tag)
		t.Errorf("processes left after the run: %v", left)
	}
}
