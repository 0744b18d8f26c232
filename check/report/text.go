package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/colour"
	"github.com/labrun/labrun/internal/ghlog"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/render"
)

// Text is the human report: for each lesson, why it could not be checked,
// its failing cells with their diffs (WriteFailures), the cells a stop of
// labrun cut (not finished), what --update did
// and its line (LessonLine); at the end, the totals.
type Text struct {
	w       io.Writer
	verbose bool
	// Quiet leaves out the lines of lessons that did not fail: only
	// failures, what --update did, and the totals (-q).
	Quiet bool
	// Groups puts each lesson's report in a GitHub Actions log group
	// ("::group::" its line, "::endgroup::"), folded in the log, and
	// keeps the runner from taking any line of it for a command (a diff
	// line of what a step printed, " ::add-mask::x": ghlog.Writer).
	Groups bool
	// FailOnFlaky words a lesson with a flaky cell as failed (FAIL), as
	// the check's status counts it (--fail-on-flaky).
	FailOnFlaky bool
	// Terminal says the report goes to a terminal: the patch --dry-run
	// prints is shown with its control characters spelled out
	// (termtext.InertText; a display's escape sequences are in it), not
	// as bytes for patch(1).
	Terminal bool
}

// NewText writes the human report to w; verbose adds the raw outputs of
// failing cells.
func NewText(w io.Writer, verbose bool) *Text { return &Text{w: w, verbose: verbose} }

// Handle writes a lesson's report when it ends.
func (t *Text) Handle(ev check.Event) {
	e, ok := ev.(check.LessonEnded)
	if !ok || t.Quiet && !e.Failed() && e.Update.Kind == check.UpdateNone && !flakyNews(e) {
		return
	}
	lt := check.LessonTotals(e)
	lt.FailOnFlaky = t.FailOnFlaky
	w := t.w
	if t.Groups {
		title := colour.Red("FAIL") + " " + termtext.Inert(e.Path) + ": could not be checked"
		if e.Report != nil {
			title = lessonLine(e.Report, lt)
		}
		fmt.Fprintf(t.w, "::group::%s\n", ghlog.EscapeData(title))
		g := ghlog.NewWriter(t.w)
		w = g
		defer func() {
			g.Flush()
			fmt.Fprintln(t.w, "::endgroup::")
		}()
	}
	for _, p := range lessonProblems(e) {
		fmt.Fprintf(w, "labrun: %s\n", p.msg) // each mistake of a lesson's parse on its own line, as annotated
	}
	if e.Report == nil {
		return
	}
	WriteFailures(w, e.Report, t.verbose)
	writeNotFinished(w, e.Report)
	writeUpdate(w, e.Report, e.Update, t.Terminal)
	writeFlaky(w, e.Report)
	writeRules(w, e.Report, e.Rules)
	if !t.Quiet || e.Failed() {
		fmt.Fprintln(w, lessonLine(e.Report, lt))
	}
}

// Finish writes the totals line.
func (t *Text) Finish(tot check.Totals) error {
	fmt.Fprintln(t.w, tot.Line())
	return nil
}

// writeUpdate words what --update did to a lesson's file; the patch of
// --dry-run is spelled out on a terminal (tty).
func writeUpdate(w io.Writer, r *check.Report, u check.UpdateResult, tty bool) {
	switch u.Kind {
	case check.UpdateInterrupted:
		fmt.Fprintf(w, "labrun: %s: not updated: its run was interrupted\n", termtext.Inert(r.Path))
	case check.UpdateDryRun:
		if tty {
			io.WriteString(w, termtext.InertText(u.Diff))
			break
		}
		io.WriteString(w, u.Diff)
	case check.UpdateWritten:
		fmt.Fprintf(w, "labrun: %s: updated the outputs of %s\n", termtext.Inert(r.Path), render.Count(u.Mended, "failing cell", "failing cells"))
	case check.UpdateFailed:
		fmt.Fprintf(w, "labrun: %v\n", u.Err)
	}
}

