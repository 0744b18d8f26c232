package runner

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// A console block's commands run in one shell session under the pty, so
// that a cd or a variable carries over: one bash reads a script that
// evals each command in turn (a syntax error ends that command only) and
// prints a marker after it, with its exit status; the output between
// markers is the command's.

// markerByte brackets the markers; a nonce per run keeps a command from
// forging one.
const markerByte = "\x1e"

// runConsoleCell runs a console block's commands in one bash under a pty.
func (r *run) runConsoleCell(cell *cellRun) error {
	c, cr := cell.c, cell.res
	bash, err := exec.LookPath("bash")
	if err != nil {
		return fmt.Errorf("%w: bash is not in PATH", ErrNoProgram)
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	mark := markerByte + "labrun-" + hex.EncodeToString(nonce) + " "
	var script strings.Builder
	for _, cmd := range c.Console {
		fmt.Fprintf(&script, "eval %s\nprintf '%%s%%d%s\\n' '%s' \"$?\"\n", shQuote(cmd.Text), markerByte, mark)
	}
	out, err := r.step(cell, proc.StepSpec{Path: bash, Args: []string{"bash", "--norc", "--noprofile", "-c", script.String()}, Pty: true}, stepOpts{})
	if err != nil {
		return err
	}
	var all bytes.Buffer
	for _, ch := range out.Chunks {
		all.Write(ch.Data)
	}
	cr.Console = splitConsole(c.Console, cleanText(all.Bytes(), true), mark)
	cut := out.Interrupted != nil || r.ctx.Err() != nil
	for i := range cr.Console {
		co := &cr.Console[i]
		switch {
		case !co.Ended:
		case cut:
			co.Ended = false // the interruption says why the rest did not run
		default:
			// An exit ended the session: its status is the command's;
			// the commands after it are not run, and fail the cell.
			co.Exit = out.Exit.Code
			if i < len(cr.Console)-1 {
				cr.Status = transcript.Failed
			}
		}
	}
	return nil
}

// splitConsole cuts the session's output at the markers after each
// command: each command's output and exit status. The command during
// which the shell ended (an exit, an interruption) has what is left;
// the commands after it did not run.
func splitConsole(cmds []*lessons.ConsoleCommand, text, mark string) []transcript.ConsoleOutput {
	var outs []transcript.ConsoleOutput
	ended := false
	for _, cmd := range cmds {
		co := transcript.ConsoleOutput{Command: cmd}
		before, after, found := strings.Cut(text, mark)
		if found {
			code, rest, ok := strings.Cut(after, markerByte+"\n")
			if n, err := strconv.Atoi(code); ok && err == nil {
				co.Ran, co.Exit, co.Output, text = true, n, before, rest
			} else {
				found = false
			}
		}
		if !found {
			co.Ran, co.Ended, co.Output, text = !ended, !ended, text, ""
			ended = true
		}
		outs = append(outs, co)
	}
	return outs
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
