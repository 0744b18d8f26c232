package proc

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Sweep kills every process of the Session until none is left (bounded)
// and lets the reaper collect them. It finds them three ways, so that none
// escapes: the Session's cgroup (where the machine has one); its marker in
// the environment, which also finds those that called setsid or
// double-forked, which no process group holds; and descent from labrun,
// the child subreaper every orphan is handed to, which also finds those
// that cleared their environment. A descendant that carries another
// Session's marker, or descends from one that does, is that Session's;
// an unmarked orphan whose Session cannot be told is swept only when no
// other Session is open (else the last one to close sweeps it).
func (s *Session) Sweep() {
	killUntilGone(func() []int {
		pids := markedPids(MarkerVar, s.id)
		if s.cg != nil {
			pids = append(pids, s.cg.pids()...)
		}
		return append(pids, s.orphans()...)
	})
}

// killUntilGone kills what list names, and looks again, until it names
// nothing (at most sweepRounds times), letting the reaper collect them.
func killUntilGone(list func() []int) {
	for i := 0; i < sweepRounds; i++ {
		pids := list()
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(sweepPause)
		if r := reaping(); r != nil {
			r.reapAll()
		}
	}
}

// orphans lists the live processes below labrun that belong to the
// Session by descent, or to no Session that can be told when the Session
// is the only one open.
func (s *Session) orphans() []int {
	alone := true
	sessions.Range(func(k, _ any) bool {
		if k.(string) != s.id {
			alone = false
		}
		return alone
	})
	children := processTree()
	// owner is the Session a process belongs to by its own marker or its
	// nearest marked ancestor below labrun; "" when none is known.
	var out []int
	var walk func(pid int, owner string)
	walk = func(pid int, owner string) {
		if m, ok := markerOf(pid); ok {
			owner = m
		}
		if owner == s.id || (owner == "" && alone) {
			out = append(out, pid)
		}
		for _, c := range children[pid] {
			walk(c, owner)
		}
	}
	for _, c := range children[os.Getpid()] {
		walk(c, "")
	}
	return out
}

// processTree maps each live process's parent to its children, from
// /proc; zombies, which the reaper collects, are left out.
func processTree() map[int][]int {
	children := map[int][]int{}
	for _, p := range allPids() {
		if pi, ok := readProc(p); ok && pi.state != 'Z' {
			children[pi.ppid] = append(children[pi.ppid], p)
		}
	}
	return children
}

// descendants lists the live processes below pid.
func descendants(pid int) []int {
	children := processTree()
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
