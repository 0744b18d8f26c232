package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroup is the run's pids cgroup: it bounds how many processes the run
// may have, and lists every one of them, daemons included, for the sweep.
type cgroup struct {
	dir string
}

// cgroupRoots are where a pids controller may be mounted: cgroup v1's
// pids hierarchy, or a v2 hierarchy.
var cgroupRoots = []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"}

// newCgroup makes the run's cgroup with pids.max = max, or returns nil
// when the machine does not let labrun make one (not root, no pids
// controller).
func newCgroup(id string, max uint64) *cgroup {
	for _, root := range cgroupRoots {
		dir := filepath.Join(root, "labrun-"+id)
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		limit := []byte(strconv.FormatUint(max, 10))
		if max == 0 {
			limit = []byte("max")
		}
		if err := os.WriteFile(filepath.Join(dir, "pids.max"), limit, 0o644); err != nil {
			os.Remove(dir)
			continue
		}
		return &cgroup{dir: dir}
	}
	return nil
}

// add moves pid into the cgroup; its children will be born there.
func (c *cgroup) add(pid int) error {
	return os.WriteFile(filepath.Join(c.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644)
}

// pids lists the processes in the cgroup.
func (c *cgroup) pids() []int {
	b, err := os.ReadFile(filepath.Join(c.dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// remove deletes the (empty) cgroup.
func (c *cgroup) remove() { os.Remove(c.dir) }
