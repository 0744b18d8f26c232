package check

import (
	"syscall"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestMarkNotFinished: which cells of a run a stop of labrun cut, from
// how each ended: interrupted by the stop; or, the run stopped, ended
// by SIGINT, SIGTERM or SIGHUP (or its Python interrupted, or its worker
// lost) with nothing but such cells after it -- the signal reached the
// step directly, before labrun had seen its own.
func TestMarkNotFinished(t *testing.T) {
	ok := &transcript.CellResult{Status: transcript.OK, Steps: 1}
	cancelled := &transcript.CellResult{Status: transcript.Interrupted, Interruption: &transcript.Interruption{Cause: transcript.Cancelled}}
	timedOut := &transcript.CellResult{Status: transcript.Interrupted, Steps: 1, Exit: transcript.Exit{Code: 130, Signal: syscall.SIGINT},
		Interruption: &transcript.Interruption{Cause: transcript.Timeout}}
	termed := &transcript.CellResult{Status: transcript.OK, Steps: 1, Exit: transcript.Exit{Code: 143, Signal: syscall.SIGTERM}}
	hupExit := &transcript.CellResult{Status: transcript.OK, Steps: 1, Exit: transcript.Exit{Code: 129}}
	lost := &transcript.CellResult{Status: transcript.Failed, WorkerLost: &transcript.WorkerLoss{}}
	notRun := &transcript.CellResult{Status: transcript.Skipped, Skip: transcript.StoppedBefore}
	setup := &transcript.CellResult{Status: transcript.Skipped, Skip: transcript.SetupCell}
	for _, c := range []struct {
		name    string
		stopped bool
		cells   []*transcript.CellResult
		want    []bool
	}{
		{"cut by the stop", true, []*transcript.CellResult{ok, cancelled, notRun}, []bool{false, true, false}},
		{"killed by SIGTERM, then stopped", true, []*transcript.CellResult{ok, termed, notRun}, []bool{false, true, false}},
		{"killed by SIGTERM, the next cut", true, []*transcript.CellResult{termed, cancelled}, []bool{true, true}},
		{"a set-up cell between", true, []*transcript.CellResult{hupExit, setup, lost}, []bool{true, false, true}},
		{"killed by SIGTERM, then a cell ran", true, []*transcript.CellResult{termed, ok, cancelled}, []bool{false, false, true}},
		{"SIGTERM as content, not stopped", false, []*transcript.CellResult{ok, termed}, []bool{false, false}},
		{"its timeout came first", true, []*transcript.CellResult{ok, timedOut, ok}, []bool{false, false, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := &Report{Result: &transcript.Result{Cells: c.cells, Interrupted: c.stopped}}
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
