package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/transcript"
)

// The words of a cell's outcome: runner keeps outcomes as values, render
// says them, in the transcript's marker and on the terminal.

// InterruptionWords says why and when a cell was interrupted:
// "interrupted after 2.0s: timeout", "... stuck: blocked in pipe_read",
// "... labrun was interrupted".
func InterruptionWords(why *transcript.Interruption) string {
	cause := "timeout"
	switch why.Cause {
	case transcript.Stuck:
		cause = "stuck: blocked in " + why.Where
	case transcript.Cancelled:
		cause = "labrun was interrupted"
	}
	return fmt.Sprintf("interrupted after %.1fs: %s", why.After.Seconds(), cause)
}

// Notes says, one phrase each, what a cell's outcome holds beyond its
// status: its interruption, a lost worker, a command not found, a cut
// output, why it was skipped, why labrun could not run it.
func Notes(cr *transcript.CellResult) []string {
	var out []string
	if cr.Interruption != nil {
		out = append(out, InterruptionWords(cr.Interruption))
	}
	if w := cr.WorkerLost; w != nil {
		if w.Killed {
			out = append(out, "python worker did not stop on KeyboardInterrupt: killed; its state is lost")
		} else {
			out = append(out, "python worker ended ("+w.Err+"); its state is lost, the next Python cell starts afresh")
		}
	}
	if cr.CommandNotFound {
		out = append(out, "exit 127: a command was not found (is its package installed?)")
	}
	if cr.OutputCut {
		out = append(out, fmt.Sprintf("output cut at %d MiB", transcript.MaxCellStream>>20))
	}
	switch cr.Skip {
	case transcript.SetupCell:
		out = append(out, "set-up cell: labrun provides the course's magics itself")
	case transcript.MagicNotRun:
		out = append(out, "%%"+cr.Cell.Magic+" cells are not run")
	case transcript.StoppedBefore:
		out = append(out, "not run: labrun was interrupted")
	case transcript.CramSkipped:
		out = append(out, CramSkippedWords)
	}
	out = append(out, nativeNotes(cr)...)
	out = append(out, consoleNotes(cr)...)
	if cr.Err != nil {
		out = append(out, "labrun could not run it: "+cr.Err.Error())
	}
	return out
}

// Progress writes the line cmd/labrun -v prints as each cell ends.
func Progress(w io.Writer, lessonName string, cr *transcript.CellResult) {
	extra := ""
	if notes := Notes(cr); len(notes) > 0 {
		extra = " (" + termtext.Inert(strings.Join(notes, "; ")) + ")"
	}
	fmt.Fprintf(w, "%s: cell %d %s %s in %.2fs%s\n", termtext.Inert(cr.Cell.Pos(lessonName)),
		cr.Cell.Index+1, cr.Cell.Kind, cr.Status, cr.Duration.Seconds(), extra)
}

// CramSkippedWords says why the cells of a cram test were not judged:
// its shell exited 80, cram's way to skip a test.
const CramSkippedWords = "skipped: the shell exited 80, as a cram test skips itself"
