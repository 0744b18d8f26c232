package runner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// cellRun is the state of the cell that runs: Run makes one for each
// cell, after the directives before it, and passes it to everything that
// runs a part of the cell (its steps, its Python, the background requests
// of its Python); nothing of it outlives the cell. The run value holds
// what lasts the whole lesson only.
type cellRun struct {
	c   *lessons.Cell
	res *transcript.CellResult
	// start is when the cell began.
	start time.Time
	// timeout is the cell's timeout: how long each of its windows is.
	timeout time.Duration
	// deadline ends the cell's current window: it bounds every step of
	// the cell, its Python, a background close its Python asks for. It
	// moves only through extend and renew.
	deadline time.Time
	// limit is as late as a window of the cell may end (renew): start
	// plus maxWindows timeouts; zero for a cell of one window (a native
	// fence).
	limit time.Time
	// sv supervises the cell's Python while the worker runs a request of
	// the cell (converse), so that a step that finds the cell's time up
	// can hurry it (Supervisor.Expedite); nil otherwise.
	sv *proc.Supervisor
}

// maxWindows bounds how many timeouts a cell may run, however often its
// steps are interrupted and it goes on: where Jupyter would go on forever
// (a loop of !cmd, each interrupted in its own window), labrun ends the
// cell at its start plus maxWindows timeouts.
const maxWindows = 10

// newCell starts the run of cell c, whose result is cr, now: its first
// window is its timeout from now.
func (r *run) newCell(c *lessons.Cell, cr *transcript.CellResult) *cellRun {
	now, timeout := time.Now(), r.cellTimeout(c)
	x := &cellRun{c: c, res: cr, start: now, timeout: timeout, deadline: now.Add(timeout)}
	if c.Attrs == nil {
		x.limit = now.Add(maxWindows * timeout)
	}
	return x
}

// extend moves the cell's deadline (and its limit) d later: time labrun
// spent for itself during the cell (starting python3) is not the cell's.
// It must come before a supervisor or a step takes the deadline
// (converse, step), as nothing tells them of this move.
func (x *cellRun) extend(d time.Duration) {
	x.deadline = x.deadline.Add(d)
	if !x.limit.IsZero() {
		x.limit = x.limit.Add(d)
	}
}

// renew gives the cell a new window after one of its steps was
// interrupted (why), and reports whether the cell goes on. In Jupyter a
// course cell's timeout is a window: nbclient, when no reply came within
// the timeout, interrupts the kernel and waits the timeout again
// (nbclient/client.py: _async_poll_for_reply, _async_handle_timeout), and
// IPython's system(), which runs !cmd and the magics' %run lines
// (IPython/utils/_process_posix.py: ProcessHandler.system), swallows the
// KeyboardInterrupt after passing ^C to the command, so the cell goes on
// with its next line. So a step interrupted for the timeout, or as stuck
// (which stands in for the timeout it saves), moves the deadline to the
// interruption plus the timeout (limit at most), and its Python's
// supervisor learns of it (Supervisor.Renew). A stop of labrun
// (Cancelled) ends the cell, and a native fence's timeout bounds the
// whole cell (limit zero): neither goes on.
func (x *cellRun) renew(why *transcript.Interruption) bool {
	if why == nil || x.limit.IsZero() || (why.Cause != transcript.Timeout && why.Cause != transcript.Stuck) {
		return false
	}
	next := x.start.Add(why.After).Add(x.timeout)
	if next.After(x.limit) {
		next = x.limit
	}
	if next.After(x.deadline) {
		x.deadline = next
		if x.sv != nil {
			x.sv.Renew(next)
		}
	}
	return true
}

// timeUp records, when the cell's time is up at now, that the cell is
// interrupted by its timeout, hurries its Python's supervisor, and
// reports true: the cell's further steps must not start. (The cell's own
// code took the interrupt, between steps: in Jupyter a KeyboardInterrupt
// outside system() ends the cell.)
func (x *cellRun) timeUp(now time.Time) bool {
	if !now.After(x.deadline) {
		return false
	}
	x.res.Interrupt(&transcript.Interruption{Cause: transcript.Timeout, After: now.Sub(x.start)})
	if x.sv != nil {
		x.sv.Expedite()
	}
	return true
}

// cellTimeout is the timeout in force for cell c: the length of each of
// its windows (renew); a native fence's bounds the whole cell.
func (r *run) cellTimeout(c *lessons.Cell) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return r.set.Timeout
}

