package transcript

import (
	"errors"
	"fmt"
	"strings"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
)

// Part is a piece of a transcript: lesson text as the transcript has it,
// then the outputs block that follows it, if any.
type Part struct {
	// Skeleton is lesson text (prose and code), byte for byte as the
	// transcript has it; Line is the transcript line it starts on.
	Skeleton string
	Line     int
	// End is the skeleton line Skeleton ends on: a cell's closing fence
	// when these are the cell's outputs. Last is the transcript line the
	// part ends on: its closing marker, or its outputs' last line.
	End, Last int
	// HasOutputs says an outputs block follows (it may be empty in a
	// labrun transcript, which marks every cell that ran).
	HasOutputs bool
	// Outputs is the outputs block as the transcript lays it out
	// (nbconvert's layout), without labrun's markers.
	Outputs string
	// Sep is what the skeleton has in a course transcript's Outputs
	// place: the blank lines nbconvert puts between cells ("\n\n"
	// before a code cell, "\n" before anything else, "" at the end).
	// An outputs block emptied leaves Sep.
	Sep string
	// Marker is the line that opens the block in a labrun transcript, as
	// written and without its line end; "" in a course transcript.
	Marker string
	// Block is the whole block of a labrun transcript as written, from
	// its opening marker line to its closing one, their line ends
	// included (\r\n in a file saved so); "" in a course transcript.
	Block string
	// Annotation is how the cell ended as Marker records it; nil in a
	// course transcript. AnnotationErr says what of it could not be read
	// (Annotation holds what could).
	Annotation    *Annotation
	AnnotationErr error
}

// AnnotationText is the annotation Marker carries ("" in a course
// transcript).
func (p *Part) AnnotationText() string {
	if p.Marker == "" {
		return ""
	}
	return marker.Annotation(p.Marker)
}

// OutcomeRead reports whether Annotation holds the recorded status and exit:
// a labrun marker whose status and exit fields read.
func (p *Part) OutcomeRead() bool {
	var fe *FieldError
	if p.Annotation == nil {
		return false
	}
	return !errors.As(p.AnnotationErr, &fe) || fe.Field != "status" && fe.Field != "exit"
}

// cut is a transcript cut into parts, with its skeleton: the lesson it
// records, the text Strip and StripCourse return.
type cut struct {
	course   bool
	parts    []Part
	skeleton strings.Builder
	// lineOf[n-1] is the transcript line of skeleton line n; padded
	// lists the skeleton lines that stand for a course transcript's
	// outputs (blank lines between cells).
	lineOf []int
	padded []int
	// bad is the first marker line that does not pair up: an opening one
	// never closed, a closing one that closes nothing (nil: none).
	bad *lessons.Error
}

// read cuts a transcript of either kind: labrun's (its outputs stand
// between marker lines) or a course's (nbconvert's layout), as IsLabrun
// tells them apart; a lesson of the native dialect with no marker yet (a
// console block's records are its only outputs) is labrun's, so that
// check --update writes its cells' outputs between markers as run
// does, not in the course's layout, which run would read as prose.
func read(src []byte) *cut {
	if IsLabrun(src) || lessons.DialectOf(src) == lessons.NativeDialect {
		return readLabrun(string(src))
	}
	return readCourse(string(src))
}

// IsLabrun reports whether src is a labrun transcript, not a course one:
// whether a line that opens an outputs block (marker.IsOpen) stands where
// the course's layout has lesson text, not a cell's outputs. The dialect
// is told by the layout, never by what a step printed: a course
// transcript's recorded display may hold such a line (a %p value or a
// %MD text, which nbconvert shows raw), and the course reading, which
// finds a code cell's outputs from the cell's own source, takes it for
// the cell's output. labrun writes its opening line right after a cell's
// closing fence, where nbconvert's layout has no output (it puts a blank
// line there), so the course reading keeps that line as lesson text; so
// it does one a hand's edit left elsewhere, which no lesson may hold (a
// broken labrun transcript, read as one to say what is wrong with it).
func IsLabrun(src []byte) bool {
	if !marker.Has(src) {
		return false
	}
	lines := linesOf(string(src))
	regions := courseRegions(lines)
	r := 0
	for i, l := range lines {
		for r < len(regions) && regions[r].end <= i {
			r++
		}
		inOutputs := r < len(regions) && regions[r].start <= i
		if !inOutputs && marker.IsOpen(l) {
			return true
		}
	}
	return false
}

// keep adds transcript line n (text, with its newline) to the skeleton.
func (c *cut) keep(n int, text string) {
	c.skeleton.WriteString(text)
	c.lineOf = append(c.lineOf, n)
}

