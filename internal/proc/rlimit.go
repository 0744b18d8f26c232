package proc

import (
	"fmt"
	"os"

	"github.com/labrun/labrun/internal/limits"
	"golang.org/x/sys/unix"
)

// rlimit is one resource limit to set.
type rlimit struct {
	res int
	lim unix.Rlimit
}

// cpuKillAfter is how far past RLIMIT_CPU's soft limit (SIGXCPU, "CPU
// time limit exceeded") its hard limit (SIGKILL) lies, for a program that
// ignores SIGXCPU.
const cpuKillAfter = 5

// rlimits computes the resource limits to set on a step, each lowered to
// the current hard limit where that is lower; nproc, when non-zero, is the
// RLIMIT_NPROC to set.
func rlimits(l limits.Limits, nproc uint64) ([]rlimit, error) {
	var out []rlimit
	for _, x := range []struct {
		res int
		v   uint64
	}{
		{unix.RLIMIT_CPU, l.CPUSeconds}, {unix.RLIMIT_AS, l.AddressSpace},
		{unix.RLIMIT_FSIZE, l.FileSize}, {unix.RLIMIT_NOFILE, l.OpenFiles},
		{unix.RLIMIT_NPROC, nproc},
	} {
		if !limits.Set(x.v) { // unset, or unlimited: the inherited limit stays
			continue
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(x.res, &cur); err != nil {
			return nil, fmt.Errorf("resource limit %d: %w", x.res, err)
		}
		hard := x.v
		if x.res == unix.RLIMIT_CPU {
			hard = x.v + cpuKillAfter
		}
		hard = min(hard, cur.Max)
		out = append(out, rlimit{x.res, unix.Rlimit{Cur: min(x.v, hard), Max: hard}})
	}
	return out, nil
}

// userProcesses counts the processes of the calling user.
func userProcesses() uint64 {
	uid := uint32(os.Getuid())
	n := uint64(0)
	for _, pid := range allPids() {
		var st unix.Stat_t
		if unix.Stat(fmt.Sprintf("/proc/%d", pid), &st) == nil && st.Uid == uid {
			n++
		}
	}
	return n
}
