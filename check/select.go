package check

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// Selection: which lessons a check takes, and which of a lesson's cells
// it judges. A command-line argument "lesson.md:LINE" names the cell at
// that line (SplitTarget); --run keeps the lessons whose path matches a
// pattern (Matching); --failed-from those a report says failed (Among).

// SplitTarget reads a command-line argument: a path, or "PATH:LINE" for
// the cell at line LINE of the lesson PATH. An argument that names an
// existing file or folder is a path, whatever it holds; otherwise it is
// split at its last ":" when what follows is a line number (line 0: no
// line).
func SplitTarget(arg string) (path string, line int) {
	if _, err := os.Stat(arg); err == nil {
		return arg, 0
	}
	i := strings.LastIndexByte(arg, ':')
	if i <= 0 {
		return arg, 0
	}
	n, err := strconv.Atoi(arg[i+1:])
	if err != nil || n < 1 || strings.ContainsAny(arg[i+1:], "+-") {
		return arg, 0
	}
	return arg[:i], n
}

// Matching keeps the lessons whose path re matches.
func Matching(ls []Lesson, re *regexp.Regexp) []Lesson {
	var out []Lesson
	for _, l := range ls {
		if re.MatchString(l.Path) {
			out = append(out, l)
		}
	}
	return out
}

// Among keeps the lessons whose path is in paths (compared by PathKey).
func Among(ls []Lesson, paths []string) []Lesson {
	keep := map[string]bool{}
	for _, p := range paths {
		keep[PathKey(p)] = true
	}
	var out []Lesson
	for _, l := range ls {
		if keep[PathKey(l.Path)] {
			out = append(out, l)
		}
	}
	return out
}

// cellSpan is the lines of a cell in the recorded transcript: its fences
// and the outputs recorded after it.
type cellSpan struct{ index, first, last int }

// judged returns the index of the cell at the lesson's Line (nil when
// it has none: every cell is judged); a line in no cell is bad input.
func (l Lesson) judged(spans []cellSpan) (map[int]bool, error) {
	if l.Line == 0 {
		return nil, nil
	}
	for _, s := range spans {
		if s.first <= l.Line && l.Line <= s.last {
			return map[int]bool{s.index: true}, nil
		}
	}
	return nil, &lessons.Error{Name: l.Path, Line: l.Line, Msg: "no cell at this line (" + spanList(spans) + ")"}
}

// spanList words where a lesson's cells are: "cells at lines 3-5, 9-14".
func spanList(spans []cellSpan) string {
	if len(spans) == 0 {
		return "the lesson has no code cell"
	}
	var parts []string
	for _, s := range spans {
		parts = append(parts, fmt.Sprintf("%d-%d", s.first, s.last))
	}
	return "cells at lines " + strings.Join(parts, ", ")
}

// cellSpans works out the spans of a transcript's cells: from a cell's
// opening fence to the end of its recorded outputs; recordedLine maps a
// line of the recorded skeleton to the transcript's.
func (r *Report) cellSpans(cells []*lessons.Cell, recordedLine func(int) int) []cellSpan {
	var spans []cellSpan
	for _, c := range cells {
		s := cellSpan{index: c.Index, first: recordedLine(c.Line), last: recordedLine(c.EndLine)}
		if p := r.rec.Recorded(c.Index); p != nil {
			s.last = p.Last
		}
		spans = append(spans, s)
	}
	return spans
}
