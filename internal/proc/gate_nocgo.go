//go:build !cgo

package proc

import "os"

// sharedNetns reports whether a gate can join its run's network namespace
// in every case. Built without cgo it can only as root: setns into the
// holder's user namespace, which an unprivileged run needs, is refused
// to a multithreaded process, and a Go program is one from its start.
var sharedNetns = os.Geteuid() == 0
