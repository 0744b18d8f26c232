package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// TestSummaryInert: a Python exception's message is what the cell
// printed; the summary on the terminal quotes it on its own line,
// inert: its escape sequences (a clipboard write, a title, a clear
// screen) and its line breaks spelled out, so that it neither acts on
// the terminal nor starts a line a CI runner would read as a command.
func TestSummaryInert(t *testing.T) {
	cell := &lessons.Cell{Index: 0, Line: 3, Kind: lessons.Python}
	res := &transcript.Result{Lesson: &lessons.Lesson{Name: "l\x1b]0;T\x07.md"}, Cells: []*transcript.CellResult{{
		Cell: cell, Status: transcript.Failed,
		Exception: &transcript.Exception{Name: "ValueError", Message: "x\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\n::add-mask::y"},
	}}}
	var b bytes.Buffer
	Summary(&b, res, "t.md")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || strings.ContainsAny(b.String(), "\x1b\x07\r") {
		t.Fatalf("summary:\n%q", b.String())
	}
	if want := `ValueError: x\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\n::add-mask::y`; !strings.HasSuffix(lines[1], want) {
		t.Errorf("cell line %q, want it to end %q", lines[1], want)
	}
}
