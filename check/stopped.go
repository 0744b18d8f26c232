package check

import (
	"syscall"

	"github.com/labrun/labrun/transcript"
)

// A cell cut by a signal meant for labrun -- Ctrl-C, or a SIGTERM or
// SIGHUP from timeout(1), systemd or a CI runner, whether labrun passed
// it on to the step or it reached the step directly -- did not finish:
// its output says nothing about the lesson. It is neither passed (its
// recorded cell may have been interrupted too) nor failed (Ctrl-C leaves
// "^C" in its output): its verdict is NotFinished, and --update leaves it
// alone.

// markNotFinished gives the cells a stop of labrun cut the verdict
// NotFinished: a cell labrun's stop interrupted and, in a run labrun was
// stopped in, the cells that ended as a stopping signal ends them just
// before it (the signal reached their steps before labrun had seen it):
// from the last cell that ran back to the first that ended otherwise.
func (r *Report) markNotFinished() {
	res := r.Result
	if res == nil {
		return
	}
	cut := map[*transcript.CellResult]bool{}
	for _, cr := range res.Cells {
		cut[cr] = cutByStop(cr)
	}
	if res.Interrupted {
		for i := lastRan(res); i >= 0; i-- {
			cr := res.Cells[i]
			if cr.Status == transcript.Skipped {
				continue
			}
			if !cutByStop(cr) && !endedByStopSignal(cr) {
				break
			}
			cut[cr] = true
		}
	}
	for _, c := range r.Cells {
		if c.Result != nil && c.Result.Status != transcript.Skipped && cut[c.Result] {
			c.Verdict, c.Reason, c.Diff = NotFinished, Reason{Kind: StoppedRun}, ""
		}
	}
}

// cutByStop says whether labrun's stop interrupted the cell first.
func cutByStop(cr *transcript.CellResult) bool {
	return cr.Status == transcript.Interrupted && cr.Interruption != nil && cr.Interruption.Cause == transcript.Cancelled
}

// endedByStopSignal says whether the cell ended as a stopping signal ends
// it: its last step killed by (or exiting for) SIGINT, SIGTERM or SIGHUP,
// its Python interrupted, or its Python worker lost.
func endedByStopSignal(cr *transcript.CellResult) bool {
	if cr.WorkerLost != nil || cr.Exception != nil && cr.Exception.Name == "KeyboardInterrupt" {
		return true
	}
	if cr.Steps == 0 {
		return false
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		if cr.Exit.Signal == sig || cr.Exit.Code == 128+int(sig) {
			return true
		}
	}
	return false
}

// lastRan is the index of the last cell of a run that ran before labrun
// stopped it (-1 when none did): the one before the first cell the stop
// skipped, or the last one run.
func lastRan(res *transcript.Result) int {
	last := -1
	for i, cr := range res.Cells {
		if cr.Status == transcript.Skipped {
			if cr.Skip == transcript.StoppedBefore {
				break
			}
			continue
		}
		last = i
	}
	return last
}

// NotFinished counts the cells that did not finish.
func (r *Report) NotFinished() int { return r.count(NotFinished) }

// count counts the cells whose verdict is v.
func (r *Report) count(v Verdict) int {
	n := 0
	for _, c := range r.Cells {
		if c.Verdict == v {
			n++
		}
	}
	return n
}
