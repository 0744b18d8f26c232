package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// A labrun killed with SIGKILL cannot clean up: the daemons its lessons
// started live on (in its cgroup, where it had one, and marked with its
// Session ids), and so do its scratch dirs. What a run leaves is named
// after its owner, the labrun process that made it, by pid and start
// time (Owner), so that a later labrun can tell, even after the pid was
// reused, that the owner is gone and what it left is stale.

// Owner is this process's owner tag, "PID-tSTART" (START: when it
// started, in clock ticks since boot), which names every Session id,
// cgroup and scratch dir it makes.
func Owner() string {
	ownerOnce.Do(func() {
		pid := os.Getpid()
		owner = strconv.Itoa(pid) + "-t" + strconv.FormatUint(startTime(pid), 10)
	})
	return owner
}

var (
	owner     string
	ownerOnce sync.Once
)

// startTime is when pid started, in clock ticks since boot (field 22 of
// /proc/PID/stat), or 0 when it is gone.
func startTime(pid int) uint64 {
	st, _ := readStat("/proc/" + strconv.Itoa(pid))
	return st.start
}

// OwnerGone reports whether name begins with the owner tag of a labrun
// that is no longer running ("PID-tSTART-..."). A name that holds no such
// tag (those of older labruns among them) is never called gone.
func OwnerGone(name string) bool {
	f := strings.SplitN(name, "-", 3)
	if len(f) < 2 {
		return false
	}
	ticks, ok := strings.CutPrefix(f[1], "t")
	if !ok {
		return false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(ticks, 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 || start == 0 {
		return false
	}
	return startTime(pid) != start
}

// Stale is what CleanStale found left by labrun processes that are gone.
type Stale struct {
	// Processes is how many processes it killed.
	Processes int
	// Cgroups is how many cgroups it removed.
	Cgroups int
}

// CleanStale kills every process left by a labrun that is gone -- those
// in its cgroups and those marked with its Session ids -- and removes its
// cgroups. Processes that left both (a daemon that cleared its
// environment, where the run had no cgroup) cannot be told and are left.
// Only the caller's own processes are in reach of a normal user.
func CleanStale() Stale {
	var st Stale
	var stale []*cgroup
	for _, root := range cgroupParents() {
		dirs, _ := filepath.Glob(filepath.Join(root, "labrun-*"))
		for _, d := range dirs {
			if OwnerGone(strings.TrimPrefix(filepath.Base(d), "labrun-")) {
				stale = append(stale, &cgroup{dir: d})
			}
		}
	}
	killed := map[int]bool{}
	killUntilGone(func() []int {
		var pids []int
		for _, cg := range stale {
			pids = append(pids, cg.pids()...)
		}
		for _, pid := range allPids() {
			if m, ok := markerOf(pid); ok && pid != os.Getpid() && OwnerGone(m) {
				if pi, ok := readProc(pid); ok && pi.state != 'Z' {
					pids = append(pids, pid)
				}
			}
		}
		for _, pid := range pids {
			killed[pid] = true
		}
		return pids
	})
	for _, cg := range stale {
		if os.Remove(cg.dir) == nil {
			st.Cgroups++
		}
	}
	st.Processes = len(killed)
	return st
}
