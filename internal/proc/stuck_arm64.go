package proc

// legacySyscalls is empty on arm64: it has no open, select, poll or
// epoll_wait; endlessSyscalls, built from x/sys/unix's numbers for arm64,
// is whole.
var legacySyscalls = map[int]endlessSyscall{}
