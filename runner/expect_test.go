package runner

import (
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// TestEndingMeets: the one meaning of expect. A cell's exit status is its
// last step's; an interruption or a failure meets no exit:N.
func TestEndingMeets(t *testing.T) {
	exit := func(n int) lessons.Expect { return lessons.Expect{Kind: lessons.ExpectExit, Code: n} }
	interrupted := lessons.Expect{Kind: lessons.ExpectInterrupted}
	fail := lessons.Expect{Kind: lessons.ExpectFail}
	for _, tc := range []struct {
		name string
		cr   transcript.CellResult
		want lessons.Expect
		meet bool
	}{
		{"no step", transcript.CellResult{Status: transcript.OK}, exit(0), true},
		{"last step 0 after a 1", transcript.CellResult{Status: transcript.OK, Steps: 2, Exit: transcript.Exit{Code: 0}}, exit(0), true},
		{"last step 3", transcript.CellResult{Status: transcript.OK, Steps: 2, Exit: transcript.Exit{Code: 3}}, exit(3), true},
		{"last step 3, want 0", transcript.CellResult{Status: transcript.OK, Steps: 1, Exit: transcript.Exit{Code: 3}}, exit(0), false},
		{"exception", transcript.CellResult{Status: transcript.Failed, Exception: &transcript.Exception{Name: "ValueError"}}, exit(0), false},
		{"exception fails", transcript.CellResult{Status: transcript.Failed, Exception: &transcript.Exception{Name: "ValueError"}}, fail, true},
		{"non-zero fails", transcript.CellResult{Status: transcript.OK, Steps: 1, Exit: transcript.Exit{Code: 1}}, fail, true},
		{"zero does not fail", transcript.CellResult{Status: transcript.OK, Steps: 1}, fail, false},
		{"interrupted", transcript.CellResult{Status: transcript.Interrupted, Exit: transcript.Exit{Code: 130}}, interrupted, true},
		{"interrupted is no exit", transcript.CellResult{Status: transcript.Interrupted, Exit: transcript.Exit{Code: 130}}, exit(130), false},
		{"interrupted is no failure", transcript.CellResult{Status: transcript.Interrupted}, fail, false},
		{"ok is no interruption", transcript.CellResult{Status: transcript.OK}, interrupted, false},
		// The fence's expectation failed the cell (Unexpected): a rule
		// reads the ending the cell had before.
		{"failed by its fence", transcript.CellResult{Status: transcript.Failed, Steps: 1, Exit: transcript.Exit{Code: 3},
			Unexpected: &transcript.Unexpected{Want: exit(0), Ending: transcript.Ending{Exit: transcript.Exit{Code: 3}}}}, exit(3), true},
		{"failed, and by its fence", transcript.CellResult{Status: transcript.Failed, WorkerLost: &transcript.WorkerLoss{},
			Unexpected: &transcript.Unexpected{Want: exit(0), Ending: transcript.Ending{Failed: true}}}, exit(0), false},
	} {
		if got := tc.cr.Ending().Meets(tc.want); got != tc.meet {
			t.Errorf("%s: %+v meets %v: %v, want %v", tc.name, tc.cr.Ending(), tc.want, got, tc.meet)
		}
	}
}
