package proc

import "golang.org/x/sys/unix"

// legacySyscalls are the waits x86-64 has and arm64 does not (there, libc
// calls the newer ones of endlessSyscalls: openat, pselect6, ppoll,
// epoll_pwait).
var legacySyscalls = map[int]endlessSyscall{
	unix.SYS_OPEN: {"open", -1, false}, unix.SYS_SELECT: {"select", 4, false},
	unix.SYS_POLL: {"poll", 2, true}, unix.SYS_EPOLL_WAIT: {"epoll_wait", 3, true},
}
