package runner

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// sweep kills every process of the run — those in its cgroup and those
// that carry its marker, including those that called setsid or
// double-forked, which no process group holds — until none is left
// (bounded), and lets the reaper collect them.
func sweep(id string, cg *cgroup) {
	for i := 0; i < 100; i++ {
		pids := markedPids(MarkerVar, id)
		if cg != nil {
			pids = append(pids, cg.pids()...)
		}
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
		getReaper().reapAll()
	}
}

// live holds the ids of the runs in progress, for KillAll.
var live sync.Map

// KillAll kills every process of every run in progress, at once: labrun
// calls it when it must quit without waiting (a second Ctrl-C).
func KillAll() {
	live.Range(func(k, v any) bool {
		sweep(k.(string), v.(*launcher).cg)
		return true
	})
}
