package runner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
)

// A console block's commands run one after the other in the block's
// shell session (shell.go), each as a job of its own: what the shell
// printed up to the command's mark is its output, the mark's status its
// exit status.

// markerByte brackets the marks; a nonce per session and a count per
// command keep a command from forging one.
const markerByte = "\x1e"

// runConsoleCell runs a console block's commands in its session.
func (r *run) runConsoleCell(cell *cellRun) error {
	c, cr := cell.c, cell.res
	name, _ := c.ConsoleSession()
	fresh := r.shells[name] == nil
	s, err := r.shell(cell)
	if err != nil {
		return err
	}
	cr.Steps++
	cr.Console = make([]transcript.ConsoleOutput, len(c.Console))
	for i, cmd := range c.Console {
		cr.Console[i].Command = cmd
	}
	if s.ended != nil {
		for i := range cr.Console {
			r.cramJoined(&cr.Console[i])
		}
		r.notRunAfterExit(cr, s.ended)
		return nil
	}
	if setup := r.blockSetup(c); setup != "" && !fresh && !s.gone {
		res, err := s.run(r, setup, proc.Policy{Deadline: time.Now().Add(r.cellTimeout(c))})
		if err != nil {
			return err
		}
		if res.Status != "0" {
			// As a step that cannot start in its cwd= (fresh, it is one).
			return fmt.Errorf("console block: its session could not take cwd= or env=: %s", strings.TrimSpace(cleanText([]byte(res.Output), s.pty)))
		}
	}
	for i := range cr.Console {
		if r.cramJoined(&cr.Console[i]) {
			continue // it ran in the job of one left open before it
		}
		if s.gone || r.ctx.Err() != nil {
			break // the session is over, or labrun interrupted: the rest does not run
		}
		if err := r.runConsoleCommand(cell, s, &cr.Console[i]); err != nil {
			return err
		}
	}
	r.cramSkip(cr)
	return nil
}

// runConsoleCommand runs one command of cell's block in session s, under
// its own timeout and stuck checks, into co.
func (r *run) runConsoleCommand(cell *cellRun, s *shellSession, co *transcript.ConsoleOutput) error {
	c, cr := cell.c, cell.res
	send, n := r.cramSendOf(co.Command)
	start := time.Now()
	pol := proc.Policy{Deadline: start.Add(time.Duration(n) * r.cellTimeout(c)), Start: start, Grace: r.opts.Grace}
	if !r.opts.NoStuckDetection {
		pol.Stuck = r.sess.JobStuckCheck(s.step, s.cmds, s.step.JobQuiet(start), proc.StuckQuiet)
	}
	r.bg.settle()
	res, err := s.runCram(r, co.Command.Text, send, pol)
	if err != nil {
		return err
	}
	r.cramSent(send, co, res)
	r.bg.settle()
	co.Ran, co.Output, co.Duration = true, cleanText([]byte(res.Output), s.pty), res.Duration
	if s.posix {
		co.Output = res.Output // cram writes the bytes as they are, escaped
	}
	if why := res.Interrupted; why != nil {
		co.Interruption = why
		cr.Interrupt(why)
		if s.pty && co.Output != "" && !strings.HasSuffix(co.Output, "\n") {
			// The terminal echoed the Ctrl-C ("^C"), and an interactive
			// shell starts its next prompt on a new line: the command's
			// output ends with that line.
			co.Output += "\n"
		}
	}
	if !res.Ended {
		co.Exit, _ = strconv.Atoi(res.Status)
		if co.Interruption != nil {
			cr.Exit = proc.Exit{Code: co.Exit}
		}
		return nil
	}
	co.Exit, cr.Exit = res.Exit.Code, res.Exit
	// The session is over: the later blocks of the session do not run
	// (notRunAfterExit).
	s.ended = &consoleEnd{cmd: co.Command, exit: co.Exit}
	if co.Interruption == nil && r.ctx.Err() == nil {
		// An exit ended it: its status is the command's; the commands
		// after it are not run, and fail the cell. (Killed to stop the
		// command, the interruption says why the rest does not run.)
		co.Ended = true
		if co.Command != c.Console[len(c.Console)-1] {
			cr.Status = transcript.Failed
		}
	}
	return nil
}

// notRunAfterExit records that none of a block's commands ran: its
// session ended in an earlier block (end: an exit, or the shell killed to
// stop a command). That fails the cell.
func (r *run) notRunAfterExit(cr *transcript.CellResult, end *consoleEnd) {
	cr.Console[0].EndedBefore = &transcript.ConsoleOutput{Command: end.cmd, Ran: true, Exit: end.exit, Ended: true}
	cr.Status = transcript.Failed
}
