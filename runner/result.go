package runner

import (
	"time"
	"unicode/utf8"

	"github.com/labrun/labrun/lessons"
)

// OutputKind says how an output is shown in the transcript.
type OutputKind int

// The kinds of output, after Jupyter's.
const (
	// Stream is text a program or Python printed (stdout or stderr).
	Stream OutputKind = iota
	// Markdown is shown as raw Markdown (Run: lines, %p, %MD).
	Markdown
	// HTML is shown as raw HTML.
	HTML
	// Text is a value's text form (a cell's trailing expression).
	Text
	// Error is a Python traceback.
	Error
	// Log is a background step's log, shown in a bare code fence.
	Log
)

// Output is one output of a cell.
type Output struct {
	Kind OutputKind
	// Name is the stream ("stdout", "stderr") of a Stream output.
	Name string
	// Text is the output's text; for a Log, its final content.
	Text string
}

// Status says how a cell ended.
type Status string

// Cell statuses.
const (
	// OK: the cell ran to its end (its programs may have failed: that is
	// the lesson's content).
	OK Status = "ok"
	// Failed: a Python exception ended the cell.
	Failed Status = "error"
	// Interrupted: a step was interrupted (timeout, stuck, Ctrl-C).
	Interrupted Status = "interrupted"
	// Skipped: the cell was not run (set-up cell, %%sql, or labrun stopped
	// before it).
	Skipped Status = "skipped"
)

// CellResult is what running one cell gave.
type CellResult struct {
	// Cell is the cell that ran.
	Cell *lessons.Cell
	// Outputs are its outputs, in order.
	Outputs []Output
	// Status says how it ended.
	Status Status
	// Exit is the exit status of its last shell step (-N: signal N).
	Exit int
	// Steps counts the shell steps it ran.
	Steps int
	// Duration is its wall time.
	Duration time.Duration
	// Notes explain interruptions and failures ("timeout after 10s",
	// "stuck: blocked in wait_for_partner").
	Notes []string

	// streamBytes counts the text its streams kept, dropped what was cut.
	streamBytes, dropped int
}

// maxCellStream bounds the stream text one cell keeps (what Python
// prints; each shell step has its own cap).
const maxCellStream = 4 << 20

// Result is what running a lesson gave.
type Result struct {
	// Lesson is the lesson that ran.
	Lesson *lessons.Lesson
	// Cells holds one result per cell of the lesson, in order.
	Cells []*CellResult
	// WorkDir is where the steps ran.
	WorkDir string
	// KeptWorkDir says the work dir is still there (--keep, or labrun
	// could not run a step).
	KeptWorkDir bool
	// Interrupted is set when labrun was stopped before the end.
	Interrupted bool
	// Duration is the lesson's wall time.
	Duration time.Duration
	// NotCopied are the entries of the lesson folder the scratch copy
	// left out because they could not be read.
	NotCopied []NotCopied
	// Protections says, under --sandbox, which protections were in force
	// and which the machine could not give.
	Protections []string
}

// addStream appends stream text, merging it into the previous output when
// that is the same stream, as Jupyter does.
func (c *CellResult) addStream(name, text string) {
	if text == "" {
		return
	}
	if c.streamBytes+len(text) > maxCellStream {
		keep := max(maxCellStream-c.streamBytes, 0)
		for keep > 0 && !utf8.RuneStart(text[keep]) {
			keep--
		}
		first := c.dropped == 0
		c.dropped += len(text) - keep
		text = text[:keep]
		if first {
			c.note("output cut at 4 MiB")
			text += "\n[labrun: output cut at 4 MiB; what followed was dropped]\n"
		}
		if text == "" {
			return
		}
	}
	c.streamBytes += len(text)
	if n := len(c.Outputs); n > 0 && c.Outputs[n-1].Kind == Stream && c.Outputs[n-1].Name == name {
		c.Outputs[n-1].Text += text
		return
	}
	c.Outputs = append(c.Outputs, Output{Kind: Stream, Name: name, Text: text})
}

// add appends a non-stream output and returns its index.
func (c *CellResult) add(kind OutputKind, text string) int {
	c.Outputs = append(c.Outputs, Output{Kind: kind, Text: text})
	return len(c.Outputs) - 1
}

// note records an annotation.
func (c *CellResult) note(s string) { c.Notes = append(c.Notes, s) }
