package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// A labrun killed with SIGKILL cannot clean up: the daemons its lessons
// started live on (in its cgroup, where it had one, and marked with its
// runs' tags), and so does its run dir. CleanStale finds what such a run
// left by the run's tag and cleans it only on positive evidence that the
// run is gone, failing closed:
//
//   - a run dir (rundir.go) whose lock the cleaner takes is a dead run's:
//     the cleaner kills what is in the cgroup named after its tag and what
//     carries its tag as marker, removes the cgroup, and removes the dir
//     (a kept dir stays);
//   - a cgroup or marked process whose tag has no run dir in the
//     cleaner's temp dir (removed by hand, another TMPDIR, a probe's
//     Session, which has none) is cleaned only when its owner is
//     positively gone: the pid in the tag is no process in the cleaner's
//     pid namespace (kill(2) says ESRCH, which hidepid does not hide), or
//     one that started at another time; and the leftovers are all in that
//     namespace (a marked process's /proc/PID/ns/pid is the cleaner's; a
//     cgroup lists no pid the cleaner cannot see). An error reading
//     anything is never evidence.
//
// A sandboxed run's processes in its pid namespace (pidns.go), which are
// not in the cleaner's, leave nothing for the second case: they die with
// the run's init, which ends once its labrun is gone.
//
// What remains uncertain: a cleaner started in a pid namespace nested
// below the owner's, sharing its temp dir's absence and its cgroup file
// system, can take the owner for gone in the second case. Names that do
// not parse as a tag (older labruns') are never touched.

// Owner is this process's owner tag, "PPPPPPP-tSSSSSSSSSSSS" (its pid and
// when it started, in clock ticks since boot, zero-padded), which begins
// every tag it makes (NewTag).
func Owner() string {
	ownerOnce.Do(func() {
		pid := os.Getpid()
		owner = fmt.Sprintf("%0*d-t%0*d", tagPidWidth, pid, tagStartWidth, startTime(pid))
	})
	return owner
}

var (
	owner     string
	ownerOnce sync.Once
)

// startTime is when pid started, in clock ticks since boot (field 22 of
// /proc/PID/stat), or 0 when it cannot be read.
func startTime(pid int) uint64 {
	st, _ := readStat("/proc/" + strconv.Itoa(pid))
	return st.start
}

// ownerGone reports whether the labrun that made tag is positively gone
// as seen from this process's pid namespace (see above). False when the
// tag does not parse or anything cannot be read.
func ownerGone(tag string) bool {
	pid, start, ok := parseTag(tag)
	if !ok {
		return false
	}
	if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
		return true
	}
	now, ok := readStat("/proc/" + strconv.Itoa(pid))
	return ok && now.start != 0 && now.start != start
}

// samePidNS reports whether pid is in this process's pid namespace (false
// when either cannot be read).
func samePidNS(pid int) bool {
	mine, err1 := os.Readlink("/proc/self/ns/pid")
	its, err2 := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	return err1 == nil && err2 == nil && mine == its
}

// Stale is what CleanStale found left by labrun runs that are gone.
type Stale struct {
	// Processes is how many processes it killed.
	Processes int
	// Cgroups is how many cgroups it removed.
	Cgroups int
	// Dirs is how many run dirs it removed.
	Dirs int
}

// CleanStale kills every process left by a labrun run that is gone --
// those in its cgroup and those marked with its tag -- and removes its
// cgroup and its run dir in base (the temp dir), on the evidence said
// above. Processes that left both (a daemon that cleared its environment,
// where the run had no cgroup) cannot be told and are left. Only the
// caller's own processes are in reach of a normal user.
func CleanStale(base string) Stale {
	st := cleaner{base: base, killed: map[int]bool{}}
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, newDirPrefix) {
			st.abandoned(name)
		} else if tag, kept, ok := runDirTag(name); ok {
			st.run(name, tag, kept)
		}
	}
	st.dirless()
	st.Processes = len(st.killed)
	return st.Stale
}

