package check

import "fmt"

// ReasonKind says why a cell failed, was skipped or did not finish.
type ReasonKind int

// The reasons.
const (
	// NoReason: the cell passed.
	NoReason ReasonKind = iota
	// OutputDiffers: its normalized output differs from the recorded one
	// (for a console block, the output of one of its commands).
	OutputDiffers
	// EndedOtherwise: a cell of a labrun transcript whose output is the
	// same ended otherwise than its annotation recorded; Detail says how
	// ("recorded status=ok exit=0, now status=ok exit=2").
	EndedOtherwise
	// ExpectedInterrupted: the cell's rule expects it to be interrupted
	// and it was not; Detail is how it ended.
	ExpectedInterrupted
	// ExpectedExit: the cell's rule expects it to exit Code (its last
	// step's status) and it did not; Detail is how it ended.
	ExpectedExit
	// IgnoredOutput: skipped, its rule says ignore-output.
	IgnoredOutput
	// NotRun: skipped, labrun did not run the cell; Detail is the notes
	// saying why ("" when there are none).
	NotRun
	// ExpectedFail: the cell's rule expects it to fail and it did not;
	// Detail is how it ended.
	ExpectedFail
	// StoppedRun: not finished, a signal meant for labrun cut the cell
	// (stopped.go).
	StoppedRun
	// SessionEnded: a console command did not run, an exit before it
	// ended the block's shell session; Detail says where.
	SessionEnded
	// Interrupted: a command of a cram test was interrupted before it
	// finished (a timeout, stuck); Detail says how ("interrupted after
	// 10.0s: timeout"). Its record stays.
	Interrupted
)

// Reason is why a cell failed or was skipped: a kind and its detail.
type Reason struct {
	Kind ReasonKind
	// Detail is what the kind says more (see each kind).
	Detail string
	// Code is the exit status an ExpectedExit rule wants.
	Code int
}

// String words a reason as reports show it: "output differs", "expected
// exit 3; ended: ok", "ignore-output"; "" for NoReason.
func (r Reason) String() string {
	switch r.Kind {
	case OutputDiffers:
		return "output differs"
	case EndedOtherwise:
		return "ended otherwise than recorded: " + r.Detail
	case ExpectedInterrupted:
		return "expected to be interrupted; ended: " + r.Detail
	case ExpectedExit:
		return fmt.Sprintf("expected exit %d; ended: %s", r.Code, r.Detail)
	case ExpectedFail:
		return "expected to fail; ended: " + r.Detail
	case IgnoredOutput:
		return "ignore-output"
	case NotRun, SessionEnded:
		return r.Detail
	case StoppedRun:
		return "not finished: labrun was stopped while it ran"
	case Interrupted:
		return r.Detail
	}
	return ""
}

// Mendable says whether rewriting a cell's recorded outputs with its
// fresh ones mends a failure for this reason (--update): not for a cell
// that failed its expectation.
func (k ReasonKind) Mendable() bool {
	return k == OutputDiffers || k == EndedOtherwise
}
