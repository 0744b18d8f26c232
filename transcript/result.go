package transcript

import (
	"time"
	"unicode/utf8"

	"github.com/labrun/labrun/lessons"
)

// The values a run gives and every consumer shares: runner fills them in,
// render words them, check compares them, jupyter and render/html show
// them. Outcomes are values here; their words are render's.

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
	// Name is the stream (Stdout, Stderr) of a Stream output.
	Name StreamName
	// Text is the output's text; for a Log, its final content.
	Text string
}

// Status says how a cell ended; render words it.
type Status int

// Cell statuses.
const (
	// OK: the cell ran to its end (its programs may have failed: that is
	// the lesson's content).
	OK Status = iota
	// Failed: a Python exception ended the cell, or its worker was lost.
	Failed
	// Interrupted: the cell or a step of it was interrupted (timeout,
	// stuck, labrun interrupted).
	Interrupted
	// Skipped: the cell was not run (CellResult.Skip says why).
	Skipped
)

// SkipReason says why a cell was not run.
type SkipReason int

// The reasons a cell is not run.
const (
	// NotSkipped: the cell ran.
	NotSkipped SkipReason = iota
	// SetupCell: a set-up cell; labrun provides the course's magics
	// itself.
	SetupCell
	// MagicNotRun: a cell of a magic labrun does not run (%%sql).
	MagicNotRun
	// StoppedBefore: labrun was interrupted before the cell.
	StoppedBefore
	// MarkedSkip: the fence says skip.
	MarkedSkip
	// CramSkipped: a cram test's shell exited 80, which skips the test
	// (Result.CramSkipped); the cells after it are not run either.
	CramSkipped
)

// Exception is a Python exception that ended a cell.
type Exception struct {
	// Name is its type ("ValueError"), Message its text ("boom").
	Name, Message string
}

// WorkerLoss says the lesson's Python worker was lost during a cell, its
// state with it; the next Python cell starts a fresh one.
type WorkerLoss struct {
	// Killed: it did not end the cell after KeyboardInterrupt and was
	// killed. Otherwise it ended by itself, Err saying how it was seen.
	Killed bool
	Err    string
}

// CellResult is what running one cell gave: its outputs and how it ended,
// as values (render words them).
type CellResult struct {
	// Cell is the cell that ran.
	Cell *lessons.Cell
	// Outputs are its outputs, in order.
	Outputs []Output
	// Status says how it ended.
	Status Status
	// Steps counts the shell steps it ran.
	Steps int
	// Exit is how its last shell step ended (when Steps > 0).
	Exit Exit
	// Duration is its wall time.
	Duration time.Duration
	// Interruption, when set, is the first interruption of the cell.
	Interruption *Interruption
	// Exception, when set, is the Python exception that ended the cell.
	Exception *Exception
	// WorkerLost, when set, says the Python worker was lost.
	WorkerLost *WorkerLoss
	// Skip says why the cell was not run (Status Skipped).
	Skip SkipReason
	// CommandNotFound says a step's shell reported a command not found
	// (exit 127).
	CommandNotFound bool
	// OutputCut says the cell's streams were cut at MaxCellStream.
	OutputCut bool
	// Err, when set, is why labrun itself could not run the cell (the
	// run stopped there).
	Err error
	// Unexpected, when set, says the cell did not end as its fence
	// expected (expect=; native cells expect exit 0).
	Unexpected *Unexpected
	// Directive, when set, is the wait or stop before the cell that
	// failed; the cell did not run.
	Directive *DirectiveFailure
	// Console holds what each command of a console block printed.
	Console []ConsoleOutput

	// streamBytes counts the text its streams kept, dropped what was cut.
	streamBytes, dropped int
}

// MaxCellStream bounds the stream text one cell keeps (what Python
// prints; each shell step has its own cap).
const MaxCellStream = 4 << 20

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
	// CramSkipped, in a lesson run as cram runs a test, is the line of
	// the command after which its shell exited 80: cram then skips the
	// whole test, whatever its commands printed. 0 when it did not.
	CramSkipped int
	// CramEnd, in a cram test file's run, is what its shell printed as it
	// ended at the end of its commands (an EXIT trap's output), as cram
	// reads the shell's output to its end.
	CramEnd string
	// CramEndCut says the wait for the end of a cram test file's shell
	// output after its last command was interrupted (its timeout): a job
	// left in the background held it open, which cram waits for without
	// end. nil when the output ended.
	CramEndCut *Interruption
	// CramStart, in a cram test file's run, is the run of its preamble
	// (the "> " lines before its first command, which cram runs first):
	// what it printed, its status, whether it ended the shell; nil when
	// the file has none (Command is nil).
	CramStart *ConsoleOutput
}