// runDirTag returns the tag of a run dir's name, and whether it is kept.
func runDirTag(name string) (tag string, kept, ok bool) {
	if tag, ok := strings.CutPrefix(name, KeptPrefix); ok {
		_, _, ok = parseTag(tag)
		return tag, true, ok
	}
	tag, ok = strings.CutPrefix(name, RunDirPrefix)
	if ok {
		_, _, ok = parseTag(tag)
	}
	return tag, false, ok
}

// cleaner is one CleanStale.
type cleaner struct {
	Stale
	base   string
	killed map[int]bool
}

// abandoned removes a run dir's temporary dir that no run holds (its
// labrun died before renaming it), when it is empty.
func (c *cleaner) abandoned(name string) {
	path := filepath.Join(c.base, name)
	fd, err := lockDir(path)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	if os.Remove(path) == nil {
		c.Dirs++
	}
}

// run cleans what the run of tag left when its dir's lock can be taken.
func (c *cleaner) run(name, tag string, kept bool) {
	path := filepath.Join(c.base, name)
	fd, err := lockDir(path)
	if err != nil {
		return // alive, or no way to tell: leave it
	}
	defer unix.Close(fd)
	var fst unix.Stat_t
	if unix.Fstat(fd, &fst) != nil || (fst.Uid != uint32(os.Geteuid()) && os.Geteuid() != 0) {
		return // another user's: out of reach
	}
	cgs := tagCgroups(tag)
	c.kill(func() []int {
		pids := markedPids(MarkerVar, tag)
		for _, cg := range cgs {
			pids = append(pids, cg.pids()...)
		}
		return pids
	})
	c.removeCgroups(cgs)
	if !kept && os.RemoveAll(path) == nil {
		c.Dirs++
	}
}

// dirless cleans the cgroups and marked processes whose tag has no run
// dir in base, when their owner is positively gone.
func (c *cleaner) dirless() {
	var cgs []*cgroup
	for _, root := range cgroupParents() {
		dirs, _ := filepath.Glob(filepath.Join(root, RunDirPrefix+"*"))
		for _, d := range dirs {
			tag := strings.TrimPrefix(filepath.Base(d), RunDirPrefix)
			cg := &cgroup{dir: d}
			if c.dirlessGone(tag) && !slices.Contains(cg.pids(), 0) {
				cgs = append(cgs, cg)
			}
		}
	}
	self := os.Getpid()
	c.kill(func() []int {
		var pids []int
		for _, cg := range cgs {
			pids = append(pids, cg.pids()...)
		}
		for _, pid := range allPids() {
			if m, ok := markerOf(pid); ok && pid != self && c.dirlessGone(m) && samePidNS(pid) {
				if pi, ok := readProc(pid); ok && pi.state != 'Z' {
					pids = append(pids, pid)
				}
			}
		}
		return pids
	})
	c.removeCgroups(cgs)
}

// dirlessGone reports whether tag has no run dir in base (neither name
// exists: any other answer counts as one) and its owner is positively
// gone. A run renames its dir from the one name to the other only, so
// looking in that order cannot miss it.
func (c *cleaner) dirlessGone(tag string) bool {
	if _, _, ok := parseTag(tag); !ok {
		return false
	}
	for _, prefix := range []string{RunDirPrefix, KeptPrefix} {
		if _, err := os.Lstat(filepath.Join(c.base, prefix+tag)); !errors.Is(err, os.ErrNotExist) {
			return false
		}
	}
	return ownerGone(tag)
}

// kill kills what list names until it names nothing, counting them.
func (c *cleaner) kill(list func() []int) {
	killUntilGone(func() []int {
		pids := list()
		for _, pid := range pids {
			c.killed[pid] = true
		}
		return pids
	})
}

// removeCgroups removes the (emptied) cgroups, counting them.
func (c *cleaner) removeCgroups(cgs []*cgroup) {
	for _, cg := range cgs {
		if os.Remove(cg.dir) == nil {
			c.Cgroups++
		}
	}
}

// tagCgroups are the cgroups named after tag.
func tagCgroups(tag string) []*cgroup {
	var out []*cgroup
	for _, root := range cgroupParents() {
		d := filepath.Join(root, RunDirPrefix+tag)
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			out = append(out, &cgroup{dir: d})
		}
	}
	return out
}
