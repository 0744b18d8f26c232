package report

import (
	"fmt"
	"strings"

	"github.com/labrun/labrun/check"
)

// A flaky cell (check.Flaky) is a passing testcase with a
// <flakyFailure> for each run it failed in, as Maven Surefire reports a
// test that passed on a rerun: its message is the failure's reason, its
// <stackTrace> how the cell ended and the diff, its <system-out> what
// the cell printed in that run (for a cell flaky by the order of its
// lines against its record, whose runs agree, one <flakyFailure> saying
// so). Jenkins' junit-10.xsd allows it.
//
// The report comes in the two families pytest writes (--junit-family):
// xunit2, the default, valid against junit-10.xsd; xunit1, which adds
// file and line attributes to each testcase (GitLab and others link a
// test to its source by them), valid against that schema relaxed for
// exactly those two attributes (check/testdata/junit-10-xunit1.xsd).

// Family is a JUnit report's flavour.
type Family int

// The families.
const (
	// XUnit2: valid against Jenkins' junit-10.xsd (no file or line).
	XUnit2 Family = iota
	// XUnit1: each testcase has the lesson's file and the cell's line.
	XUnit1
)

// ParseFamily reads a family's name, "xunit1" or "xunit2".
func ParseFamily(name string) (Family, error) {
	switch name {
	case "xunit2":
		return XUnit2, nil
	case "xunit1":
		return XUnit1, nil
	}
	return XUnit2, fmt.Errorf("%q: want xunit1 or xunit2", name)
}

// locate gives a testcase the cell's file and line, in xunit1.
func (f Family) locate(tc *JUnitCase, l check.Lesson, c *check.CellReport) {
	if f == XUnit1 {
		tc.File, tc.Line = l.Path, c.Line
	}
}

// JUnitFlaky is one failing run of a flaky cell.
type JUnitFlaky struct {
	Message    string `xml:"message,attr,omitempty"`
	Type       string `xml:"type,attr"`
	StackTrace string `xml:"stackTrace,omitempty"`
	SystemOut  string `xml:"system-out,omitempty"`
}

// flakyFailures are the <flakyFailure>s of a flaky cell (nil for
// another).
func flakyFailures(c *check.CellReport) []JUnitFlaky {
	if c.Verdict != check.Flaky || c.Runs == nil {
		return nil
	}
	if c.Runs.Reordered { // its runs agree: one failure, in their order
		return []JUnitFlaky{{Message: c.Runs.String(), Type: "output", StackTrace: xmlSafe(failureText(c)), SystemOut: xmlSafe(freshOutput(c))}}
	}
	var out []JUnitFlaky
	for _, f := range c.Runs.Failed {
		out = append(out, JUnitFlaky{Message: fmt.Sprintf("run %d: %s", f.Run, f.Cell.Reason), Type: "output",
			StackTrace: xmlSafe(failureText(f.Cell)), SystemOut: xmlSafe(freshOutput(f.Cell))})
	}
	if len(out) == 0 { // its outputs differed between runs, all of them passing none
		out = append(out, JUnitFlaky{Message: c.Runs.String(), Type: "output", StackTrace: xmlSafe(c.Runs.Diff(c)), SystemOut: xmlSafe(freshOutput(c))})
	}
	return out
}

// failureText is a failing cell's <failure> text: how it ended, when it
// did not end well, and its diff.
func failureText(c *check.CellReport) string {
	if c.How != "" {
		return "the cell ended: " + c.How + "\n" + c.Diff
	}
	return c.Diff
}

// freshOutput is what a cell printed in a run, as its outputs block and
// console commands hold it.
func freshOutput(c *check.CellReport) string {
	var b strings.Builder
	b.WriteString(c.RawFresh)
	for _, k := range c.Commands {
		b.WriteString("$ " + strings.TrimSpace(k.Command.Text) + "\n" + k.RawFresh)
	}
	return b.String()
}
