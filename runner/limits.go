package runner

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Limits bound what one step may use. Zero means "no limit" for each.
// They are applied as resource limits to every process of a step (and
// inherited by its children); Processes also bounds the whole run through
// a pids cgroup where the machine offers one, so that a fork bomb hits the
// limit and not the machine.
type Limits struct {
	// CPUSeconds is the CPU time each process may use (RLIMIT_CPU).
	CPUSeconds uint64 `json:"cpu,omitempty"`
	// AddressSpace is the virtual memory of each process, in bytes
	// (RLIMIT_AS). Off by default: AddressSanitizer reserves terabytes.
	AddressSpace uint64 `json:"as,omitempty"`
	// Processes is how many processes the run may have at once.
	Processes uint64 `json:"procs,omitempty"`
	// FileSize is the largest file a step may write, in bytes (RLIMIT_FSIZE).
	FileSize uint64 `json:"fsize,omitempty"`
	// OpenFiles is how many files a process may hold open (RLIMIT_NOFILE).
	OpenFiles uint64 `json:"nofile,omitempty"`
	// nproc, when set, is the RLIMIT_NPROC to apply: the user's processes
	// at the start plus Processes, used where no cgroup holds the run.
	NProc uint64 `json:"nproc,omitempty"`
}

// DefaultLimits are generous: a lesson never meets them, a runaway does.
var DefaultLimits = Limits{
	CPUSeconds: 300,
	Processes:  1024,
	FileSize:   1 << 30,
	OpenFiles:  4096,
}

// Merge returns l with every non-zero field of o put over it.
func (l Limits) Merge(o Limits) Limits {
	if o.CPUSeconds != 0 {
		l.CPUSeconds = o.CPUSeconds
	}
	if o.AddressSpace != 0 {
		l.AddressSpace = o.AddressSpace
	}
	if o.Processes != 0 {
		l.Processes = o.Processes
	}
	if o.FileSize != 0 {
		l.FileSize = o.FileSize
	}
	if o.OpenFiles != 0 {
		l.OpenFiles = o.OpenFiles
	}
	return l
}

// String lists the limits in force, for messages.
func (l Limits) String() string {
	var parts []string
	add := func(name string, v uint64) {
		if v != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", name, v))
		}
	}
	add("cpu", l.CPUSeconds)
	add("as", l.AddressSpace)
	add("procs", l.Processes)
	add("fsize", l.FileSize)
	add("nofile", l.OpenFiles)
	return strings.Join(parts, " ")
}

// rlimit is one resource limit to set.
type rlimit struct {
	res int
	lim unix.Rlimit
}

// rlimits computes the resource limits to set on a step, each lowered to
// the current hard limit where that is lower.
func (l Limits) rlimits() ([]rlimit, error) {
	var out []rlimit
	for _, x := range []struct {
		res int
		v   uint64
	}{
		{unix.RLIMIT_CPU, l.CPUSeconds}, {unix.RLIMIT_AS, l.AddressSpace},
		{unix.RLIMIT_FSIZE, l.FileSize}, {unix.RLIMIT_NOFILE, l.OpenFiles},
		{unix.RLIMIT_NPROC, l.NProc},
	} {
		if x.v == 0 {
			continue
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(x.res, &cur); err != nil {
			return nil, fmt.Errorf("resource limit %d: %w", x.res, err)
		}
		hard := x.v
		if x.res == unix.RLIMIT_CPU {
			// SIGXCPU ("CPU time limit exceeded") comes at the soft
			// limit; SIGKILL at the hard one, for a program that
			// ignores it.
			hard = x.v + 5
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