// readLabrun cuts a labrun transcript: every block from an opening
// marker line to the next closing one, both included, is a cell's
// outputs; every other line is the lesson's, byte for byte. A transcript
// that ends with a closing marker line without a newline came from a
// lesson that ended without one. An opening marker line whose block is
// not closed before the next opening one or the end, and a closing one
// outside a block, are noted in bad (the reading goes on as before).
func readLabrun(src string) *cut {
	c := &cut{}
	var cur Part
	var out, block strings.Builder
	in := false
	n, opened := 0, 0
	for line := range strings.Lines(src) {
		n++
		switch {
		case in && marker.IsOpen(line):
			c.note(opened, fmt.Sprintf("outputs block not closed: line %d opens the next one before a %q line", n, marker.Close))
			out.WriteString(line)
			block.WriteString(line)
		case !in && marker.IsClose(line):
			c.note(n, fmt.Sprintf("%q closes no outputs block", marker.Close))
			c.keepText(&cur, n, line)
		case !in && marker.IsOpen(line):
			in, opened = true, n
			cur.HasOutputs, cur.End = true, len(c.lineOf)
			cur.Marker = strings.TrimRight(line, "\r\n")
			e, err := ParseAnnotation(cur.AnnotationText())
			cur.Annotation, cur.AnnotationErr = &e, err
			block.WriteString(line)
		case in && marker.IsClose(line):
			in = false
			block.WriteString(line)
			cur.Outputs, cur.Block, cur.Last = out.String(), block.String(), n
			out.Reset()
			block.Reset()
			c.parts = append(c.parts, cur)
			cur = Part{}
			if !strings.HasSuffix(line, "\n") { // the transcript's last line
				c.dropLastByte()
			}
		case in:
			out.WriteString(line)
			block.WriteString(line)
		default:
			c.keepText(&cur, n, line)
		}
	}
	if in {
		c.note(opened, fmt.Sprintf("outputs block not closed: no %q line before the end of the file", marker.Close))
		cur.Outputs, cur.Block = out.String(), block.String()
	}
	if cur.Skeleton != "" || cur.HasOutputs {
		cur.End, cur.Last = len(c.lineOf), n
		c.parts = append(c.parts, cur)
	}
	return c
}

// keepText adds transcript line n, lesson text, to part cur and to the
// skeleton.
func (c *cut) keepText(cur *Part, n int, line string) {
	if cur.Skeleton == "" {
		cur.Line = n
	}
	cur.Skeleton += line
	c.keep(n, line)
}

// unpaired returns the error about the first marker line that does not
// pair up, in the file named name, or nil when they all do.
func (c *cut) unpaired(name string) error {
	if c.bad == nil {
		return nil
	}
	e := *c.bad
	e.Name = name
	return &e
}

// note keeps the first marker line that does not pair up (line n), and
// why.
func (c *cut) note(n int, msg string) {
	if c.bad == nil {
		c.bad = &lessons.Error{Line: n, Msg: msg}
	}
}

// dropLastByte takes the last byte off the skeleton (the newline a
// transcript adds after a lesson that ends without one).
func (c *cut) dropLastByte() {
	s := c.skeleton.String()
	if s == "" {
		return
	}
	s = s[:len(s)-1]
	c.skeleton.Reset()
	c.skeleton.WriteString(s)
	if lines := strings.Count(s, "\n"); !strings.HasSuffix(s, "\n") && s != "" {
		c.lineOf = c.lineOf[:lines+1]
	} else {
		c.lineOf = c.lineOf[:lines]
	}
}

// readCourse cuts a course transcript (see StripCourse): after the
// closing fence of a code cell, the outputs nbconvert placed; the
// skeleton has the blank lines nbconvert puts between cells in their
// place.
func readCourse(src string) *cut {
	c := &cut{course: true}
	if src == "" {
		return c
	}
	lines := linesOf(src)
	next := 0
	regions := courseRegions(lines)
	for _, r := range regions {
		c.part(lines, next, r.start, len(c.lineOf)+r.start-next)
		p := &c.parts[len(c.parts)-1]
		p.HasOutputs, p.Outputs, p.Last, p.Sep = true, strings.Join(lines[r.start:r.end], ""), r.end, r.sep
		// The blank lines the skeleton has in the block's place map to
		// the block's last lines; they are none of the transcript's own.
		seps := strings.Count(r.sep, "\n")
		for i := range seps {
			c.padded = append(c.padded, len(c.lineOf)+1)
			c.keep(max(r.start+1, r.end-seps+i+1), "\n")
		}
		next = r.end
	}
	if next < len(lines) {
		c.part(lines, next, len(lines), len(c.lineOf)+len(lines)-next)
	}
	if len(regions) > 0 && strings.HasPrefix(c.skeleton.String(), "\n") {
		// The course's export adds a blank line at the top of a lesson
		// that has outputs (the set-up cell's printed marker).
		s := c.skeleton.String()[1:]
		c.skeleton.Reset()
		c.skeleton.WriteString(s)
		c.lineOf = c.lineOf[1:]
		for i := range c.padded {
			c.padded[i]--
		}
		for i := range c.parts {
			c.parts[i].End--
		}
	}
	return c
}

// part adds lines[from:to] as a part whose text ends on skeleton line
// end, and keeps them in the skeleton.
func (c *cut) part(lines []string, from, to, end int) {
	for i := from; i < to; i++ {
		c.keep(i+1, lines[i])
	}
	c.parts = append(c.parts, Part{Skeleton: strings.Join(lines[from:to], ""), Line: from + 1, End: end, Last: to})
}
