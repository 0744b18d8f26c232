package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"golang.org/x/sys/unix"
)

// Console blocks run in shell sessions that last the lesson: one for
// every block (the lesson's default), one for each name session= gives.
// A session's shell starts at its first block, in that block's folder and
// environment (cwd=, env=; a later block's cwd= and env= are a cd and
// exports the shell runs before the block), and ends with the lesson,
// with everything its commands left (the run's Session sweeps it).
//
// The shell is bash, interactive (-i: its messages read as at a terminal,
// "bash: foo: command not found", with no script line in them; aliases
// expand), reading its commands from a FIFO of labrun's as its script,
// never from its terminal or stdin: a command that reads its input reads
// the terminal (no-pty: /dev/null), and labrun writes the next command
// only once the one before is over. Each command is one job
// (proc.Step.RunJob): an eval of the command as written, then a printf of
// a mark with a nonce, the command's count and its exit status. (So "$_"
// does not carry over from a command to the next: the eval's argument, the
// command's text, is the last argument before it.) Under a
// pty bash runs with job control, so each command is the terminal's
// foreground process group; a trap on SIGINT keeps the shell alive when
// Ctrl-C stops a command, and the eval runs in a loop of one round, so
// that bash drops the rest of the command then (of a list, of a loop), as
// at a terminal (a break or continue of the command's own, outside any
// loop of its, ends that round without a word: the one way it differs).
// History expansion is off: an "!" is an "!".
//
// A command has its own timeout (the block's timeout=, or the lesson's)
// and its own stuck checks; what happens on a timeout is proc.Job's
// escalation. The shell lives on, and the block's later commands run, as
// at a terminal after Ctrl-C. A command the shell runs itself (a loop of
// builtins, a read) ends only with the shell: the session is then over,
// and its later commands are not run. An exit ends the session too: its
// later commands, in this block and the next ones, are not run and fail
// the cell, naming the line of the exit.

// shellSession is one console session's shell.
type shellSession struct {
	step *proc.Step
	pty  bool
	// posix: the shell is a cram test's (cram.go), spoken to in POSIX sh.
	posix bool
	// cmds is the FIFO the shell reads its commands from, which labrun
	// holds open for reading and writing (the shell sees no EOF between
	// commands, and a write never waits for a reader).
	cmds *os.File
	// nonce and count make each command's mark.
	nonce string
	count int
	// ended is the command during which the shell ended by itself (an
	// exit), or nil; gone says the shell is gone either way.
	ended *consoleEnd
	gone  bool
}

// consoleEnd is the command whose exit ended a session.
type consoleEnd struct {
	cmd  *lessons.ConsoleCommand
	exit int
}

// shellSetup is what the shell runs first, before any command: $0 reads
// "bash", no history (nor its file), no mail checks, and Ctrl-C stops a
// command, not the shell.
const shellSetup = "BASH_ARGV0=bash; set +H +o history; unset HISTFILE MAILCHECK PROMPT_COMMAND; trap : INT"

// shell returns the session cell's console block runs in, starting its
// shell at the session's first block.
func (r *run) shell(cell *cellRun) (*shellSession, error) {
	name, pty := cell.c.ConsoleSession()
	pty = pty && r.cram == nil // a cram test's shell runs on pipes
	if s := r.shells[name]; s != nil {
		if s.pty != pty {
			// lessons.Parse refuses such a lesson; one made otherwise
			// cannot run.
			return nil, fmt.Errorf("console session %q: its shell runs with pty=%v, this block asks pty=%v", name, s.pty, pty)
		}
		return s, nil
	}
	s, err := r.startShell(cell, pty)
	if err != nil {
		return nil, err
	}
	if r.shells == nil {
		r.shells = map[string]*shellSession{}
	}
	r.shells[name] = s
	return s, nil
}

