package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// A run proves that it is alive by a lock, not by /proc: every run has a
// run dir, TEMP/labrun-TAG, locked (flock, LOCK_EX, on the dir's own
// descriptor) from before it gets its name until the run has removed it.
// TAG is the run's tag (NewTag), which also names its cgroup and marks
// its processes (MarkerVar). The kernel drops the lock when the run's
// last descriptor of it closes -- when labrun ends, however it ends -- and
// the descriptor is opened O_CLOEXEC, so no step holds it. A cleaner
// (CleanStale) touches a run's dir, cgroup and processes only while it
// holds that lock itself; one that cannot open or lock the dir (out of
// descriptors, no permission, the run alive) leaves them alone.
//
// The dir is made under a temporary name (.labrun-new-*), locked, and only
// then renamed to its name (without replacing anything), so that a run dir
// is never seen unlocked while its run lives.

// Names in the temp dir.
const (
	// RunDirPrefix begins a run dir's name: RunDirPrefix + TAG.
	RunDirPrefix = "labrun-"
	// KeptPrefix begins the name of a run dir kept on purpose (--keep, or
	// kept to look into): KeptPrefix + TAG. CleanStale never removes it.
	KeptPrefix = "labrun-kept-"
	// newDirPrefix begins a run dir's temporary name, before it is locked
	// and renamed.
	newDirPrefix = ".labrun-new-"
)

// Widths of a tag's fields, zero-padded so that every tag has the same
// length and a path that holds one (recorded by a build tool, say) has a
// stable length: the pid (PID_MAX_LIMIT is 4194304), the owner's start
// time (clock ticks since boot: 12 digits last 317 years at 100 Hz), and
// the run's number within its labrun. A larger value makes a longer tag,
// never a wrong one.
const (
	tagPidWidth   = 7
	tagStartWidth = 12
	tagSeqWidth   = 6
	tagLen        = tagPidWidth + 2 + tagStartWidth + 1 + tagSeqWidth
)

// runDirTries bounds how often NewRunDir starts over when its temporary
// dir was taken by a cleaner or its name was taken.
const runDirTries = 8

// tagSeq numbers the tags of this process.
var tagSeq atomic.Int64

// NewTag returns a new tag, unique on the machine while this process
// lives: its owner tag and a number, "PPPPPPP-tSSSSSSSSSSSS-NNNNNN".
func NewTag() string {
	return fmt.Sprintf("%s-%0*d", Owner(), tagSeqWidth, tagSeq.Add(1))
}

// TagPrefix is how the tags of the labrun process pid begin (its runs'
// dirs, cgroups and markers): for tests that look for them.
func TagPrefix(pid int) string { return fmt.Sprintf("%0*d-t", tagPidWidth, pid) }

// parseTag returns the owner's pid and start time of a tag of NewTag's
// form; ok is false for anything else (an older labrun's names among
// them, which are never touched).
func parseTag(tag string) (pid int, start uint64, ok bool) {
	f := strings.Split(tag, "-")
	if len(f) != 3 || len(f[0]) < tagPidWidth || len(f[1]) < tagStartWidth+1 || f[1][0] != 't' || len(f[2]) < tagSeqWidth {
		return 0, 0, false
	}
	for _, s := range []string{f[0], f[1][1:], f[2]} {
		if strings.Trim(s, "0123456789") != "" {
			return 0, 0, false
		}
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1][1:], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 || start == 0 {
		return 0, 0, false
	}
	return pid, start, true
}

// DirMode is the mode mkdir(2) gives a new dir under umask (labrun's own
// when nil): 0777 &^ umask.
func DirMode(umask *uint32) os.FileMode {
	if umask != nil {
		return os.FileMode(0o777 &^ *umask)
	}
	return os.FileMode(0o777 &^ processUmask())
}

// processUmask is this process's umask, read from /proc/self/status
// (setting it to read it back would race with other threads' mkdir);
// 022 where the kernel does not show it (before Linux 4.7).
func processUmask() uint32 {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return uint32(m)
				}
			}
		}
	}
	return 0o022
}

// RunDir is a run's own dir, locked while the run lives (see above).
// Its methods may be called from any goroutine.
type RunDir struct {
	tag     string
	mu      sync.Mutex
	path    string
	fd      int    // the locked descriptor; -1 once released
	removed bool   // by Remove
	kept    string // what Keep kept
}

