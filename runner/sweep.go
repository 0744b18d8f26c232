package runner

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// sweep kills every process that carries the run's marker — including
// those that called setsid or double-forked, which no process group
// holds — until none is left (bounded), and lets the reaper collect them.
func sweep(id string) {
	for i := 0; i < 50; i++ {
		pids := markedPids(MarkerVar, id)
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
	live.Range(func(k, _ any) bool {
		sweep(k.(string))
		return true
	})
}
