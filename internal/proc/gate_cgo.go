//go:build cgo

package proc

// The C gate is gate.c, with the values it shares with this package in
// gate.h: built with cgo, it runs as a constructor before the Go runtime
// starts (see gate.go).

// #cgo CFLAGS: -Wall -Wextra -Werror
// #include "gate.h"
import "C"

// sharedNetns reports whether a gate can join its run's network namespace
// in every case: with cgo it can, even unprivileged, through the C gate.
const sharedNetns = true

// sharedTmpns reports whether a gate can join its run's mount namespace
// (its private /tmp, tmpns.go): with cgo it can, through the C gate, which
// is single-threaded as setns into a mount namespace requires.
const sharedTmpns = true
