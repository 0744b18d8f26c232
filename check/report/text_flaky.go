package report

import (
	"fmt"
	"io"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/render"
)

// writeFlaky writes, for every flaky cell of a lesson,
// "lesson.md:LINE: cell N: flaky: ..." (what its runs gave) and the diff
// of its first failure or, when its outputs differed between runs, of
// its first run's output and the first that differs; then, for a cell
// --runs proposed a rule for, "lesson.md:FENCE: cell N: rule: <!-- labrun:
// RULE -->", FENCE the line of the cell's opening fence.
func writeFlaky(w io.Writer, r *check.Report) {
	for _, c := range r.Cells {
		if c.Verdict != check.Flaky || c.Runs == nil {
			continue
		}
		fmt.Fprintf(w, "%s:%d: cell %d: %s\n", termtext.Inert(r.Path), c.Line, c.Number, c.Runs)
		if diff := c.Runs.Diff(c); diff != "" {
			writeDiff(w, diff)
		}
		if rule := c.Runs.Rule; rule != nil {
			fmt.Fprintf(w, "%s:%d: cell %d: rule: %s\n", termtext.Inert(r.Path), c.Fence, c.Number, rule.Comment())
		}
	}
}

// writeRules words what --write-rules did to a lesson's file.
func writeRules(w io.Writer, r *check.Report, res check.RulesResult) {
	if res.Err != nil {
		fmt.Fprintf(w, "labrun: %v\n", res.Err)
	}
	if n := len(res.Written); n > 0 {
		fmt.Fprintf(w, "labrun: %s: wrote the rules of %s\n", termtext.Inert(r.Path), render.Count(n, "flaky cell", "flaky cells"))
	}
}

// flakyNews says whether a lesson's end has flaky cells or rules
// --write-rules wrote or could not write: what -q still tells.
func flakyNews(e check.LessonEnded) bool {
	return e.Report != nil && e.Report.Flaky() > 0 || len(e.Rules.Written) > 0 || e.Rules.Err != nil
}
