package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestTag(t *testing.T) {
	tag := NewTag()
	if len(tag) != tagLen {
		t.Errorf("NewTag() = %q: %d bytes, want %d", tag, len(tag), tagLen)
	}
	if !strings.HasPrefix(tag, TagPrefix(os.Getpid())) || !strings.HasPrefix(tag, Owner()+"-") {
		t.Errorf("NewTag() = %q does not begin with %q", tag, Owner())
	}
	if pid, start, ok := parseTag(tag); !ok || pid != os.Getpid() || start != startTime(pid) {
		t.Errorf("parseTag(%q) = %d, %d, %v", tag, pid, start, ok)
	}
	for _, bad := range []string{
		"123-t5-1",                          // an older labrun's tag: never touched
		"0000123-t000000000005",             // an owner tag alone
		"0000123-t000000000005-00001x",      // not digits
		"0000123-t000000000000-000001",      // no start time
		"0000000-t000000000005-000001",      // no pid
		"0000123-000000000005-000001",       // no t
		"0000123-t000000000005-000001-py-3", // more
		"test-bin-123", "",
	} {
		if _, _, ok := parseTag(bad); ok {
			t.Errorf("parseTag(%q) ok", bad)
		}
	}
}

// deadTag returns a well-formed tag whose owner is gone: the pid of a
// process that ended (and was reaped) a moment ago.
func deadTag(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("true")
	if err := Run(t.Context(), cmd); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400 && !errors.Is(unix.Kill(cmd.Process.Pid, 0), unix.ESRCH); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Sprintf("%0*d-t%0*d-%0*d", tagPidWidth, cmd.Process.Pid, tagStartWidth, 12345, tagSeqWidth, 1)
}

func TestOwnerGone(t *testing.T) {
	self := fmt.Sprintf("%0*d-t%0*d-000001", tagPidWidth, os.Getpid(), tagStartWidth, 1)
	for _, c := range []struct {
		tag  string
		gone bool
	}{
		{NewTag(), false},        // this process: alive
		{self, true},             // this pid, another start: reused
		{deadTag(t), true},       // no such process
		{"123-t5-1", false},      // an older labrun's tag
		{"0000001-t5-1", false},  // not a tag
		{Owner() + "-py", false}, // not a tag
		{"", false},
	} {
		if got := ownerGone(c.tag); got != c.gone {
			t.Errorf("ownerGone(%q) = %v, want %v", c.tag, got, c.gone)
		}
	}
}

