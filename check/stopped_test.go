package check

import (
	"syscall"
	"testing"

	"github.com/labrun/labrun/runner"
)

// TestMarkNotFinished: which cells of a run a stop of labrun cut, from
// how each ended: interrupted by the stop; or, the run stopped, ended
// by SIGINT, SIGTERM or SIGHUP (or its Python interrupted, or its worker
// lost) with nothing but such cells after it -- the signal reached the
// step directly, before labrun had seen its own.
func TestMarkNotFinished(t *testing.T) {
	ok := &runner.CellResult{Status: runner.OK, Steps: 1}
	cancelled := &runner.CellResult{Status: runner.Interrupted, Interruption: &runner.Interruption{Cause: runner.Cancelled}}
	timedOut := &runner.CellResult{Status: runner.Interrupted, Steps: 1, Exit: runner.Exit{Code: 130, Signal: syscall.SIGINT},
		Interruption: &runner.Interruption{Cause: runner.Timeout}}
	termed := &runner.CellResult{Status: runner.OK, Steps: 1, Exit: runner.Exit{Code: 143, Signal: syscall.SIGTERM}}
	hupExit := &runner.CellResult{Status: runner.OK, Steps: 1, Exit: runner.Exit{Code: 129}}
	lost := &runner.CellResult{Status: runner.Failed, WorkerLost: &runner.WorkerLoss{}}
	notRun := &runner.CellResult{Status: runner.Skipped, Skip: runner.StoppedBefore}
	setup := &runner.CellResult{Status: runner.Skipped, Skip: runner.SetupCell}
	for _, c := range []struct {
		name    string
		stopped bool
		cells   []*runner.CellResult
		want    []bool
	}{
		{"cut by the stop", true, []*runner.CellResult{ok, cancelled, notRun}, []bool{false, true, false}},
		{"killed by SIGTERM, then stopped", true, []*runner.CellResult{ok, termed, notRun}, []bool{false, true, false}},
		{"killed by SIGTERM, the next cut", true, []*runner.CellResult{termed, cancelled}, []bool{true, true}},
		{"a set-up cell between", true, []*runner.CellResult{hupExit, setup, lost}, []bool{true, false, true}},
		{"killed by SIGTERM, then a cell ran", true, []*runner.CellResult{termed, ok, cancelled}, []bool{false, false, true}},
		{"SIGTERM as content, not stopped", false, []*runner.CellResult{ok, termed}, []bool{false, false}},
		{"its timeout came first", true, []*runner.CellResult{ok, timedOut, ok}, []bool{false, false, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := &Report{Result: &runner.Result{Cells: c.cells, Interrupted: c.stopped}}
			for i, cr := range c.cells {
				rep.Cells = append(rep.Cells, &CellReport{Index: i, Number: i + 1, Result: cr, Diff: "x"})
			}
			rep.markNotFinished()
			for i, cell := range rep.Cells {
				if got := cell.Verdict == NotFinished; got != c.want[i] {
					t.Errorf("cell %d: not finished %v, want %v", i+1, got, c.want[i])
				}
			}
			if n := rep.NotFinished(); n != count(c.want) {
				t.Errorf("NotFinished() = %d, want %d", n, count(c.want))
			}
		})
	}
}

// count counts the true values.
func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
