package runner

import (
	"testing"

	"github.com/labrun/labrun/lessons"
)

// TestEndingMeets: the one meaning of expect. A cell's exit status is its
// last step's; an interruption or a failure meets no exit:N.
func TestEndingMeets(t *testing.T) {
	exit := func(n int) lessons.Expect { return lessons.Expect{Kind: lessons.ExpectExit, Code: n} }
	interrupted := lessons.Expect{Kind: lessons.ExpectInterrupted}
	fail := lessons.Expect{Kind: lessons.ExpectFail}
	for _, tc := range []struct {
		name string
		cr   CellResult
		want lessons.Expect
		meet bool
	}{
		{"no step", CellResult{Status: OK}, exit(0), true},
		{"last step 0 after a 1", CellResult{Status: OK, Steps: 2, Exit: Exit{Code: 0}}, exit(0), true},
		{"last step 3", CellResult{Status: OK, Steps: 2, Exit: Exit{Code: 3}}, exit(3), true},
		{"last step 3, want 0", CellResult{Status: OK, Steps: 1, Exit: Exit{Code: 3}}, exit(0), false},
		{"exception", CellResult{Status: Failed, Exception: &Exception{Name: "ValueError"}}, exit(0), false},
		{"exception fails", CellResult{Status: Failed, Exception: &Exception{Name: "ValueError"}}, fail, true},
		{"non-zero fails", CellResult{Status: OK, Steps: 1, Exit: Exit{Code: 1}}, fail, true},
		{"zero does not fail", CellResult{Status: OK, Steps: 1}, fail, false},
		{"interrupted", CellResult{Status: Interrupted, Exit: Exit{Code: 130}}, interrupted, true},
		{"interrupted is no exit", CellResult{Status: Interrupted, Exit: Exit{Code: 130}}, exit(130), false},
		{"interrupted is no failure", CellResult{Status: Interrupted}, fail, false},
		{"ok is no interruption", CellResult{Status: OK}, interrupted, false},
		// The fence's expectation failed the cell (Unexpected): a rule
		// reads the ending the cell had before.
		{"failed by its fence", CellResult{Status: Failed, Steps: 1, Exit: Exit{Code: 3},
			Unexpected: &Unexpected{Want: exit(0), Ending: Ending{Exit: Exit{Code: 3}}}}, exit(3), true},
		{"failed, and by its fence", CellResult{Status: Failed, WorkerLost: &WorkerLoss{},
			Unexpected: &Unexpected{Want: exit(0), Ending: Ending{Failed: true}}}, exit(0), false},
	} {
		if got := tc.cr.Ending().Meets(tc.want); got != tc.meet {
			t.Errorf("%s: %+v meets %v: %v, want %v", tc.name, tc.cr.Ending(), tc.want, got, tc.meet)
		}
	}
}
