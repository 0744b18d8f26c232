//go:build !cgo

package proc

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// sharedNetns reports whether a gate can join its run's network namespace
// in every case. Built without cgo it can only as root: setns into the
// holder's user namespace, which an unprivileged run needs, is refused
// to a multithreaded process, and a Go program is one from its start.
var sharedNetns = os.Geteuid() == 0

// joinNetns joins the network namespace of the holder pid on the calling
// (locked) thread, which then executes the step's program.
func joinNetns(pid string) error {
	fd, err := unix.Open("/proc/"+pid+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("join the run's network namespace: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("join the run's network namespace: %w", err)
	}
	return nil
}
