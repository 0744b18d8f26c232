package check

import (
	"context"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestFIFOLesson checks a copy of the course's FIFO lesson with the rules
// it needs (testdata/fifo-proc/NOTICE): every cell passes, and the cell
// that blocks opening a FIFO is interrupted, as its rule expects. Run it
// many times in a row with -count (go test -run TestFIFOLesson -count=10).
func TestFIFOLesson(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole lesson")
	}
	rep, err := Run(context.Background(), Lesson{Path: "testdata/fifo-proc/README.md", Skeleton: "testdata/fifo-proc/README_no_output.md"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cells {
		if c.Verdict == Fail {
			t.Errorf("%s:%d: cell %d: %s (%s)\n%s", rep.Path, c.Line, c.Number, c.Reason, c.How, c.Diff)
		}
	}
	if c := rep.Cells[1]; c.Result.Status != transcript.Interrupted || c.Verdict != Pass {
		t.Errorf("cell 2: %v, %v, want interrupted and passing", c.Result.Status, c.Verdict)
	}
	p, f, s := rep.Counts()
	t.Logf("%d passed, %d failed, %d skipped in %.1fs", p, f, s, rep.Duration.Seconds())
}
