package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// nativeNotes words what the native dialect adds to a cell's ending: a
// failed wait or stop before it, an ending its fence did not expect, a
// skip.
func nativeNotes(cr *transcript.CellResult) []string {
	var out []string
	if f := cr.Directive; f != nil {
		d := f.Directive
		what := fmt.Sprintf("line %d: %s", d.Line, d.Text)
		switch f.Why {
		case transcript.WaitTimedOut:
			out = append(out, fmt.Sprintf("not run: %s: not ready after %s", what, d.Timeout))
		case transcript.WaitStepEnded:
			out = append(out, fmt.Sprintf("not run: %s: %s ended without printing a match", what, d.Name))
		case transcript.DirectiveCancelled:
			out = append(out, fmt.Sprintf("not run: %s: labrun was interrupted", what))
		}
	}
	if u := cr.Unexpected; u != nil {
		got := "exit " + u.Exit.String()
		switch {
		case u.Interrupted:
			got = "was interrupted"
		case u.Failed:
			got = "failed"
		}
		out = append(out, fmt.Sprintf("expected %s, %s", expectWords(u.Want), got))
	}
	if a := cr.Cell.Attrs; a != nil && a.Expect != nil && cr.Unexpected == nil && cr.Status != transcript.OK && cr.Status != transcript.Skipped {
		out = append(out, "as expected (expect="+a.Expect.String()+")")
	}
	if cr.Skip == transcript.MarkedSkip {
		out = append(out, "skip: not run")
	}
	return out
}

// expectWords words a cell's expectation.
func expectWords(e lessons.Expect) string {
	switch e.Kind {
	case lessons.ExpectInterrupted:
		return "an interruption"
	case lessons.ExpectFail:
		return "a failure"
	}
	return fmt.Sprintf("exit %d", e.Code)
}

// NotRunWords says why a fence is not run.
func NotRunWords(nr lessons.NotRun) string {
	switch nr.Reason {
	case lessons.NoLanguage:
		return "no language: prose"
	case lessons.Nested:
		return "inside a list or a blockquote: prose"
	case lessons.ConsoleNotRun:
		return "console block not marked run (```console run, or <!-- labrun: console=run -->)"
	}
	if nr.Dialect == lessons.NativeDialect {
		return "prose: in the native dialect a fence runs when its info string says so (```sh run, file=, run=)"
	}
	return "prose: the course dialect runs ```python fences and fences whose first line is a %%magic"
}

// NotRunList writes one line per fence of the lesson that is not run,
// with the reason (labrun run -v).
func NotRunList(w io.Writer, l *lessons.Lesson) {
	for _, nr := range l.NotRun {
		fence := "```" + nr.Info
		if i := strings.IndexByte(fence, ' '); i > 0 {
			fence = fence[:i]
		}
		fmt.Fprintf(w, "%s:%d: %s fence not run: %s\n", l.Name, nr.Line, fence, NotRunWords(nr))
	}
}