// TestRunDir: a run dir is made locked, under its name, with the mode
// given; Keep renames it; Remove removes it under whichever name it has.
func TestRunDir(t *testing.T) {
	base := t.TempDir()
	old := unix.Umask(0o077)
	d, err := NewRunDir(base, 0o751, false)
	unix.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, RunDirPrefix+d.Tag()); d.Path() != want {
		t.Errorf("path %s, want %s", d.Path(), want)
	}
	if fi, err := os.Stat(d.Path()); err != nil || fi.Mode().Perm() != 0o751 {
		t.Errorf("mode %v (%v), want 0751 whatever the umask", fi.Mode(), err)
	}
	if fd, err := lockDir(d.Path()); err == nil {
		unix.Close(fd)
		t.Errorf("a live run dir's lock could be taken")
	}
	if ents, _ := os.ReadDir(base); len(ents) != 1 {
		t.Errorf("base holds %d entries, want the run dir alone", len(ents))
	}
	if err := os.MkdirAll(filepath.Join(d.Path(), "lesson", "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	kept := d.Keep("lesson/work")
	if kept != filepath.Join(base, KeptPrefix+d.Tag()) {
		t.Errorf("Keep() = %s", kept)
	}
	if names := dirNames(base); !slices.Equal(names, []string{KeptPrefix + d.Tag()}) {
		t.Errorf("after Keep, base holds %v: want the kept work dir alone", names)
	}
	d.Remove()
	if names := dirNames(base); len(names) != 0 {
		t.Errorf("Remove after Keep left %v", names)
	}
	k, err := NewRunDir(base, 0o755, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(k.Path()), KeptPrefix) {
		t.Errorf("a run dir made kept: %s", k.Path())
	}
	if err := os.Mkdir(filepath.Join(k.Path(), "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	if kept := k.Keep("work"); kept != filepath.Join(base, KeptPrefix+k.Tag()) {
		t.Errorf("Keep() of a run dir made kept = %s", kept)
	}
	if names := dirNames(base); !slices.Equal(names, []string{KeptPrefix + k.Tag()}) {
		t.Errorf("after Keep, base holds %v: want the kept work dir alone", names)
	}
}

func dirNames(dir string) []string {
	var names []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestDirMode: mkdir's rule.
func TestDirMode(t *testing.T) {
	u := uint32(0o027)
	if m := DirMode(&u); m != 0o750 {
		t.Errorf("DirMode(027) = %v", m)
	}
	old := unix.Umask(0o002)
	defer unix.Umask(old)
	if m := DirMode(nil); m != 0o775 {
		t.Errorf("DirMode(nil) under umask 002 = %v", m)
	}
}

// marked starts sleep marked with tag, and returns its pid, reaped when
// killed.
func marked(t *testing.T, tag string) int {
	t.Helper()
	cmd := exec.Command("sleep", "100")
	cmd.Env = append(os.Environ(), MarkerVar+"="+tag)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	statusOf(reaping(), cmd.Process) // the reaper collects it
	t.Cleanup(func() { cmd.Process.Kill() })
	// Wait until sleep has exec'd: its environment is then the marked one.
	for i := 0; i < 200; i++ {
		if m, ok := markerOf(cmd.Process.Pid); ok && m == tag {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cmd.Process.Pid
}

func alive(pid int) bool {
	pi, ok := readProc(pid)
	return ok && pi.state != 'Z'
}

// TestCleanStale: a run dir is removed, and what is marked with its tag
// killed, only when its lock can be taken; a marked process whose tag has
// no run dir only when its owner is positively gone.
func TestCleanStale(t *testing.T) {
	base := t.TempDir()
	live, err := NewRunDir(base, 0o755, false) // this process's: alive
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	liveTag := live.Tag()
	// The owner of these tags is this process, alive: only the lock, which
	// no one holds, says their runs are gone. (A tag whose owner is gone
	// is fair game for any cleaner on the machine, whatever its TMPDIR, as
	// dirlessT is.)
	deadT, lockedT, keptT, dirlessT := NewTag(), NewTag(), NewTag(), deadTag(t)
	for _, name := range []string{RunDirPrefix + deadT, RunDirPrefix + lockedT, KeptPrefix + keptT, newDirPrefix + "1", "labrun-123-t5-x", RunDirPrefix + "test-bin-1"} {
		if err := os.Mkdir(filepath.Join(base, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Someone holds lockedT's lock (as its run, or a cleaner running at the
	// same time, would).
	fd, err := lockDir(filepath.Join(base, RunDirPrefix+lockedT))
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	pLive, pDead, pLocked, pKept, pDirless, pOwnDirless := marked(t, liveTag), marked(t, deadT), marked(t, lockedT), marked(t, keptT), marked(t, dirlessT), marked(t, NewTag())

	st := CleanStale(base)

	for _, c := range []struct {
		what  string
		pid   int
		alive bool
	}{
		{"live run's", pLive, true}, {"dead run's", pDead, false}, {"locked dir's", pLocked, true},
		{"kept dir's", pKept, false}, {"dirless, owner gone", pDirless, false}, {"dirless, owner alive", pOwnDirless, true},
	} {
		deadline := time.Now().Add(2 * time.Second)
		for alive(c.pid) != c.alive && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(c.pid) != c.alive {
			t.Errorf("%s process: alive %v, want %v", c.what, !c.alive, c.alive)
		}
	}
	names := dirNames(base)
	want := []string{RunDirPrefix + "123-t5-x", KeptPrefix + keptT, RunDirPrefix + lockedT, RunDirPrefix + liveTag, RunDirPrefix + "test-bin-1"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("left in base: %v, want %v", names, want)
	}
	if st.Processes < 2 || st.Dirs != 2 { // dirlessT's: maybe another cleaner's
		t.Errorf("CleanStale = %+v, want 2 or 3 processes, 2 dirs", st)
	}
}
