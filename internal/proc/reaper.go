package proc

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// reaper collects the exit status of every child of labrun, including
// orphans that the kernel hands to labrun as a child subreaper, so that
// nothing stays a zombie and each step learns how its process ended.
//
// There is one reaper per process, serving every Session: being a
// subreaper and SIGCHLD are process-wide by nature. It runs only in a
// process that opts in (Reap); there it owns wait4, and every child's
// status comes through it: a Session's processes', and those of helper
// programs, which such a process runs with Run, never with exec.Cmd's
// Wait, Run, Output or CombinedOutput (TestReaperRule checks this).
type reaper struct {
	mu      sync.Mutex
	waiters map[int]chan unix.WaitStatus
	exited  map[int]unix.WaitStatus
}

var (
	theReaper     atomic.Pointer[reaper]
	theReaperOnce sync.Once
)

// Reap makes this process labrun's reaper: a child subreaper that
// collects the status of every child, its own and the orphans handed to
// it, and hands each to whoever waits for it. A program that starts
// processes through a Session calls it in main (or TestMain), right after
// MaybeGate and before it starts any process; NewSession refuses to work
// in a process that did not. From then on nothing in the process may wait
// for a child but through the reaper: a helper program is run with Run.
// Calling Reap again does nothing.
func Reap() {
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
		theReaper.Store(r)
	})
}

// reaping returns the process's reaper, or nil where Reap was not called.
func reaping() *reaper { return theReaper.Load() }

// mustReap returns the process's reaper, and panics where Reap was not
// called: a process that starts a Session's processes must reap them.
func mustReap() *reaper {
	r := reaping()
	if r == nil {
		panic("proc: a Session in a process that does not reap: call proc.Reap in main (or TestMain), after proc.MaybeGate")
	}
	return r
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
