// Command labrun runs Markdown lessons: it writes their source files,
// compiles them, runs every step in order with timeouts, and renders an
// annotated transcript. Run "labrun help" for the manual.
//
// The command line is cobra's (cli.go: the command tree, how help and
// mistakes look; man.go: man pages from the same definitions). Each
// command's file defines its flags and its action: run.go, check.go,
// report.go, handouts.go (strip, tangle, html, import, export), clean.go,
// version.go; flags.go holds the step flags run and check share, paths.go
// the files each command reads and writes (an output that would
// overwrite an input or another output is refused). This file holds the
// manual, the exit codes and what errors exit with; signals.go how
// Ctrl-C, SIGTERM and SIGHUP end a run.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/labrun/labrun/internal/proc"
)

// Exit codes, decided here only.
const (
	exitOK          = 0
	exitRunFailed   = 1 // labrun itself could not run a step
	exitBadInput    = 2 // bad lesson, bad flags
	exitHangup      = 129
	exitInterrupted = 130
	exitTerminated  = 143
	exitBrokenPipe  = 141 // standard output or error closed (signals.go)
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// rootLong is "labrun help": the manual. Its Usage block lists the
// commands by hand, in the order a teacher meets them.
const rootLong = `labrun runs Markdown lessons and writes annotated transcripts.

Usage:
  labrun run LESSON.md [-o OUT.md] [--html PAGE.html] [--timeout D] [--keep | --in-place]
  labrun run LESSON.md... -o DIR   (one after the other; DIR/PATH of each lesson)
  labrun check PATH[:LINE]... [--update [--dry-run]] [-j N] [--list]
               [--shard K/N [--durations REPORT]] [--run REGEX] [-x]
               [--failed-from REPORT] [--junit FILE] [--json] [-q | -v]
                                                (labrun help check)
  labrun report merge REPORT... [-o OUT]
  labrun strip TRANSCRIPT [-o OUT.md]
  labrun tangle LESSON.md -d DIR
  labrun html TRANSCRIPT [-o PAGE.html] [--no-output]
  labrun import NOTEBOOK.ipynb [-o LESSON.md] [--no-output]
  labrun export TRANSCRIPT [-o NOTEBOOK.ipynb]
  labrun clean       kill what killed runs left behind (see below)
  labrun version
  labrun completion bash|zsh|fish   a shell's completion script
  labrun help [COMMAND]             the manual, or a command's help
  labrun help lessons               which fences run, fence attributes
  labrun help volatile              the volatile values check masks

A lesson is lecture notes in Markdown. Its fenced code cells are run in
order, in a scratch copy of the lesson's folder (which fences run, and
the native dialect for new lessons: labrun help lessons):

  %%cpp FILE / %%asm / %%save_file / %%cmake / %%makefile
        write the cell to FILE, then run its "%run CMD" lines
  %%bash, %%sh       feed the cell to bash / sh
  %%writefile FILE   write the cell verbatim
  Python cells       one Python 3 per lesson, state kept across cells;
                     "!cmd" runs a shell command under a terminal,
                     "x = !cmd" captures its lines, {expr} and $name
                     interpolate, %p EXPR shows a value, %MD TEXT shows text,
                     TInteractiveLauncher(CMD) and %bash_async CMD run a
                     command in the background across cells

Every step has a timeout; on expiry (or as soon as it can never progress)
labrun sends Ctrl-C, waits a short grace, kills its process group, and goes
on as Jupyter does: with the cell's next !cmd or %run line, in a new window
of the timeout, or with the next cell. Nothing labrun started survives the
lesson. Only a labrun killed with SIGKILL cannot clean up: what its lesson
left running lives on until the next "labrun run" or "labrun clean", which
kill it.

The transcript keeps every line of the lesson and adds each cell's output
after it, as "jupyter nbconvert --to markdown" lays it out, with an HTML
comment saying how the cell ended.

What a step prints is shown as a terminal showed it: colour codes and
hyperlinks removed (an HTML page keeps the colours), \r rewrites and
backspace overstrikes resolved, NUL and other control bytes as \x00.

Handouts, from one lesson:
  strip   the skeleton: a transcript (labrun's, or a course README.md in
          nbconvert's layout) without its outputs, byte for byte
  tangle  every file the lesson writes, byte for byte as run writes it,
          and run.sh replaying its shell commands in order, each with a
          timeout (LABRUN_STEP_TIMEOUT, default 10 s)
  html    one self-contained page (no script, nothing fetched): prose,
          highlighted code, outputs, background logs, how each cell ended,
          contents; --no-output for the students' version
  import  a Jupyter notebook as a lesson in the course's Markdown layout
          (the set-up cell dropped, %%cpp fenced as cpp, outputs as
          nbconvert lays them out); --no-output for the skeleton
  export  a transcript as an nbformat 4.5 notebook with its outputs
          (import gives a labrun transcript back byte for byte)

` + runExitStatus + `
Exit status of labrun check: 0 every cell passed, 1 a cell failed or
did not finish or a lesson could not run, 2 bad input or usage,
130 / 143 / 129 / 141 as for run (labrun help check).
`

// runExitStatus is labrun run's exit status, in the manual and in labrun
// help run.
const runExitStatus = `Exit status of labrun run: 0 when the lesson ran (cells may fail: that
is content), 1 when labrun could not run a step (no sh, bash or
python3), 2 on a bad lesson or bad usage, 130 / 143 / 129 when stopped
by Ctrl-C / SIGTERM / SIGHUP and 141 when standard output or error is
closed (the partial transcript is still written; a second one quits at
once, but a SIGTERM or SIGHUP within a second of the first is the same
one).
`

// rootExample is the manual's example.
const rootExample = `  labrun run examples/fifo/lesson.md -o /tmp/fifo.md --timeout 5s
  labrun html /tmp/fifo.md -o /tmp/fifo.html`

func main() {
	proc.MaybeGate() // a step starting: becomes the step's program
	proc.Reap()      // labrun collects every child's status, orphans' too
	os.Exit(route(os.Args[1:], stdoutStream, stderrStream))
}

// route runs the command line args names (the command tree of cli.go)
// and turns its error into an exit code. A mistake in the command line
// is one line on stderr saying what is wrong, then one saying where the
// help is.
func route(args []string, stdout, stderr io.Writer) int {
	if args == nil {
		args = []string{} // cobra reads os.Args for nil
	}
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	code := exitCode(err, stderr)
	if isUsage(err) {
		fmt.Fprintln(stderr, usageHint(cmd))
	}
	return code
}

// usageError is a mistake in the command line that labrun finds (a
// missing lesson, a zero timeout), said as "labrun: MESSAGE".
type usageError string

func (e usageError) Error() string { return string(e) }

// flagError is a mistake in the command line that the flag parser finds
// (an unknown flag, a bad value), said as cobra's commands say it:
// "Error: unknown flag: --bogus".
type flagError struct{ error }

func (e flagError) Unwrap() error { return e.error }

// isUsage says whether err is a mistake in the command line.
func isUsage(err error) bool {
	var ue usageError
	var fe flagError
	return errors.As(err, &ue) || errors.As(err, &fe)
}

// exitError carries an exit code decided by a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var fe flagError
	if errors.As(err, &fe) {
		fmt.Fprintf(stderr, "Error: %v\n", fe.error)
		return exitBadInput
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "labrun: %v\n", err)
		return exitBadInput
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "labrun: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "labrun: %v\n", err)
	return exitRunFailed
}
