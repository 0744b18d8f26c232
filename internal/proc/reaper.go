package proc

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// reaper collects the exit status of every child of labrun, including
// orphans that the kernel hands to labrun as a child subreaper, so that
// nothing stays a zombie and each step learns how its process ended.
//
// labrun never calls exec.Cmd.Wait: the reaper owns wait4. There is one
// reaper per process, serving every Session: being a subreaper and
// SIGCHLD are process-wide by nature.
type reaper struct {
	mu      sync.Mutex
	waiters map[int]chan unix.WaitStatus
	exited  map[int]unix.WaitStatus
}

var (
	theReaper     *reaper
	theReaperOnce sync.Once
)

// startReaper makes labrun a child subreaper and starts reaping, once.
func startReaper() {
	theReaperOnce.Do(func() {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
		r := &reaper{waiters: map[int]chan unix.WaitStatus{}, exited: map[int]unix.WaitStatus{}}
		// Each SIGCHLD makes the reaper wait for every child that has
		// ended, until none is left: a signal that finds the channel full
		// (signal.Notify drops it, as the kernel coalesces signals) comes
		// while one is pending, whose reaping takes its child too. So no
		// exit is missed, and nothing polls.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGCHLD)
		go func() {
			for range sig {
				r.reapAll()
			}
		}()
		theReaper = r
	})
}

func (r *reaper) reapAll() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		r.mu.Lock()
		if ch, ok := r.waiters[pid]; ok {
			delete(r.waiters, pid)
			ch <- ws
		} else {
			r.exited[pid] = ws
			if len(r.exited) > 4096 { // orphans nobody asks about
				clear(r.exited)
			}
		}
		r.mu.Unlock()
	}
}

// watch returns a channel that receives pid's wait status once it ends.
// Call it right after starting pid.
func (r *reaper) watch(pid int) <-chan unix.WaitStatus {
	ch := make(chan unix.WaitStatus, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if ws, ok := r.exited[pid]; ok {
		delete(r.exited, pid)
		ch <- ws
		return ch
	}
	r.waiters[pid] = ch
	return ch
}
