//go:build !cgo

package proc

import "os"

// sharedNetns reports whether a gate can join its run's network namespace
// in every case. Built without cgo it can only as root: setns into the
// holder's user namespace, which an unprivileged run needs, is refused
// to a multithreaded process, and a Go program is one from its start.
var sharedNetns = os.Geteuid() == 0

// sharedTmpns reports whether a gate can join its run's mount namespace
// (its private /tmp, tmpns.go). Built without cgo it cannot: the kernel
// refuses setns into a mount namespace to a process whose threads share
// their file system information, as a Go program's do.
const sharedTmpns = false
