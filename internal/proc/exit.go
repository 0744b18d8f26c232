package proc

import (
	"strconv"
	"syscall"

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

// ExitOf reads a wait status.
func ExitOf(ws unix.WaitStatus) Exit {
	if ws.Signaled() {
		return Exit{Code: 128 + int(ws.Signal()), Signal: ws.Signal()}
	}
	return Exit{Code: ws.ExitStatus()}
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
