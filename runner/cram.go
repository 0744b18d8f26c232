package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// A lesson read from a cram test file (lessons.ParseCram), or one whose
// directive names one (<!-- labrun: cram=foo.t -->), runs as cram 0.7
// runs a test (_main.py, _run.py, _test.py): its console blocks run in
// one session of the shell of Options.Shell (cram's --shell, /bin/sh by
// default) for the whole file, through pipes with stderr merged
// (shell.go, which speaks to it in POSIX sh: cramScript); in a fresh
// cramtests-* dir of the run dir (CRAMTMP, so labrun's cleanup owns
// it), with tmp/ in it the steps' TMPDIR, TEMP and TMP, and the work dir
// $CRAMTMP/NAME, empty, NAME the test file's base name; with labrun's
// own environment and what cram sets over it: TESTDIR (the file's dir,
// absolute), TESTFILE, TESTSHELL, CRAMTMP, TMPDIR, TEMP, TMP, and as
// cram "cleans" it, LANG, LC_ALL and LANGUAGE C, TZ GMT, CDPATH and
// GREP_OPTIONS empty, COLUMNS 80 (not under Options.CramPreserveEnv,
// cram's -E). In a cram test file (not a Markdown
// lesson), a shell that exits 80 skips the test (Result.CramSkipped).

// DefaultCramShell is the shell cram runs a test in without --shell.
const DefaultCramShell = "/bin/sh"

// cramSkipExit is the exit status with which a cram test skips itself.
const cramSkipExit = 80

// cramRun is what a lesson run as a cram test keeps.
type cramRun struct {
	// shell is the shell's path, as PATH finds Options.Shell (TESTSHELL).
	shell string
	// skipped is the line of the command after which the shell exited 80.
	skipped int
	// start is the run of the file's preamble (Result.CramStart).
	start *transcript.ConsoleOutput
	// salt is the salt of cram's markers labrun writes (cramprobe.go);
	// cmds the test's commands, index their indexes, closed which of them
	// labrun's group takes whole (nil: the shell was not asked yet).
	salt   string
	cmds   []*lessons.ConsoleCommand
	index  map[*lessons.ConsoleCommand]int
	closed []bool
	// joinedTo is the last command joined to one left open before it
	// (-1: none); joinedCut says that one was interrupted.
	joinedTo  int
	joinedCut bool
}

