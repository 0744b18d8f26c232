package report

import (
	"fmt"
	"strings"

	"github.com/labrun/labrun/check"
)

// A cram test file's suite has a testcase per command, as cram users
// read a test: named "$ COMMAND (line N)", its failure the command's
// diff, its time the command's own (0 for one that did not run). An
// empty test file, which cram skips, has one skipped testcase, and a
// file of indented lines and no command the cell's testcase.

// commandCases are the testcases of a cram cell's commands.
func (f Family) commandCases(l check.Lesson, c *check.CellReport) []JUnitCase {
	if len(c.Commands) == 0 {
		return []JUnitCase{f.cellCase(l, c)}
	}
	var cases []JUnitCase
	for i, k := range c.Commands {
		tc := JUnitCase{Name: fmt.Sprintf("$ %s (line %d)", firstCommandLine(k.Command.Text), k.Line), Classname: l.Path, Time: "0.000"}
		if c.Result != nil && i < len(c.Result.Console) {
			tc.Time = fmt.Sprintf("%.3f", c.Result.Console[i].Duration.Seconds())
		}
		if f == XUnit1 {
			tc.File, tc.Line = l.Path, k.Line
		}
		switch {
		case c.Verdict == check.NotFinished:
			tc.Skipped = &JUnitProblem{Message: c.Reason.String()}
		case k.Verdict == check.Fail:
			text := k.Diff
			if c.How != "" {
				text = "the cell ended: " + c.How + "\n" + text
			}
			tc.Failure = &JUnitProblem{Message: k.Reason.String(), Type: "output", Text: xmlSafe(text)}
		case k.Verdict == check.Skip:
			tc.Skipped = &JUnitProblem{Message: k.Reason.String()}
		}
		cases = append(cases, tc)
	}
	return cases
}

// emptyCram is the testcase of an empty cram test file, skipped as cram
// skips it; none for another lesson.
func emptyCram(l check.Lesson, r *check.Report) []JUnitCase {
	if !r.IsCram() || len(r.Cells) > 0 {
		return nil
	}
	if _, _, skip := r.Counts(); skip == 0 {
		return nil
	}
	return []JUnitCase{{Name: "empty test", Classname: l.Path, Time: "0.000", Skipped: &JUnitProblem{Message: "empty: cram skips an empty test"}}}
}

// firstCommandLine is a command's first line, trimmed.
func firstCommandLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(first)
}
