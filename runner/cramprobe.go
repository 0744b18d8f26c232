package runner

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// cram's shell reads the whole test as one script (_test.py: test): a
// command left open (an "if" without its "fi", a quote or a heredoc left
// open, a last backslash, a last "&&" or "|") reads the lines after it,
// cram's marker and the next commands, into itself, up to where the
// shell's grammar closes it, or to the script's end. labrun sends each
// command on its own, in a group whose stdin is /dev/null (cramScript);
// to give cram's outputs, it first asks the test's shell, once per file,
// which commands such a group takes whole (cramProbe): those whose
// next line, where labrun's group ends, is a command of its own, as
// cram's marker there is. A command that is not is sent with the
// commands the shell reads into it, cram's markers between them
// (cram.Mark, of the run's salt), as one job: in a group, when the
// shell's grammar closes them at some later command (a second question,
// once per such run of commands), else, in a cram test file, as the rest
// of cram's script, which the shell reads to its end; the commands
// joined to the first one run in its job (ConsoleOutput.CramJoined), and
// what it printed is cut at cram's markers as cram cuts it
// (lessons.CramRun.Salt). A Markdown lesson run as a cram test sends a
// command left open on its own, the end of its script after it.

// cramUnit is how command k of a cram test is sent.
type cramUnit struct {
	// open says the group does not take the command whole.
	open bool
	// through is the last command the shell reads into it (k: none);
	// toEnd says the shell reads the rest of the file into it (its
	// grammar does not close it: through is the last command).
	through int
	toEnd   bool
}

// cramProbeTime bounds the probe of a cram test's commands.
const cramProbeTime = 10 * time.Second

// cramCommands are the commands of the lesson run as a cram test, in
// order (a cram test file's, or the Markdown lesson's console blocks').
func (r *run) cramCommands() []*lessons.ConsoleCommand {
	if r.lesson.Cram != nil {
		return r.lesson.Cram.Commands
	}
	var cmds []*lessons.ConsoleCommand
	for _, c := range r.lesson.Cells {
		cmds = append(cmds, c.Console...)
	}
	return cmds
}

// cramSalt is a new salt for cram's markers in a run: as cram's, "CRAM"
// then what a command cannot guess.
func cramSalt() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "CRAM" + hex.EncodeToString(b)
}

// cramUnitOf is how command cmd is sent, asking the shell first when it
// has not been asked yet; k is its index among cramCommands.
func (r *run) cramUnitOf(cmd *lessons.ConsoleCommand) (k int, u cramUnit) {
	c := r.cram
	if c.closed == nil {
		c.cmds = r.cramCommands()
		c.index = map[*lessons.ConsoleCommand]int{}
		for i, x := range c.cmds {
			c.index[x] = i
		}
		c.closed = r.cramProbe(cramTakes(c.cmds), len(c.cmds))
	}
	k, ok := c.index[cmd]
	if !ok || c.closed[k] {
		return k, cramUnit{through: k}
	}
	if r.lesson.Cram == nil {
		return k, cramUnit{open: true, through: k} // a Markdown lesson's: on its own, the script's end after it
	}
	u = cramUnit{open: true, through: len(c.cmds) - 1, toEnd: true}
	var groups []string
	for j := k + 1; j < len(c.cmds); j++ {
		groups = append(groups, r.cramJoin(k, j))
	}
	for j, ok := range r.cramProbe(groups, 1) {
		if ok {
			u.through, u.toEnd = k+1+j, false
			break
		}
	}
	return k, u
}

// cramJoin is the text of commands k to j as cram's script has them, its
// markers between them.
func (r *run) cramJoin(k, j int) string {
	c := r.cram
	var b strings.Builder
	b.WriteString(c.cmds[k].Text)
	for i := k + 1; i <= j; i++ {
		fmt.Fprintf(&b, "\n%s\n%s", cram.Mark(c.salt, c.cmds[i].Line-1), c.cmds[i].Text)
	}
	return b.String()
}

// cramTakes are the texts whose group the probe asks about: each
// command's.
func cramTakes(cmds []*lessons.ConsoleCommand) []string {
	t := make([]string, len(cmds))
	for i, c := range cmds {
		t[i] = c.Text
	}
	return t
}

// cramProbe says which of texts labrun's group takes whole in the cram
// test's shell (its grammar reads the line after the text as a command
// of its own), asking it once: a script reads a function of each group,
// in an eval (which reads it; the function is not even defined: its
// definition stands in an "if false", and a body is not run anyway),
// and prints the index of each that the shell read; it stops after
// the first stop that it read (stop: len(texts) for all). A text the
// shell could not be asked about (it does not start, or it ended or took
// too long) is taken whole, as labrun sends it then.
func (r *run) cramProbe(texts []string, stop int) []bool {
	var script strings.Builder
	for i, t := range texts {
		group := "if false; then labrun_probe() { { :; " + t + "\n} </dev/null; }; fi"
		fmt.Fprintf(&script, "if command eval %s 2>/dev/null; then echo %d", shQuote(group), i)
		if stop == 1 {
			script.WriteString("; exit")
		}
		script.WriteString("; fi\necho .\n")
	}
	took := make([]bool, len(texts))
	ctx, cancel := context.WithTimeout(r.ctx, cramProbeTime)
	defer cancel()
	var out strings.Builder
	c := exec.Command(r.cram.shell, append(slices.Clip(r.opts.ShellOpts), "-")...)
	c.Dir, c.Env, c.Stdin, c.Stdout = r.dir, r.env, strings.NewReader(script.String()), &out
	_ = proc.Run(ctx, c)
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	seen := 0
	for sc.Scan() {
		if sc.Text() == "." {
			seen++
		} else if i, err := strconv.Atoi(sc.Text()); err == nil && i < len(took) {
			took[i] = true
		}
	}
	for i := seen; i < len(took) && stop > 1; i++ {
		took[i] = true // not asked: taken whole
	}
	return took
}

// cramSendOf is how a command of a cram test is sent (nil: the run is no
// cram test's), and the number of commands its job runs: its timeout is
// each one's.
func (r *run) cramSendOf(cmd *lessons.ConsoleCommand) (*cramSend, int) {
	if r.cram == nil {
		return nil, 1
	}
	k, u := r.cramUnitOf(cmd)
	return &cramSend{k: k, u: u}, u.through - k + 1
}

// cramSent keeps what the job of a command left open ran (res): the salt
// of the markers in its output, and the commands joined to it.
func (r *run) cramSent(send *cramSend, co *transcript.ConsoleOutput, res proc.JobResult) {
	if send == nil || !send.u.open || r.lesson.Cram == nil {
		return
	}
	co.CramSalt = r.cram.salt
	r.cram.joinedTo, r.cram.joinedCut = send.u.through, res.Interrupted != nil
}

// cramJoined says that co's command ran in the job of one left open
// before it (cramSent), and marks it so; one that was interrupted did
// not run it, whose lines stand as they are then.
func (r *run) cramJoined(co *transcript.ConsoleOutput) bool {
	if r.cram == nil || r.cram.index == nil {
		return false
	}
	k, ok := r.cram.index[co.Command]
	if !ok || k > r.cram.joinedTo || co.CramSalt != "" {
		return false
	}
	if !r.cram.joinedCut {
		co.Ran, co.CramJoined = true, true
	}
	return true
}
