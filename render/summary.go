package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/labrun/labrun/internal/colour"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/transcript"
)

// Summary writes one line about the run to w (the terminal): how many
// cells ran, failed and were interrupted, how long it took, and where the
// transcript went; then one line per cell that failed, was interrupted or
// has a note (such as a command not found). What a step printed (a
// Python exception's message) is quoted inert (termtext.Inert): on one
// line, its escape sequences spelled out.
func Summary(w io.Writer, res *transcript.Result, out string) {
	var ran, failed, interrupted int
	for _, cr := range res.Cells {
		switch cr.Status {
		case transcript.OK:
			ran++
		case transcript.Failed:
			ran++
			failed++
		case transcript.Interrupted:
			ran++
			interrupted++
		}
	}
	if out == "" {
		out = "standard output"
	}
	state := colour.Green("done")
	if res.Interrupted {
		state = colour.Red("interrupted")
	}
	fmt.Fprintf(w, "labrun: %s: %s, %s run, %d failed, %d interrupted, %.1fs -> %s\n",
		termtext.Inert(res.Lesson.Name), state, Count(ran, "cell", "cells"), failed, interrupted, res.Duration.Seconds(), out)
	for _, cr := range res.Cells {
		notes := Notes(cr)
		if cr.Status != transcript.Failed && cr.Status != transcript.Interrupted && (cr.Status != transcript.OK || len(notes) == 0) {
			continue
		}
		if e := cr.Exception; e != nil {
			notes = append([]string{strings.TrimSuffix(e.Name+": "+e.Message, ": ")}, notes...)
		}
		if cr.Steps > 0 && cr.Exit.Code != 0 {
			notes = append([]string{"last step: exit " + cr.Exit.String()}, notes...)
		}
		fmt.Fprintf(w, "  %s: cell %d %s: %s cell; %s\n", termtext.Inert(cr.Cell.Pos(res.Lesson.Name)), cr.Cell.Index+1,
			colour.Yellow(cr.Status.String()), cr.Cell.Kind, termtext.Inert(strings.Join(notes, "; ")))
	}
}
