package check

import (
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// TestCompareExpect: a check rule's expect reads the cell's ending as a
// fence's expect= does (transcript.Ending.Meets): the exit status of its last
// step.
func TestCompareExpect(t *testing.T) {
	l, err := lessons.Parse("l.md", []byte("<!-- labrun: expect exit=3 -->\n```python\n!exit 3\n!true\n```\n\n"+
		"<!-- labrun: expect exit:3 -->\n```python\n!true\n!exit 3\n```\n\n<!-- labrun: expect fail -->\n```python\nx\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cell   int
		cr     *transcript.CellResult
		want   Verdict
		reason string
	}{
		{0, &transcript.CellResult{Steps: 2}, Fail, "expected exit 3; ended: ok"},
		{1, &transcript.CellResult{Steps: 2, Exit: transcript.Exit{Code: 3}}, Pass, ""},
		{2, &transcript.CellResult{}, Fail, "expected to fail; ended: ok"},
		{2, &transcript.CellResult{Status: transcript.Failed, Exception: &transcript.Exception{Name: "NameError", Message: "name 'x' is not defined"}}, Pass, ""},
	} {
		c := l.Cells[tc.cell]
		tc.cr.Cell = c
		got := compare(c.Index, c.Line, "", tc.cr, l.Normalize, &c.Rules)
		if got.Verdict != tc.want || got.Reason.String() != tc.reason {
			t.Errorf("cell %d, %+v: %v %q, want %v %q", tc.cell, tc.cr, got.Verdict, got.Reason, tc.want, tc.reason)
		}
	}
}