// runCells runs the lesson's cells in order, each after the directives
// before it, into res, then the directives after the last one. Its error
// is one that stops the run (labrun could not run a cell).
func (r *run) runCells(res *transcript.Result) error {
	for _, c := range r.lesson.Cells {
		cr := &transcript.CellResult{Cell: c, Status: transcript.OK}
		res.Cells = append(res.Cells, cr)
		if r.ctx.Err() != nil {
			cr.Status, cr.Skip = transcript.Skipped, transcript.StoppedBefore
			res.Interrupted = true
			continue
		}
		if r.cramSkipped() {
			cr.Status, cr.Skip = transcript.Skipped, transcript.CramSkipped
			continue
		}
		if err := r.directivesAndCell(c, cr, res); err != nil {
			return err
		}
	}
	if r.cramSkipped() {
		res.CramSkipped = r.cram.skipped
	}
	if r.cram != nil {
		res.CramStart = r.cram.start
	}
	r.cramEnd(res)
	if n := len(res.Cells); n > 0 && r.ctx.Err() == nil {
		r.directives(r.lesson.After, res.Cells[n-1])
	}
	return nil
}

// directivesAndCell runs the directives before cell c and then, unless
// one failed, the cell, and says the cell is over (Options.OnCell).
func (r *run) directivesAndCell(c *lessons.Cell, cr *transcript.CellResult, res *transcript.Result) error {
	t0 := time.Now()
	if !r.directives(c.Before, cr) {
		cr.Duration = time.Since(t0)
		r.cellOver(cr)
		return nil
	}
	cell := r.newCell(c, cr)
	if err := r.runCell(cell); err != nil {
		cr.Status, cr.Err = transcript.Failed, err
		cr.Duration = time.Since(cell.start)
		return fmt.Errorf("%s: %w", c.Pos(r.lesson.Name), err)
	}
	cr.Duration = time.Since(cell.start)
	r.checkExpect(c, cr)
	r.cellOver(cr)
	if r.ctx.Err() != nil && cr.Status != transcript.Skipped {
		res.Interrupted = true
		cr.Interrupt(&transcript.Interruption{Cause: transcript.Cancelled, After: cr.Duration})
	}
	return nil
}

// cellOver hands a cell's result to Options.OnCell, when set.
func (r *run) cellOver(cr *transcript.CellResult) {
	if r.opts.OnCell != nil {
		r.opts.OnCell(cr)
	}
}

// runCell runs one cell according to its kind.
func (r *run) runCell(cell *cellRun) error {
	c, cr := cell.c, cell.res
	if skipped(c, cr) {
		return nil
	}
	switch c.Kind {
	case lessons.Setup:
		cr.Status, cr.Skip = transcript.Skipped, transcript.SetupCell
		return nil
	case lessons.Skipped:
		cr.Status, cr.Skip = transcript.Skipped, transcript.MagicNotRun
		return nil
	case lessons.File:
		if e := c.MagicExitUnder(r.set.Magics); e != nil {
			magicExit(cr, e, r.exitWarned(r.set.IPython))
			return nil
		}
		return r.runFileCell(cell)
	case lessons.WriteFile:
		return r.runWriteFileCell(c, cr)
	case lessons.Script:
		if !r.writeBodyFile(cell) {
			return nil
		}
		return r.runScriptCell(cell)
	case lessons.Python:
		if !r.writeBodyFile(cell) {
			return nil
		}
		return r.runPythonCell(cell)
	case lessons.Console:
		return r.runConsoleCell(cell)
	case lessons.Background:
		return r.runBackgroundCell(c, cr)
	}
	return fmt.Errorf("cell of unknown kind %v", c.Kind)
}

// magicExit shows what the course's magic did with a magic line its
// argparse refused: argparse's words, then the SystemExit as IPython's
// run_code shows one (InteractiveShell.run_code: showtraceback with
// exception_only, then the "To exit" warning, warning: "" once it was
// shown), as the worker shows a SystemExit of a Python cell. A code other
// than 0 fails the cell.
func magicExit(cr *transcript.CellResult, e *lessons.MagicExit, warning string) {
	cr.AddStream(transcript.StreamNamed(e.Stream), e.Text)
	cr.Add(transcript.Error, fmt.Sprintf("An exception has occurred, use %%tb to see the full traceback.\n\nSystemExit: %d", e.Code))
	if warning != "" {
		cr.AddStream(transcript.Stderr, warning)
	}
	if e.Code != 0 {
		cr.Exception = &transcript.Exception{Name: "SystemExit", Message: strconv.Itoa(e.Code)}
		cr.Status = transcript.Failed
	}
}
