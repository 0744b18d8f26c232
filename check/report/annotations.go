package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/labrun/labrun/check"
)

// Annotations is the handler of GitHub Actions (GITHUB_ACTIONS=true):
// when the suite is over, it writes the annotations of every lesson's
// failing cells (WriteAnnotations), in the order of the lessons given
// to the suite.
type Annotations struct {
	w       io.Writer
	reports map[int]*check.Report
}

// NewAnnotations writes annotations to w.
func NewAnnotations(w io.Writer) *Annotations {
	return &Annotations{w: w, reports: map[int]*check.Report{}}
}

// Handle keeps a lesson's report when it ends.
func (a *Annotations) Handle(ev check.Event) {
	if e, ok := ev.(check.LessonEnded); ok && e.Report != nil {
		a.reports[e.Index] = e.Report
	}
}

// Finish writes the annotations.
func (a *Annotations) Finish(check.Totals) error {
	for _, i := range slices.Sorted(maps.Keys(a.reports)) {
		WriteAnnotations(a.w, a.reports[i])
	}
	return nil
}

// WriteAnnotations writes a GitHub Actions annotation for every failing
// cell of a report: "::error file=…,line=…,title=lesson cell N::…", the
// title shown above the message where GitHub shows the line.
func WriteAnnotations(w io.Writer, r *check.Report) {
	for _, c := range r.Cells {
		if c.Verdict != check.Fail {
			continue
		}
		msg := fmt.Sprintf("cell %d: %s", c.Number, c.Reason)
		if c.How != "" {
			msg += " (the cell ended: " + c.How + ")"
		}
		if c.Diff != "" {
			msg += "\n" + c.Diff
		}
		title := fmt.Sprintf("lesson cell %d", c.Number)
		fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n", escapeProperty(r.Path), c.Line, escapeProperty(title), escapeData(msg))
	}
}

// escapeData escapes an annotation's message as the workflow commands
// want.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(strings.TrimRight(s, "\n"))
}

// escapeProperty escapes a property value (file=...).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
