//go:build !amd64 && !arm64

package proc

// legacySyscalls is left empty on the architectures labrun is not tested
// on: endlessSyscalls, from x/sys/unix's numbers, covers what libc calls
// there in most cases; a wait it misses is only ended by the timeout.
var legacySyscalls = map[int]endlessSyscall{}
