package report

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/lessons"
)

// Annotations is the handler of GitHub Actions (GITHUB_ACTIONS=true):
// when the suite is over, it writes the annotations of every lesson's
// failing cells (WriteAnnotations), and of every lesson that could not
// be checked (wholly), in the order of the lessons given to the suite.
type Annotations struct {
	w    io.Writer
	ends map[int]check.LessonEnded
}

// NewAnnotations writes annotations to w.
func NewAnnotations(w io.Writer) *Annotations {
	return &Annotations{w: w, ends: map[int]check.LessonEnded{}}
}

// Handle keeps a lesson's end.
func (a *Annotations) Handle(ev check.Event) {
	if e, ok := ev.(check.LessonEnded); ok && (e.Report != nil || e.Err != nil) {
		a.ends[e.Index] = e
	}
}

// Finish writes the annotations.
func (a *Annotations) Finish(check.Totals) error {
	for _, i := range slices.Sorted(maps.Keys(a.ends)) {
		e := a.ends[i]
		if e.Err != nil {
			writeLessonError(a.w, e.Path, e.Err)
		}
		if e.Report != nil {
			WriteAnnotations(a.w, e.Report)
		}
	}
	return nil
}

// writeLessonError writes the annotation of a lesson that could not be
// checked: "::error file=…,line=…,title=lesson not checked::…", at the
// line the error names in the lesson (none: the file only).
func writeLessonError(w io.Writer, path string, err error) {
	at := "file=" + escapeProperty(path)
	var le *lessons.Error
	if errors.As(err, &le) && le.Line > 0 && le.Name == path {
		at += fmt.Sprintf(",line=%d", le.Line)
	}
	fmt.Fprintf(w, "::error %s,title=lesson not checked::%s\n", at, escapeData(err.Error()))
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
