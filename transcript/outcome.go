package transcript

import (
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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

// Exit is how a step's program ended: its exit status, or the signal that
// killed it. It has the fields of the process layer's exit, so that one
// converts to the other.
type Exit struct {
	// Code is the exit status, or 128+N for death by signal N, as a
	// shell reports it.
	Code int
	// Signal is the signal that killed the process; 0 when it exited.
	Signal syscall.Signal
}

// SignalName is the name of the signal that killed the process ("SIGSEGV"),
// or "" when it exited.
func (e Exit) SignalName() string {
	if e.Signal == 0 {
		return ""
	}
	if n := unix.SignalName(e.Signal); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(e.Signal))
}

// String is how an exit reads in an annotation and in notes: "0", "3", or
// "139 (SIGSEGV)" for death by a signal (ParseExit reads it).
func (e Exit) String() string {
	s := strconv.Itoa(e.Code)
	if name := e.SignalName(); name != "" {
		s += " (" + name + ")"
	}
	return s
}

// Cause is why a cell was interrupted.
type Cause int

// The causes of an interruption.
const (
	// Timeout: the deadline passed.
	Timeout Cause = iota + 1
	// Stuck: it could never progress (Interruption.Where says where it
	// waited).
	Stuck
	// Cancelled: labrun was interrupted.
	Cancelled
)

// Interruption is why and when a cell was interrupted.
type Interruption struct {
	Cause Cause
	// Where is the wait of a stuck step, such as "pipe_read".
	Where string
	// After is how long after the cell's start it came.
	After time.Duration
}
