package transcript

import (
	"github.com/labrun/labrun/internal/outcome"
)

// StreamName is the stream a Stream output was printed on.
type StreamName int

// The streams.
const (
	// Stdout is standard output (the zero value: a stream read back from
	// a transcript's layout, which does not tell them apart).
	Stdout StreamName = iota
	// Stderr is standard error.
	Stderr
)

// String returns the stream's name as Jupyter and the worker protocol
// have it: "stdout" or "stderr".
func (s StreamName) String() string {
	if s == Stderr {
		return "stderr"
	}
	return "stdout"
}

// StreamNamed returns the stream of a protocol name ("stderr" is Stderr,
// any other name Stdout, as Jupyter shows it).
func StreamNamed(name string) StreamName {
	if name == "stderr" {
		return Stderr
	}
	return Stdout
}

// Exit is how a step's program ended: its exit status, or the signal
// that killed it. It is the process layer's own value (internal/outcome),
// recorded as it came.
type Exit = outcome.Exit

// Cause is why a cell was interrupted.
type Cause = outcome.Cause

// The causes of an interruption.
const (
	// Timeout: the deadline passed.
	Timeout = outcome.Timeout
	// Stuck: it could never progress (Interruption.Where says where it
	// waited).
	Stuck = outcome.Stuck
	// Cancelled: labrun was interrupted.
	Cancelled = outcome.Cancelled
)

// Interruption is why and when a cell was interrupted; its After counts
// from the cell's start.
type Interruption = outcome.Interruption
