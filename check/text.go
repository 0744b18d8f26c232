package check

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
)

// Totals counts verdicts over lessons.
type Totals struct {
	Passed, Failed, Skipped int
	// Updated counts failing cells whose outputs --update rewrote (not
	// counted as failed).
	Updated int
	// Broken counts lessons that could not be checked.
	Broken int
}

// Add counts a lesson's verdicts.
func (t *Totals) Add(r *Report) {
	p, f, s := r.Counts()
	t.Passed += p
	t.Failed += f
	t.Skipped += s
}

// Line is the last line of a check, the one CI tools read:
// "N passed, N failed" and ", N skipped" when some were.
func (t Totals) Line() string {
	s := fmt.Sprintf("%d passed, %d failed", t.Passed, t.Failed)
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.Skipped)
	}
	if t.Updated > 0 {
		s += fmt.Sprintf(", %d updated", t.Updated)
	}
	if t.Broken > 0 {
		s += fmt.Sprintf(", %d lessons could not be checked", t.Broken)
	}
	return s
}

// WriteFailures writes, for every failing cell of a lesson,
// "lesson.md:LINE: cell N: REASON", how it ended when it did not end
// well, and the diff of its normalized lines (recorded → fresh);
// verbose adds the raw outputs blocks. Each command of a console block
// that differs gets its own "lesson.md:LINE: cell N: output differs" at
// its "$ " line, with its diff.
func WriteFailures(w io.Writer, r *Report, verbose bool) {
	for _, c := range r.Cells {
		if c.Verdict != Fail {
			continue
		}
		cmds := c.failingCommands()
		if len(cmds) == 0 || c.rewritesBlock() {
			// the cell's own failure: its outputs block, or how it ended
			fmt.Fprintf(w, "%s:%d: cell %d: %s\n", r.Path, c.Line, c.Number, c.Reason)
			if c.How != "" {
				fmt.Fprintf(w, "  the cell ended: %s\n", c.How)
			}
			diff := c.Diff
			if len(cmds) > 0 {
				diff = c.outputsDiff
			}
			if diff != "" {
				writeDiff(w, diff)
			}
			if verbose {
				fmt.Fprintf(w, "  raw recorded:\n%s  raw fresh:\n%s", indentRaw(c.RawRecorded), indentRaw(c.RawFresh))
			}
		}
		// each console command that differs, at its own line
		for i, k := range cmds {
			fmt.Fprintf(w, "%s:%d: cell %d: %s\n", r.Path, k.Line, c.Number, reasonDiffers)
			if i == 0 && c.How != "" && !c.rewritesBlock() {
				fmt.Fprintf(w, "  the cell ended: %s\n", c.How)
			}
			writeDiff(w, k.Diff)
			if verbose {
				fmt.Fprintf(w, "  raw recorded:\n%s  raw fresh:\n%s", indentRaw(k.RawRecorded), indentRaw(k.RawFresh))
			}
		}
	}
}

// writeDiff writes a diff, its lines coloured when colour is on.
func writeDiff(w io.Writer, diff string) {
	for _, l := range strings.SplitAfter(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
			io.WriteString(w, color.New(color.Bold).Sprint(strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "@@"):
			io.WriteString(w, color.CyanString("%s", strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "-"):
			io.WriteString(w, color.RedString("%s", strings.TrimSuffix(l, "\n"))+"\n")
		case strings.HasPrefix(l, "+"):
			io.WriteString(w, color.GreenString("%s", strings.TrimSuffix(l, "\n"))+"\n")
		default:
			io.WriteString(w, strings.TrimSuffix(l, "\n")+"\n")
		}
	}
}

// indentRaw shows a raw block under a heading, each line after "    | ".
func indentRaw(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    | " + l + "\n")
	}
	return b.String()
}

// LessonLine is the plain line about one checked lesson:
// "ok   path: 12 passed, 0 failed (3.1s)" or "FAIL path: ...".
func LessonLine(r *Report) string {
	p, f, s := r.Counts()
	word := color.GreenString("ok  ")
	if f > 0 {
		word = color.RedString("FAIL")
	}
	t := Totals{Passed: p, Failed: f, Skipped: s}
	return fmt.Sprintf("%s %s: %s (%.1fs)", word, r.Path, t.Line(), r.Duration.Seconds())
}
