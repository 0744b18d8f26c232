package transcript

import (
	"errors"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// Transcript is a written transcript read back: a labrun transcript
// (outputs between marker lines, each cell's ending in its marker) or a
// course README.md (nbconvert's layout).
type Transcript struct {
	// Name is the transcript's name in messages; Source its bytes.
	Name   string
	Source []byte
	// Course says it is a course transcript: no markers, no endings.
	Course bool
	// Lesson is its skeleton, parsed: the lesson it records (what Strip
	// and StripCourse give), its lines the skeleton's (Line maps them).
	Lesson *lessons.Lesson
	// Parts are its pieces in order: lesson text, then the outputs block
	// after it; joined, they give Source back but for the markers.
	Parts []Part
	// lineOf[n-1] is the transcript line of skeleton line n; skelOf the
	// other way.
	lineOf []int
	skelOf map[int]int
	// recorded maps a cell's index to the part holding its outputs.
	recorded map[int]int
}

// Parse reads a transcript. name is used in messages. A skeleton that is
// no lesson gives lessons.Parse's errors, at the transcript's lines, with
// a Transcript that has its Parts and no Lesson; so do marker lines that
// do not pair up and an outputs block that follows no cell, at the
// marker's line: a cell's outputs would be lost or taken for another's.
func Parse(name string, src []byte) (*Transcript, error) {
	c := read(src)
	t := &Transcript{Name: name, Source: src, Course: c.course, Parts: c.parts, lineOf: c.lineOf,
		skelOf: map[int]int{}, recorded: map[int]int{}}
	if err := c.unpaired(name); err != nil {
		return t, err
	}
	for i, n := range c.lineOf {
		t.skelOf[n] = i + 1
	}
	for _, n := range c.padded {
		delete(t.skelOf, t.lineOf[n-1])
	}
	l, err := lessons.Parse(name, []byte(c.skeleton.String()))
	if err != nil {
		return t, t.At(err)
	}
	byEnd := map[int]int{}
	for _, cell := range l.Cells {
		byEnd[cell.EndLine] = cell.Index
	}
	for i, p := range t.Parts {
		idx, ok := byEnd[p.End]
		if ok && p.HasOutputs && p.End > 0 {
			t.recorded[idx] = i // a later block after the same cell wins
		} else if p.HasOutputs && !t.Course {
			return t, &lessons.Error{Name: name, Line: p.Last - strings.Count(p.Outputs, "\n") - 1,
				Msg: "outputs block after no cell: its marker line must follow a cell's closing fence"}
		}
	}
	t.Lesson = l
	return t, nil
}

// Line returns the transcript line of skeleton line n (n itself past the
// skeleton's end).
func (t *Transcript) Line(n int) int {
	if n >= 1 && n <= len(t.lineOf) {
		return t.lineOf[n-1]
	}
	return n
}

// SkeletonLine returns the skeleton line of transcript line n, and false
// when the line is none of the skeleton's (a marker, an output).
func (t *Transcript) SkeletonLine(n int) (int, bool) {
	s, ok := t.skelOf[n]
	return s, ok
}

// Recorded returns the part that holds the recorded outputs of the cell
// of that index, or nil when the transcript records none for it.
func (t *Transcript) Recorded(cell int) *Part {
	if i, ok := t.recorded[cell]; ok {
		return &t.Parts[i]
	}
	return nil
}

// HasOutputs reports whether the transcript records any outputs.
func (t *Transcript) HasOutputs() bool {
	for _, p := range t.Parts {
		if p.HasOutputs {
			return true
		}
	}
	return false
}

// At returns err, an error of lessons about the skeleton, with its lines
// made the transcript's (errors of another kind are returned as they
// are).
func (t *Transcript) At(err error) error {
	var list lessons.ErrorList
	var one *lessons.Error
	switch {
	case errors.As(err, &list):
		out := make(lessons.ErrorList, len(list))
		for i, e := range list {
			out[i] = t.errorAt(e)
		}
		return out
	case errors.As(err, &one):
		return t.errorAt(one)
	}
	return err
}

// errorAt is e at the transcript's line.
func (t *Transcript) errorAt(e *lessons.Error) *lessons.Error {
	c := *e
	if c.Line > 0 {
		c.Line = t.Line(c.Line)
	}
	return &c
}

// Strip returns the lesson a labrun transcript was rendered from: it
// removes every block from an opening marker line to the next closing
// one, both included. Other lines are kept byte for byte. A transcript
// that ends with a closing marker line without a newline came from a
// lesson that ended without one.
func Strip(src []byte) []byte { return []byte(readLabrun(string(src)).skeleton.String()) }

// Skeleton returns the skeleton of a transcript of either kind, as
// StripAny does, read as Parse reads it: a labrun transcript whose marker
// lines do not pair up (an opening one never closed, a closing one that
// closes nothing) gives no skeleton and Parse's error for it, named name
// and at the marker's line; the skeleton would keep a cell's outputs as
// lesson text or lose the lesson text after them. A skeleton that is no
// lesson is no error here.
func Skeleton(name string, src []byte) ([]byte, error) {
	c := read(src)
	if err := c.unpaired(name); err != nil {
		return nil, err
	}
	return []byte(c.skeleton.String()), nil
}

// StripAny returns the skeleton of a transcript of either kind: a labrun
// transcript (its outputs stand between marker lines) or a course
// transcript in the layout "jupyter nbconvert --to markdown" gives (see
// StripCourse).
func StripAny(src []byte) []byte { return []byte(read(src).skeleton.String()) }

// StripCourse returns the skeleton of a course transcript: the lesson as
// nbconvert exported it without outputs (README_no_output.md from
// README.md). After the closing fence of every code cell (a fence the
// course's dialect runs: ```python, or a %%magic on its first line; not a
// fence of prose such as ```text or a console block), nbconvert placed
// the cell's outputs:
//
//   - stream and text output: lines indented by four spaces;
//   - Markdown and HTML displays ("Run: `CMD`" in a cell with %run lines,
//     "\#\#\#\# `TEXT`" in one with comment lines (%//, %#: the current
//     magics show them so), "%p" values, %MD text, display(HTML(...))):
//     raw lines, which StripCourse recognizes from the cell's own source
//     (a display shows what the cell says), a display's next lines too;
//   - a %run output under --under-spoiler-threshold ("<pre><code>" or
//     "<details> <summary> output </summary> <pre><code>") and an
//     IFrame's "<iframe": read on to their closing tag, whatever the
//     lines between say;
//   - background logs: a bare fence or a <pre> block of "X | text" lines;
//
// each with blank lines around. StripCourse removes them and puts back
// the blank lines nbconvert puts between cells: two before a code cell,
// one before anything else, none at the end. The course's export adds one
// blank line at the top of a lesson that has outputs (the set-up cell's
// printed marker); that line goes too. A skeleton has no outputs and is
// returned unchanged.
func StripCourse(src []byte) []byte { return []byte(readCourse(string(src)).skeleton.String()) }
