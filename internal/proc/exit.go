package proc

import (
	"github.com/labrun/labrun/internal/outcome"

	"golang.org/x/sys/unix"
)

// Exit is how a process ended: its exit status, or the signal that killed
// it (the shared value of internal/outcome).
type Exit = outcome.Exit

// ExitOf reads a wait status.
func ExitOf(ws unix.WaitStatus) Exit {
	if ws.Signaled() {
		return Exit{Code: 128 + int(ws.Signal()), Signal: ws.Signal()}
	}
	return Exit{Code: ws.ExitStatus()}
}
