// Package outcome holds the few values that the process layer reports and
// a transcript records: how a program ended (Exit) and why and when it was
// interrupted (Interruption). It is a leaf: both internal/proc and
// transcript import it, so that neither imports the other and runner
// hands the process layer's values on as they are.
package outcome

import (
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Exit is how a process ended: its exit status, or the signal that killed
// it. It is a value; render words it ("exit 139 (SIGSEGV)").
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
// "139 (SIGSEGV)" for death by a signal (transcript.ParseExit reads it).
func (e Exit) String() string {
	s := strconv.Itoa(e.Code)
	if name := e.SignalName(); name != "" {
		s += " (" + name + ")"
	}
	return s
}

// IPython is the code IPython's system() gives a lesson for it: the exit
// status, or -N for death by signal N.
func (e Exit) IPython() int {
	if e.Signal != 0 {
		return -int(e.Signal)
	}
	return e.Code
}

// NotFound reports whether the shell said a command was not found (127).
func (e Exit) NotFound() bool { return e.Signal == 0 && e.Code == 127 }

// Cause is why a step or a cell was interrupted.
type Cause int

// The causes of an interruption.
const (
	// Timeout: the deadline passed.
	Timeout Cause = iota + 1
	// Stuck: it could never progress (Interruption.Where says where it
	// waited).
	Stuck
	// Cancelled: labrun was interrupted (its context ended).
	Cancelled
)

// Interruption is why and when something was interrupted.
type Interruption struct {
	Cause Cause
	// Where is the wait of a stuck step, such as "pipe_read".
	Where string
	// After is how long after the start (of the supervised step, or of
	// the cell) it came.
	After time.Duration
}