// startShell starts a session's shell for cell's block and runs its
// set-up.
func (r *run) startShell(cell *cellRun, pty bool) (*shellSession, error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, fmt.Errorf("%w: bash is not in PATH", ErrNoProgram)
	}
	fifo := filepath.Join(r.work.private(), "console-"+strconv.Itoa(len(r.shells)))
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return nil, fmt.Errorf("console session: %w", err)
	}
	cmds, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("console session: %w", err)
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	spec := proc.StepSpec{Path: bash, Args: []string{"bash", "--norc", "--noprofile", "-i", fifo},
		Dir: r.cellDir(cell.c), Env: r.cellEnv(cell.c), Pty: pty, Merge: !pty, OutputCap: r.opts.OutputCap}
	setup, setupTime := shellSetup, proc.InterpreterStart
	if r.cram != nil {
		spec.Path, spec.Args, setup = r.cram.shell, cramShellArgs(r.cram.shell, fifo, r.opts.ShellOpts), r.cramPreamble()
		if setup != "" {
			setupTime = r.cellTimeout(cell.c)
		}
	}
	st, err := r.sess.StartStep(spec)
	if err != nil {
		cmds.Close()
		return nil, err
	}
	s := &shellSession{step: st, pty: pty, posix: r.cram != nil, cmds: cmds, nonce: hex.EncodeToString(nonce)}
	// What bash says as it starts (no-pty: that it has no job control)
	// is no command's output.
	res, err := s.run(r, setup, proc.Policy{Deadline: time.Now().Add(setupTime)})
	if err != nil {
		s.close()
		return nil, err
	}
	r.cramStarted(res)
	return s, nil
}

// run runs one command in the session under pol.
func (s *shellSession) run(r *run, cmd string, pol proc.Policy) (proc.JobResult, error) {
	return s.runCram(r, cmd, nil, pol)
}

// runCram runs one command in the session under pol; send, when set,
// says which command of a cram test it is, and how it is sent
// (cramprobe.go).
func (s *shellSession) runCram(r *run, cmd string, send *cramSend, pol proc.Policy) (proc.JobResult, error) {
	s.count++
	mark := fmt.Sprintf("%slabrun-%s-%d ", markerByte, s.nonce, s.count)
	script := fmt.Sprintf("for _ in 1; do \\eval %s; done\n\\builtin printf '%%s%%d%s\\n' '%s' \"$?\"\n", shQuote(cmd), markerByte, mark)
	last := false // the shell reads the script's end after the command
	if s.posix {
		// the first is the setup (startShell)
		script, last = r.cramScript(cmd, send, mark, s.count == 1, pol.Deadline)
	}
	job := proc.Job{Send: func() error {
		_, err := s.cmds.WriteString(script)
		if err == nil && last {
			err = s.cmds.Close()
		}
		return err
	}, Mark: []byte(mark), MarkEnd: []byte(markerByte), ToEOF: last}
	// (last: cram reads its shell's output to its end, and so does labrun
	// once the script has ended, also when the shell exits at once, on a
	// syntax error: what it printed is all there, however loaded the
	// machine)
	res, err := s.step.RunJob(r.ctx, job, pol)
	if err == nil && last && res.Interrupted == nil {
		// The command may take its mark into itself and print it (an
		// open pipe: "echo hi |"): the script has ended, and so does the
		// shell; what it prints as it ends is the command's, without
		// the mark.
		if !res.Ended {
			res = s.awaitEnd(r, res, pol)
		}
		if before, after, ok := strings.Cut(res.Output, mark); ok {
			_, rest, _ := strings.Cut(after, markerByte+"\n")
			res.Output = before + rest
		}
	}
	if res.Ended {
		s.gone = true
	}
	return res, err
}

// awaitEnd waits, under pol, for the shell to end once it has read the
// end of its script after a command whose result is res: res with what
// the shell printed then, and how it ended.
func (s *shellSession) awaitEnd(r *run, res proc.JobResult, pol proc.Policy) proc.JobResult {
	job := proc.Job{Send: func() error { return nil }, Mark: []byte(markerByte + "labrun-end-" + s.nonce), MarkEnd: []byte(markerByte), ToEOF: s.posix}
	end, err := s.step.RunJob(r.ctx, job, pol)
	if err != nil {
		return res
	}
	end.Output = res.Output + end.Output
	end.Duration += res.Duration
	return end
}

// blockSetup is the cd and the exports a later block's cwd= and env= ask
// of its session's shell ("" when it asks none).
func (r *run) blockSetup(c *lessons.Cell) string {
	if c.Attrs == nil {
		return ""
	}
	var parts []string
	if c.Attrs.Cwd != "" {
		parts = append(parts, "cd -- "+shQuote(r.cellDir(c)))
	}
	for _, kv := range c.Attrs.Env {
		parts = append(parts, "export "+shQuote(kv))
	}
	return strings.Join(parts, " && ")
}

// close ends the session's shell and lets go of its FIFO; what its
// commands left in the background is the run Session's to sweep.
func (s *shellSession) close() {
	s.step.Kill()
	s.step.CloseOutput()
	s.cmds.Close()
}

// closeShells ends every console session of the run.
func (r *run) closeShells() {
	for _, s := range r.shells {
		s.close()
	}
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