// WriteFailures writes, for every failing cell of a lesson,
// "lesson.md:LINE: cell N: REASON", how it ended when it did not end
// well, and the diff of its normalized lines (recorded → fresh);
// verbose adds the raw outputs blocks. What a step printed that is
// quoted on a line (how the cell ended: a Python exception's message) is
// inert (termtext.Inert). Each command of a console block
// that differs gets its own "lesson.md:LINE: cell N: output differs" at
// its "$ " line, with its diff.
func WriteFailures(w io.Writer, r *check.Report, verbose bool) {
	for _, c := range r.Cells {
		if c.Verdict != check.Fail {
			continue
		}
		cmds := c.FailingCommands()
		if c.OwnFailure() {
			// the cell's own failure: its outputs block, or how it ended
			fmt.Fprintf(w, "%s:%d: cell %d: %s\n", termtext.Inert(r.Path), c.Line, c.Number, termtext.Inert(c.Reason.String()))
			if c.How != "" {
				fmt.Fprintf(w, "  the cell ended: %s\n", termtext.Inert(c.How))
			}
			if diff := c.BlockDiff(); diff != "" {
				writeDiff(w, diff)
			}
			if verbose {
				fmt.Fprintf(w, "  raw recorded:\n%s  raw fresh:\n%s", indentRaw(c.RawRecorded), indentRaw(c.RawFresh))
			}
		}
		// each console command that differs, at its own line
		for i, k := range cmds {
			fmt.Fprintf(w, "%s:%d: cell %d: %s\n", termtext.Inert(r.Path), k.Line, c.Number, termtext.Inert(k.Reason.String()))
			if i == 0 && c.How != "" && !c.OwnFailure() {
				fmt.Fprintf(w, "  the cell ended: %s\n", termtext.Inert(c.How))
			}
			if k.Diff != "" {
				writeDiff(w, k.Diff)
			}
			if verbose {
				fmt.Fprintf(w, "  raw recorded:\n%s  raw fresh:\n%s", indentRaw(k.RawRecorded), indentRaw(k.RawFresh))
			}
		}
	}
}

// writeNotFinished writes "lesson.md:LINE: cell N: not finished: ..."
// for every cell of a lesson that a stop of labrun cut.
func writeNotFinished(w io.Writer, r *check.Report) {
	for _, c := range r.Cells {
		if c.Verdict == check.NotFinished {
			fmt.Fprintf(w, "%s:%d: cell %d: %s\n", termtext.Inert(r.Path), c.Line, c.Number, c.Reason)
		}
	}
}

// writeDiff writes a diff, its lines coloured when colour is on.
func writeDiff(w io.Writer, diff string) {
	for _, l := range strings.SplitAfter(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
			io.WriteString(w, colour.Bold("%s", strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "@@"):
			io.WriteString(w, colour.Cyan("%s", strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "-"):
			io.WriteString(w, colour.Red("%s", strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "+"):
			io.WriteString(w, colour.Green("%s", strings.TrimSuffix(l, "\n"))+"\n")
		default:
			io.WriteString(w, strings.TrimSuffix(l, "\n")+"\n")
		}
	}
}

// indentRaw shows a raw block under a heading, each line after "    | ",
// inert (termtext.Inert): a display's escape sequences, which the
// outputs block keeps as the program printed them, are spelled out, not
// sent to the terminal.
func indentRaw(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    | " + termtext.Inert(l) + "\n")
	}
	return b.String()
}

// LessonLine is the plain line about one checked lesson, its counts
// worded as the totals' (check.Totals.Line):
// "ok   path: 12 passed, 0 failed (3.1s)", "FAIL path: ..." or, when a
// stop of labrun cut a cell, "STOP path: ...".
func LessonLine(r *check.Report) string {
	return lessonLine(r, check.LessonTotals(check.LessonEnded{Report: r}))
}

// lessonLine is LessonLine with the lesson's totals t (what --update
// did counted; FAIL when the lesson could not be wholly checked, which
// its report words before, or has a flaky cell under t.FailOnFlaky).
func lessonLine(r *check.Report, t check.Totals) string {
	word := colour.Green("ok  ")
	switch {
	case t.Failed > 0 || t.Broken > 0 || t.FailOnFlaky && t.Flaky > 0:
		word = colour.Red("FAIL")
	case t.NotFinished > 0:
		word = colour.Yellow("STOP")
	}
	t.Broken = 0
	return fmt.Sprintf("%s %s: %s (%.1fs)", word, termtext.Inert(r.Path), t.Line(), r.Duration.Seconds())
}