// AddStream appends stream text, merging it into the previous output when
// that is the same stream, as Jupyter does.
func (c *CellResult) AddStream(name StreamName, text string) {
	if text == "" {
		return
	}
	if c.streamBytes+len(text) > MaxCellStream {
		keep := max(MaxCellStream-c.streamBytes, 0)
		for keep > 0 && !utf8.RuneStart(text[keep]) {
			keep--
		}
		first := c.dropped == 0
		c.dropped += len(text) - keep
		text = text[:keep]
		if first {
			c.OutputCut = true
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

// Add appends a non-stream output and returns its index.
func (c *CellResult) Add(kind OutputKind, text string) int {
	c.Outputs = append(c.Outputs, Output{Kind: kind, Text: text})
	return len(c.Outputs) - 1
}

// Interrupt records an interruption of the cell (the first one counts).
func (c *CellResult) Interrupt(why *Interruption) {
	c.Status = Interrupted
	if c.Interruption == nil {
		c.Interruption = why
	}
}

// Unexpected says a cell did not end as its fence expected.
type Unexpected struct {
	// Want is the expectation (exit:0 when the fence states none).
	Want lessons.Expect
	// Ending is how the cell ended.
	Ending
}

// Ending is how a cell ended, as an expectation (lessons.Expect) reads
// it: interrupted, failed (an exception, a lost worker, a wait before it
// or a file it could not write), or else by itself with the exit status
// of its last step (0 when it ran none), as a shell script's status is
// its last command's.
type Ending struct {
	Interrupted, Failed bool
	Exit                Exit
}

// Meets says whether the ending is what want expects. It is the one
// meaning of expect, a fence's expect= (checked as the cell runs) and a
// check rule's expect (checked by labrun check) alike.
func (e Ending) Meets(want lessons.Expect) bool {
	switch want.Kind {
	case lessons.ExpectInterrupted:
		return e.Interrupted
	case lessons.ExpectFail:
		return !e.Interrupted && (e.Failed || e.Exit.Code != 0)
	}
	return !e.Interrupted && !e.Failed && e.Exit.Code == want.Code
}

// Ending returns how the cell ended, leaving out the failure its fence's
// expectation made of it (Unexpected).
func (cr *CellResult) Ending() Ending {
	if u := cr.Unexpected; u != nil {
		e := u.Ending
		e.Interrupted = e.Interrupted || cr.Status == Interrupted
		return e
	}
	return Ending{Interrupted: cr.Status == Interrupted,
		Failed: cr.Status == Failed || cr.Exception != nil || cr.WorkerLost != nil, Exit: cr.Exit}
}

// DirectiveWhy says why a directive failed.
type DirectiveWhy int

// The ways a directive fails.
const (
	// WaitTimedOut: what the wait waits for did not come in its time.
	WaitTimedOut DirectiveWhy = iota
	// WaitStepEnded: the background step waited on ended without
	// printing a match.
	WaitStepEnded
	// DirectiveCancelled: labrun was interrupted during it.
	DirectiveCancelled
)

// DirectiveFailure is a wait or stop that failed, and after how long.
type DirectiveFailure struct {
	Directive *lessons.Directive
	Why       DirectiveWhy
	After     time.Duration
}

// ConsoleOutput is what one command of a console block printed.
type ConsoleOutput struct {
	// Command is the command, with the span of its recorded output.
	Command *lessons.ConsoleCommand
	// Ran says the command ran (a command after an exit, or after the
	// cell was interrupted, does not).
	Ran bool
	// Output is what it printed, as the terminal gave it.
	Output string
	// Exit is its exit status.
	Exit int
	// Duration is how long it ran, from its being sent to the shell to
	// its mark (or the shell's end); 0 for one that did not run.
	Duration time.Duration
	// Ended says the shell session ended during the command by itself
	// (an exit; not an interruption): Exit is the shell's status, and
	// the commands after it did not run, which fails the cell.
	Ended bool
	// Interruption, when set, says why the command was interrupted (its
	// own timeout, stuck, labrun interrupted): the cell's first one is
	// also the cell's.
	Interruption *Interruption
	// EndedBefore, when set, is the command of an earlier block whose
	// exit ended this block's session before the block began: none of
	// the block's commands ran.
	EndedBefore *ConsoleOutput
	// CramSalt, when set, says that the command, in a cram test, was left
	// open (an "if" without its "fi", a quote or heredoc left open, a
	// last backslash) and the shell read the commands after it into it,
	// as cram's shell does: Output is what they all printed, with cram's
	// markers of this salt between them (lessons.CramRun.Salt).
	CramSalt string
	// CramJoined says the command ran within an earlier one left open
	// (CramSalt): its output is in that one's.
	CramJoined bool
}

// NotCopied is an entry of the lesson folder that the scratch copy left
// out because it could not be read (a file of another user's, a folder
// without read permission). The run goes on without it.
type NotCopied struct {
	// Path is the entry's path relative to the lesson folder.
	Path string
	// Err says why it could not be read.
	Err error
}
