package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cgroup is the run's pids cgroup: it bounds how many processes the run
// may have, and lists every one of them, daemons included, for the sweep.
type cgroup struct {
	dir string
}

// cgroupRoots are where a pids controller may be mounted: cgroup v1's
// pids hierarchy, or a v2 hierarchy.
var cgroupRoots = []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"}

// cgroupParents are the folders a run's cgroup may be made in: the
// roots above (root may write there), then labrun's own cgroup v2 when it
// was delegated to the user (systemd's Delegate=, a container's
// namespace), where a normal user may make one.
func cgroupParents() []string {
	parents := cgroupRoots
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return parents
	}
	for _, line := range strings.Split(string(b), "\n") {
		path, ok := strings.CutPrefix(line, "0::")
		if !ok || path == "/" {
			continue
		}
		for _, mount := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
			dir := filepath.Join(mount, path)
			if unix.Access(filepath.Join(dir, "cgroup.subtree_control"), unix.W_OK) == nil {
				parents = append(parents[:len(parents):len(parents)], dir)
			}
		}
	}
	return parents
}

// newCgroup makes the run's cgroup with pids.max = max, or returns nil
// when the machine does not let labrun make one (not root and no
// delegated cgroup, or no pids controller).
func newCgroup(id string, max uint64) *cgroup {
	for _, root := range cgroupParents() {
		// In a delegated v2 cgroup the pids controller must be handed
		// down first (a threaded controller: labrun may stay in the
		// parent); where it is on already, or cannot be, this is a no-op.
		_ = os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("+pids"), 0o644)
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
