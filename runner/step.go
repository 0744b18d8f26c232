package runner

import (
	"errors"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// Every foreground step of a cell, whatever its kind, goes through step:
// it starts in the run's Session, waits until the cell's current window
// ends at the latest (cellRun.deadline), and is recorded in the cell's
// result. system and capture are the two ways IPython ran a shell command
// (system(): under a pty, shown; getoutput: through pipes, its output
// returned).

// stepOpts say how a step's output is kept; the zero value keeps the
// run's OutputCap bytes and holds nothing.
type stepOpts struct {
	// cap bounds the bytes kept of the step's output (0: the run's
	// OutputCap).
	cap int
	// held is text of the cell's Python put among the step's output when
	// it comes due (heldStream; nil: none).
	held *heldStream
}

// step runs one foreground step of cell, within the cell's current
// window, and records how it ended in the cell's result. A step
// interrupted for the timeout or as stuck gives the cell a new window
// (cellRun.renew), in which its later steps run. When the cell's time is
// up already at its start (the window ended between steps) the step does
// not start, and the cell's own interruption comes at once.
func (r *run) step(cell *cellRun, spec proc.StepSpec, o stepOpts) (proc.StepResult, error) {
	spec.Dir, spec.Env, spec.OutputCap = r.cellDir(cell.c), r.cellEnv(cell.c), o.cap
	if o.cap == 0 {
		spec.OutputCap = r.opts.OutputCap
	}
	if cell.timeUp(time.Now()) {
		return proc.StepResult{Chunks: o.held.lapse(), Exit: proc.Exit{Code: 128 + int(unix.SIGINT), Signal: unix.SIGINT}}, nil
	}
	r.bg.settle()
	st, err := r.sess.StartStep(spec)
	if err != nil {
		return proc.StepResult{}, err
	}
	pol := proc.Policy{Deadline: cell.deadline, Start: cell.start, Grace: r.opts.Grace}
	if !r.opts.NoStuckDetection {
		pol.Stuck = r.sess.StuckCheck(st.Pid, st.Output().QuietFor, proc.StuckQuiet)
	}
	o.held.watch(st.Output())
	out, err := st.Wait(r.ctx, pol)
	if err != nil {
		return out, err
	}
	// Interrupted with no window to go on in, the worker abandons its
	// request and ends the cell: the held text shows with the step's
	// output, before the traceback. Going on, the worker holds it again.
	goesOn := cell.renew(out.Interrupted)
	cut := (out.Interrupted != nil && !goesOn) || r.ctx.Err() != nil || time.Now().After(cell.deadline)
	if o.held.end(st.Output(), cut) {
		out.Chunks = st.Output().Chunks() // with the held text, even if it came after Wait's copy
	}
	stepEnded(cell.res, out)
	r.bg.settle()
	return out, nil
}

// stepEnded records in the cell's result how one of its steps ended.
func stepEnded(cr *transcript.CellResult, out proc.StepResult) {
	cr.Steps++
	cr.Exit = out.Exit
	if out.Exit.NotFound() && out.Interrupted == nil {
		cr.CommandNotFound = true
	}
	if out.Interrupted != nil {
		cr.Interrupt(out.Interrupted)
	}
}

// system runs cmd under a pty as IPython's system() did, showing its
// output as the cell's stdout and held's text when it comes due (nil:
// none), and returns its exit status as IPython gave it.
func (r *run) system(cell *cellRun, cmd string, held *heldStream) (int, error) {
	spec := r.shellSpec(cmd, cell.c)
	out, err := r.step(cell, spec, stepOpts{held: held})
	if err != nil {
		return 0, err
	}
	for _, ch := range out.Chunks {
		// The step's output is one stream (merged under the pty); a
		// held stream's text is the cell's Python's own.
		cell.res.AddStream(transcript.StreamNamed(ch.Stream), cleanText(ch.Data, spec.Pty && ch.Stream == "stdout"))
	}
	return out.Exit.IPython(), nil
}

// capture runs cmd through pipes, stderr merged, keeping at most capBytes
// of its output (x = !cmd, or a %run line's output to be shown); cut says
// that more was dropped.
func (r *run) capture(cell *cellRun, cmd string, capBytes int) (out string, cut bool, err error) {
	o, err := r.step(cell, proc.StepSpec{Path: r.sh, Args: []string{r.sh, "-c", cmd}, Merge: true}, stepOpts{cap: capBytes})
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	kept := 0
	for _, ch := range o.Chunks {
		kept += len(ch.Data)
		b.WriteString(cleanText(ch.Data, false))
	}
	// A sink holds at most capBytes, plus a marker when it dropped bytes.
	return b.String(), kept > capBytes, nil
}

// cellsFault tells a step that could not start because of what the cell
// asked (a command longer than the kernel takes, E2BIG) from one labrun
// could not run: the former fails the cell only, as in IPython, where
// starting the shell raises OSError; msg says it as Python does.
func cellsFault(err error) (msg string, ok bool) {
	if errors.Is(err, unix.E2BIG) {
		return "OSError: [Errno 7] Argument list too long: '/bin/sh'", true
	}
	return "", false
}

// cleanText turns program output into result text: valid UTF-8 (invalid
// bytes replaced), and for pty output the terminal's \r\n turned back into
// \n. Control bytes (NUL, colour codes, \r rewrites) are kept: render
// shows them as a terminal would (internal/termtext).
func cleanText(b []byte, tty bool) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if tty {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}
