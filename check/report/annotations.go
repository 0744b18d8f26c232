package report

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/ghlog"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
)

// Annotations is the handler of GitHub Actions (GITHUB_ACTIONS=true):
// when the suite is over, it writes the annotations of every lesson's
// failing cells that --update did not mend, and of every lesson that
// could not be checked (wholly), in the order of the lessons given to the
// suite (WriteAnnotations).
type Annotations struct {
	// Workspace is the checkout the lessons' paths are named from
	// (GitHub's $GITHUB_WORKSPACE; "": as given), as GitHub wants them.
	Workspace string
	w         io.Writer
	ends      map[int]check.LessonEnded
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
		WriteAnnotations(a.w, e, RepoPath(a.Workspace, e.Path))
	}
	return nil
}

// WriteAnnotations writes a lesson's GitHub Actions annotations, naming
// it file (its path in the repository, RepoPath): one for
// its error, when it could not be checked (wholly), "::error
// file=…,line=…,title=lesson not checked::…" at the line the error
// names in the lesson (none: the file only); those of every failing cell
// that --update did not mend, "::error file=…,line=…,title=lesson cell
// N::…" (writeCell), the title shown above the message where GitHub shows
// the line.
func WriteAnnotations(w io.Writer, e check.LessonEnded, file string) {
	for _, p := range lessonProblems(e) {
		at := "file=" + ghlog.EscapeProperty(file)
		if p.line > 0 {
			at += fmt.Sprintf(",line=%d", p.line)
		}
		fmt.Fprintf(w, "::error %s,title=lesson not checked::%s\n", at, ghlog.EscapeData(p.msg))
	}
	if e.Report == nil {
		return
	}
	for _, c := range e.Report.Cells {
		if c.Verdict == check.Fail && !e.Mended(c) {
			writeCell(w, file, c)
		}
	}
}

// writeCell writes the annotations of a failing cell of the lesson
// file, where the text
// report words them (WriteFailures): the cell's own failure at its line,
// and each console command that differs at the command's line, each
// with its diff.
func writeCell(w io.Writer, file string, c *check.CellReport) {
	title := ghlog.EscapeProperty(fmt.Sprintf("lesson cell %d", c.Number))
	cmds := c.FailingCommands()
	if c.OwnFailure() {
		msg := fmt.Sprintf("cell %d: %s", c.Number, c.Reason)
		if c.How != "" {
			msg += " (the cell ended: " + termtext.Inert(c.How) + ")"
		}
		if diff := c.BlockDiff(); diff != "" {
			msg += "\n" + diff
		}
		fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n", ghlog.EscapeProperty(file), c.Line, title, ghlog.EscapeData(msg))
	}
	for i, k := range cmds {
		msg := fmt.Sprintf("cell %d: %s", c.Number, k.Reason)
		if i == 0 && c.How != "" && !c.OwnFailure() {
			msg += " (the cell ended: " + termtext.Inert(c.How) + ")"
		}
		if k.Diff != "" {
			msg += "\n" + k.Diff
		}
		fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n", ghlog.EscapeProperty(file), k.Line, title, ghlog.EscapeData(msg))
	}
}

// problem is one thing wrong with a lesson that could not be checked:
// its message and the line of the lesson it names (0: none).
type problem struct {
	line int
	msg  string
}

// lessonProblems are the problems of a lesson's error, as the
// annotations and the job summary show them: each of a lessons.ErrorList
// (every mistake the lesson's parse found, such as a directive's bad
// regexp at its line) on its own, else the error whole; each at the line
// it names in the lesson itself (a line of another file, the skeleton's,
// is no line of the lesson). None when the lesson has no error.
func lessonProblems(e check.LessonEnded) []problem {
	if e.Err == nil {
		return nil
	}
	lineOf := func(le *lessons.Error) int {
		if le.Name == e.Path && le.Line > 0 {
			return le.Line
		}
		return 0
	}
	var list lessons.ErrorList
	if errors.As(e.Err, &list) && len(list) > 0 && list.Error() == e.Err.Error() {
		out := make([]problem, len(list))
		for i, le := range list {
			out[i] = problem{lineOf(le), le.Error()}
		}
		return out
	}
	p := problem{msg: e.Err.Error()}
	if le := (*lessons.Error)(nil); errors.As(e.Err, &le) {
		p.line = lineOf(le)
	} else if errors.As(e.Err, &list) && len(list) > 0 {
		p.line = lineOf(list[0])
	}
	return []problem{p}
}
