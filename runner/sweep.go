package runner

import (
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// sweep kills every process of the run until none is left (bounded) and
// lets the reaper collect them. It finds them three ways, so that none
// escapes: the run's cgroup (where the machine has one); the run's marker
// in the environment, which also finds those that called setsid or
// double-forked, which no process group holds; and descent from labrun,
// the child subreaper every orphan is handed to, which also finds those
// that cleared their environment (a descendant marked by another run in
// this process is left to that run).
func sweep(id string, cg *cgroup) {
	for i := 0; i < 100; i++ {
		pids := markedPids(MarkerVar, id)
		if cg != nil {
			pids = append(pids, cg.pids()...)
		}
		for _, pid := range descendants(os.Getpid()) {
			if !hasOtherMarker(pid, id) {
				pids = append(pids, pid)
			}
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

// descendants lists the live processes below pid.
func descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range allPids() {
		if pi, ok := readProc(p); ok && pi.state != 'Z' {
			children[pi.ppid] = append(children[pi.ppid], p)
		}
	}
	var out []int
	todo := children[pid]
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		out = append(out, p)
		todo = append(todo, children[p]...)
	}
	return out
}

// hasOtherMarker reports whether pid carries the marker of a run other
// than id.
func hasOtherMarker(pid int, id string) bool {
	v, ok := markerOf(pid)
	return ok && v != id
}

// live holds the runs in progress, for KillAll.
var live sync.Map // id -> *run

// KillAll kills every process of every run in progress and removes their
// scratch work dirs and cgroups, at once: labrun calls it when it must
// quit without waiting (a second Ctrl-C).
func KillAll() {
	live.Range(func(k, v any) bool {
		r := v.(*run)
		sweep(k.(string), r.launch.cg)
		r.launch.close()
		if !r.opts.Keep && !r.opts.InPlace {
			os.RemoveAll(r.dir)
		}
		return true
	})
}