// NewRunDir makes and locks a run dir in base with mode (its permission
// bits are set as given, whatever labrun's umask), named with a new tag:
// RunDirPrefix+TAG, or KeptPrefix+TAG when it is to be kept.
func NewRunDir(base string, mode os.FileMode, kept bool) (*RunDir, error) {
	prefix := RunDirPrefix
	if kept {
		prefix = KeptPrefix
	}
	var err error
	for try := 0; try < runDirTries; try++ {
		var d *RunDir
		if d, err = tryRunDir(base, prefix, mode); err == nil {
			return d, nil
		}
		if !errors.Is(err, errRunDirTaken) {
			break
		}
	}
	return nil, fmt.Errorf("make the run dir in %s: %w", base, err)
}

// errRunDirTaken says a cleaner took the temporary dir, or the name was
// taken: try again.
var errRunDirTaken = errors.New("taken")

// tryRunDir is one try of NewRunDir.
func tryRunDir(base, prefix string, mode os.FileMode) (*RunDir, error) {
	tmp, err := os.MkdirTemp(base, newDirPrefix)
	if err != nil {
		return nil, err
	}
	fd, err := lockDir(tmp)
	if noLocks(err) {
		// A file system without flock: no cleaner can take the lock
		// either, so the dir is left alone all the same.
		fd, err = unix.Open(tmp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.ENOENT) {
			return nil, errRunDirTaken
		}
		return nil, err
	}
	fail := func(err error) (*RunDir, error) {
		os.Remove(tmp)
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Fchmod(fd, uint32(mode.Perm())); err != nil {
		return fail(err)
	}
	d := &RunDir{tag: NewTag(), fd: fd}
	d.path = filepath.Join(base, prefix+d.tag)
	switch err := renameNoReplace(tmp, d.path); {
	case errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) || errors.Is(err, unix.ENOENT):
		return fail(errRunDirTaken)
	case err != nil:
		return fail(err)
	}
	return d, nil
}

// renameNoReplace renames from to to, failing with EEXIST when to
// exists. Where the file system cannot refuse atomically (no
// RENAME_NOREPLACE), it looks first: tags are unique among live labruns,
// so only a leftover of another boot can be there.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	if _, err := os.Lstat(to); !errors.Is(err, os.ErrNotExist) {
		return unix.EEXIST
	}
	return os.Rename(from, to)
}

// noLocks reports whether err says the file system offers no flock.
func noLocks(err error) bool {
	return errors.Is(err, unix.ENOLCK) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL)
}

// lockDir opens dir (not following a link) O_CLOEXEC and takes its lock
// without waiting; it returns the locked descriptor.
func lockDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// Tag is the run's tag: give it to the run's Session (Config.Tag).
func (d *RunDir) Tag() string { return d.tag }

// Path is where the dir is now.
func (d *RunDir) Path() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.path
}

// Remove removes the dir and all it holds, then lets the lock go; and
// what Keep kept of it, if it came first.
func (d *RunDir) Remove() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.removed {
		return
	}
	d.removed = true
	os.RemoveAll(d.path)
	if d.kept != "" {
		os.RemoveAll(d.kept)
	}
	d.release()
}

// Keep moves sub, a dir inside the run dir, out to KeptPrefix+TAG beside
// it, where CleanStale never takes it, removes the rest and lets the lock
// go. It returns the kept dir's path: "" when the run dir was removed or
// kept already. Where sub cannot be moved, the whole run dir is kept as it
// is, under the kept name when it can be renamed so.
func (d *RunDir) Keep(sub string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.removed || d.kept != "" {
		return ""
	}
	base := filepath.Dir(d.path)
	kept := filepath.Join(base, KeptPrefix+d.tag)
	if d.path == kept { // made to be kept: out of the way first
		if aside := filepath.Join(base, newDirPrefix+d.tag); renameNoReplace(d.path, aside) == nil {
			d.path = aside
		}
	}
	if renameNoReplace(filepath.Join(d.path, sub), kept) == nil {
		os.RemoveAll(d.path)
	} else {
		if d.path == kept || renameNoReplace(d.path, kept) != nil {
			kept = d.path
		}
		kept = filepath.Join(kept, sub)
	}
	d.kept = kept
	d.release()
	return kept
}

// release closes the locked descriptor, if still open (d.mu held).
func (d *RunDir) release() {
	if d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
	}
}