// cramLayout makes the run's cram dirs in the run dir and sets the run's
// work dir and environment; lessonDir holds the test file.
func (r *run) cramLayout(lessonDir string) error {
	name := r.opts.Shell
	if name == "" {
		name = DefaultCramShell
	}
	shell, err := exec.LookPath(name)
	if err == nil {
		shell, err = filepath.Abs(shell) // cram's is (_main.py: _which); the shell runs in another dir
	}
	if err != nil {
		return fmt.Errorf("%w: %s is not in PATH (--shell)", ErrNoProgram, name)
	}
	testDir, err := filepath.Abs(lessonDir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(r.work.run.Path(), "cramtests-")
	if err != nil {
		return fmt.Errorf("make the cram dir: %w", err)
	}
	dir := filepath.Join(tmp, r.lesson.CramName)
	for _, d := range []string{filepath.Join(tmp, "tmp"), dir} {
		if err := os.Mkdir(d, r.work.dirMode); err != nil {
			return fmt.Errorf("make the cram dir: %w", err)
		}
	}
	r.work.keepSub, _ = filepath.Rel(r.work.run.Path(), tmp)
	r.dir, r.cram = dir, &cramRun{shell: shell, salt: cramSalt(), joinedTo: -1}
	set := []string{
		"CRAMTMP=" + tmp, "TMPDIR=" + filepath.Join(tmp, "tmp"), "TEMP=" + filepath.Join(tmp, "tmp"), "TMP=" + filepath.Join(tmp, "tmp"),
		"TESTDIR=" + testDir, "TESTFILE=" + r.lesson.CramName,
	}
	if !r.opts.CramPreserveEnv {
		set = append(set, cramCleanEnv...)
	}
	r.env = cramEnv(os.Environ(), append(set, "TESTSHELL="+shell))
	return nil
}

// cramCleanEnv is what cram sets in a test's environment unless -E
// (_test.py: test, cleanenv).
var cramCleanEnv = []string{"LANG=C", "LC_ALL=C", "LANGUAGE=C", "TZ=GMT", "CDPATH=", "COLUMNS=80", "GREP_OPTIONS="}

// cramEnv is env with each K=V of set in place of K's value, or added.
func cramEnv(env, set []string) []string {
	drop := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	out := appendWithout(make([]string, 0, len(env)+len(set)), env, drop)
	return append(out, set...)
}

// cramPreamble is what a cram test's shell runs first (its mark says
// the shell reads the FIFO; cramScript): the file's preamble, the "> "
// lines before its first command, which cram runs before it; nothing for
// a file without one, and for a Markdown lesson run as a cram test.
func (r *run) cramPreamble() string {
	if r.lesson.Cram == nil {
		return ""
	}
	return r.lesson.Cram.Preamble
}

// cramStarted keeps the run of a cram test file's preamble (res, its
// job's), for Result.CramStart; a preamble that exits 80 skips the test.
// A file without one keeps it too when the shell ended, or was
// interrupted, before its first mark (a --shell that exits at once, or
// never reads its script): cram's .err then has no command's output,
// and the file fails, as cram's does, where its lines would otherwise
// stand as not run, and pass.
func (r *run) cramStarted(res proc.JobResult) {
	if r.cram == nil || r.lesson.Cram == nil || r.cramPreamble() == "" && !res.Ended && res.Interrupted == nil {
		return
	}
	co := &transcript.ConsoleOutput{Ran: true, Output: res.Output, Duration: res.Duration, Ended: res.Ended, Interruption: res.Interrupted}
	co.Exit, _ = strconv.Atoi(res.Status)
	if res.Ended {
		co.Exit = res.Exit.Code
		if co.Exit == cramSkipExit && res.Interrupted == nil {
			r.cram.skipped = max(r.lesson.Cram.PreambleLine, 1)
		}
	}
	r.cram.start = co
}

// cramShellArgs are the argv of a cram test's shell: as cram starts it
// (_test.py: shell + ['-'], the script on its stdin; opts, cram's
// --shell-opts, before the "-"), so that its messages name it as cram's
// do ("/bin/sh: 2: foo: not found": $0 is the shell's path); a -c that
// execs it with the FIFO as its stdin.
func cramShellArgs(shell, fifo string, opts []string) []string {
	return append([]string{shell, "-c", `f=$1; shift; exec "$0" "$@" - <"$f"`, shell, fifo}, opts...)
}

// cramScript is what a cram test's shell reads for one command: the
// command's lines as they are, then its mark with its exit status, in
// POSIX sh (cram's shell may be any: dash, bash, zsh). cram writes each
// command's lines after a line of its own (_test.py: the echo of its
// marker), so the script's lines are counted as cram's are, and a message
// with a line number ("/bin/sh: 4: Syntax error") says cram's: the mark
// stands on the line after the command, and the session's setup (first)
// is the file's preamble, which cram runs before its first echo, and a
// mark in place of that echo (a mark alone without a preamble). The
// command runs in a
// group whose stdin is /dev/null, so that it does not read the FIFO, the
// shell's script; cram's shell reads its script from a pipe, which dash
// has read to its end before the commands run (a command reading its
// stdin reads nothing there too). The ":" keeps a group of no command
// (an empty one, a comment) from being a syntax error.
//
// A command of a cram test that the group does not take whole (send:
// cramprobe.go asked the shell once for the file) is sent with the
// commands the shell reads into it, cram's markers between them, as
// cram's script has them, so that its lines are counted as cram's: in
// the group when the shell's grammar closes them at a later command;
// else as the rest of cram's script, its last marker too, which ends
// there (last: labrun closes the FIFO after it), so that the shell reads
// it to its end and says what cram's says, on cram's line (a syntax
// error, "expecting \"fi\""), or runs what a heredoc left open holds.
// The setup, and a command of a Markdown lesson run as a cram test, that
// is no whole program on its own (the shell's -n refuses it) is sent
// alone, its mark on the next line, and ends the script.
func (r *run) cramScript(cmd string, send *cramSend, mark string, first bool, deadline time.Time) (script string, last bool) {
	// The mark's bytes \036 stand in the script as escapes, so that a
	// shell that traces its commands (--shell-opts=-x) does not print the
	// mark in its trace.
	printMark := fmt.Sprintf("printf '\\%03o%s%%d\\%03o\\n' \"$?\"\n", markerByte[0], strings.TrimPrefix(mark, markerByte), markerByte[0])
	group := func(text string) string { return "{ :; " + text + "\n} </dev/null; " + printMark }
	switch {
	case first && cmd == "":
		return printMark, false
	case send == nil && !r.cramParses(cmd, deadline):
		return cmd + "\n" + printMark, true
	case send == nil || !send.u.open:
		return group(cmd), false
	case r.lesson.Cram == nil:
		return cmd + "\n" + printMark, true // a Markdown lesson's (cramprobe.go)
	case send.u.toEnd:
		return r.cramJoin(send.k, send.u.through) + "\n" + cram.Mark(r.cram.salt, len(r.lesson.Cram.Lines)) + "\n", true
	}
	return group(r.cramJoin(send.k, send.u.through)), false
}

// cramSend is a command of a cram test to send: its index, and how.
type cramSend struct {
	k int
	u cramUnit
}

// cramParses says whether the cram test's shell reads cmd as a whole
// program on its own: its -n (read, do not run) takes it, by the
// deadline. A shell that cannot say (it does not start) takes it.
func (r *run) cramParses(cmd string, deadline time.Time) bool {
	ctx, cancel := context.WithDeadline(r.ctx, deadline)
	defer cancel()
	c := exec.Command(r.cram.shell, append(slices.Clip(r.opts.ShellOpts), "-n")...)
	c.Dir, c.Env, c.Stdin = r.dir, r.env, strings.NewReader(cmd+"\n")
	err := proc.Run(ctx, c)
	var exit *proc.ExitError
	return !errors.As(err, &exit)
}

// cramSkip marks a console cell of a cram test file whose shell exited
// 80 as skipped, and the run as a skipped test (a Markdown lesson run as
// a cram test does not skip itself so).
func (r *run) cramSkip(cr *transcript.CellResult) {
	if r.cram == nil || r.lesson.Cram == nil {
		return
	}
	for _, co := range cr.Console {
		if co.Ended && co.Exit == cramSkipExit {
			cr.Status, cr.Skip = transcript.Skipped, transcript.CramSkipped
			r.cram.skipped = co.Command.Line
			return
		}
	}
}

// cramEnd ends a cram test file's shell as cram's ends, once it has run
// the last command: cram's script ends there (_test.py: test), so the
// shell reads its end and exits by itself, running what it runs then (an
// EXIT trap), and cram reads its output to the end (_process.py: execute,
// Popen.communicate), also past the shell's end while a job left in the
// background holds it. labrun closes the FIFO (the shell reads its end)
// and waits, the lesson's timeout at most, for the shell's output to
// reach its end (proc.Job.ToEOF): what it printed is res.CramEnd; a job
// that still holds it then is killed, and res.CramEndCut says so (cram
// would wait for it for ever).
func (r *run) cramEnd(res *transcript.Result) {
	if r.cram == nil || r.lesson.Cram == nil || r.cramSkipped() || r.ctx.Err() != nil {
		return
	}
	for _, s := range r.shells {
		if s.gone {
			continue
		}
		s.gone = true
		job := proc.Job{Send: s.cmds.Close, Mark: []byte(markerByte + "labrun-end-" + s.nonce), MarkEnd: []byte(markerByte), ToEOF: true}
		end, err := s.step.RunJob(r.ctx, job, proc.Policy{Deadline: time.Now().Add(r.set.Timeout), Grace: r.opts.Grace})
		if err == nil && end.Ended {
			res.CramEnd, res.CramEndCut = end.Output, end.Interrupted
		}
	}
}

// cramSkipped says a cram test skipped itself: the cells after the one
// whose shell exited 80 are not run.
func (r *run) cramSkipped() bool { return r.cram != nil && r.cram.skipped > 0 }
