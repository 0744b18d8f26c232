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
	// deadline bounds the whole cell: every step of it, its Python, a
	// background close its Python asks for. It moves only through
	// extend.
	deadline time.Time
	// sv supervises the cell's Python while the worker runs a request of
	// the cell (converse), so that a step that finds the cell's time up
	// can hurry it (Supervisor.Expedite); nil otherwise.
	sv *proc.Supervisor
}

// newCell starts the run of cell c, whose result is cr, now: its
// deadline is its timeout from now.
func (r *run) newCell(c *lessons.Cell, cr *transcript.CellResult) *cellRun {
	now := time.Now()
	return &cellRun{c: c, res: cr, start: now, deadline: now.Add(r.cellTimeout(c))}
}

// extend moves the cell's deadline d later: time labrun spent for itself
// during the cell (starting python3) is not the cell's. It is the one way
// the deadline moves, and it must come before a supervisor or a step
// takes the deadline (converse, step), as nothing tells them of a move.
func (x *cellRun) extend(d time.Duration) { x.deadline = x.deadline.Add(d) }

// timeUp records, when the cell's time is up at now, that the cell is
// interrupted by its timeout, hurries its Python's supervisor, and
// reports true: the cell's further steps must not start.
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

// cellTimeout is the timeout in force for cell c: it bounds the whole
// cell.
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
