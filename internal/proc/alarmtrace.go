package proc

import (
	"math"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// alarmTrace records the timer:itimer_state tracepoint of tracefs, which
// fires whenever a process arms or disarms an interval timer, in the
// context of the process (and under the thread) that does: for an alarm
// (which=0, ITIMER_REAL) it tells, exactly, which thread group has one
// pending and until when. It lives in a tracing instance of labrun's own
// (instances/labrun-PID), so that it changes nothing of the machine's
// tracing; one instance serves every Session of the process, made at the
// first process a Session starts and removed when the last Session
// closes (what a labrun killed with SIGKILL leaves, the next one removes:
// removeStaleTraces). Making one cost 10 ms here, removing it 40 ms
// (tracefs makes and removes a folder for every event of the kernel in
// it), on the 2-core machine at a load of 2; 50-110 ms and 30-70 ms at a
// load of 20.
//
// What it takes: root (CAP_SYS_ADMIN), a kernel with tracing, and tracefs
// mounted at one of tracefsRoots (systemd mounts it at
// /sys/kernel/tracing) or the right to mount it in a mount namespace of
// labrun's own, which no other process sees (openTracefs). Anything
// missing (a container without CAP_SYS_ADMIN, a kernel in lockdown), and
// the alarm rule falls back to /proc/timer_list (alarm.go).
//
// The instance records alarms only (a filter in the kernel drops the
// other timers), machine-wide: a few lines for each alarm armed anywhere.
// labrun reads them without blocking (trace_pipe, O_NONBLOCK) before each
// process a Session starts and whenever it asks whether an alarm may end
// a step's wait: a tracepoint's event is in the buffer before the system
// call that fired it returns, so what a step armed before it went to
// sleep is read. When the buffer overflowed between two reads (the
// kernel says "LOST n EVENTS"), what was armed is no longer known: the
// trace is unreliable from then on, and the fallback applies.
type alarmTrace struct {
	dir  int    // tracefs's root folder
	name string // the instance's, in it
	fd   int    // its trace_pipe, non-blocking

	mu      sync.Mutex // guards what follows
	lost    bool
	partial string // a line not yet read to its end
	// alarms are the alarms pending, by thread group id.
	alarms map[int]tracedAlarm
}

// tracedAlarm is one process's pending alarm.
type tracedAlarm struct {
	start uint64 // the process's start time: with the pid, who it is
	until int64  // CLOCK_MONOTONIC ns when it fires; MaxInt64 if it repeats
}

// traceBufferKB is the size of the instance's buffer per CPU: some
// hundred alarms armed between two reads.
const traceBufferKB = 64

// tracefsRoots are where tracefs is looked for; privateTracefs, when it
// is mounted at none, whether labrun mounts it for itself (openTracefs).
var (
	tracefsRoots   = []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}
	privateTracefs = true
)

// The process's one trace and how many Sessions use it.
var (
	traceMu    sync.Mutex
	theTrace   *alarmTrace
	traceUsers int
	traceNone  bool // tried and failed: not tried again
)

// openAlarmTrace returns the process's trace, making it if it is the
// first user; nil where there can be none.
func openAlarmTrace() *alarmTrace {
	traceMu.Lock()
	defer traceMu.Unlock()
	if theTrace == nil {
		if traceNone {
			return nil
		}
		theTrace = newAlarmTrace()
		if theTrace == nil {
			traceNone = true
			return nil
		}
	}
	traceUsers++
	return theTrace
}

// release ends one Session's use of the trace; the last one removes it.
func (t *alarmTrace) release() {
	if t == nil {
		return
	}
	traceMu.Lock()
	defer traceMu.Unlock()
	if traceUsers--; traceUsers > 0 || theTrace != t {
		return
	}
	theTrace = nil
	unix.Close(t.fd)
	t.remove()
}

// newAlarmTrace makes labrun's tracing instance and enables the
// tracepoint in it.
func newAlarmTrace() *alarmTrace {
	root, err := openTracefs()
	if err != nil {
		return nil
	}
	removeStaleTraces(root)
	name := "instances/labrun-" + strconv.Itoa(os.Getpid())
	if err := unix.Mkdirat(root, name, 0o700); err != nil {
		unix.Close(root)
		return nil
	}
	t := &alarmTrace{dir: root, name: name, fd: -1, alarms: map[int]tracedAlarm{}}
	for _, set := range [][2]string{
		{"trace_clock", "mono"}, // the clock of CLOCK_MONOTONIC
		{"buffer_size_kb", strconv.Itoa(traceBufferKB)},
		{"options/record-tgid", "1"},
		{"events/timer/itimer_state/filter", "which == 0"},
		{"events/timer/itimer_state/enable", "1"},
	} {
		if err := writeAt(root, name+"/"+set[0], set[1]+"\n"); err != nil {
			t.remove()
			return nil
		}
	}
	t.fd, err = unix.Openat(root, name+"/trace_pipe", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.remove()
		return nil
	}
	return t
}

// removeStaleTraces removes the instances that labruns killed with
// SIGKILL left behind. A live labrun's instance is safe: it holds its
// trace_pipe open for its whole life, and tracefs refuses (EBUSY) to
// remove an instance in use. (One being set up, in the milliseconds
// before its trace_pipe is opened, may go: that labrun then does without
// the trace.)
func removeStaleTraces(root int) {
	fd, err := unix.Openat(root, "instances", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	dir := os.NewFile(uintptr(fd), "instances")
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, n := range names {
		if strings.HasPrefix(n, "labrun-") {
			_ = unix.Unlinkat(root, "instances/"+n, unix.AT_REMOVEDIR)
		}
	}
}

// openTracefs opens tracefs's root folder: where it is mounted, else
// (privateTracefs) where labrun mounts it in a mount namespace of one of
// its threads, which no other process sees and which ends with that
// thread (root only). The folder's descriptor keeps the mount usable
// from every thread: the trace is reached through it alone.
func openTracefs() (int, error) {
	for _, r := range tracefsRoots {
		if _, err := os.Stat(r + "/events/timer/itimer_state"); err == nil {
			return unix.Open(r, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		}
	}
	if !privateTracefs || os.Geteuid() != 0 {
		return -1, unix.ENOENT
	}
	type opened struct {
		fd  int
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		// Never unlocked: the thread, in its own mount namespace, ends
		// with the goroutine.
		runtime.LockOSThread()
		fd, err := mountTracefs(tracefsRoots[0])
		ch <- opened{fd, err}
	}()
	o := <-ch
	return o.fd, o.err
}

// mountTracefs mounts tracefs on dir in a new mount namespace of the
// calling thread, changing nothing that another thread or process sees,
// and opens it.
func mountTracefs(dir string) (int, error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return -1, err
	}
	// Mounts made here must not propagate to the mounts this namespace
	// was copied from.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return -1, err
	}
	if err := unix.Mount("tracefs", dir, "tracefs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return -1, err
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Faccessat(fd, "events/timer/itimer_state", unix.F_OK, 0); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// writeAt writes value to the file name of folder dir.
func writeAt(dir int, name, value string) error {
	fd, err := unix.Openat(dir, name, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	_, err = unix.Write(fd, []byte(value))
	return err
}

// remove removes the instance (its trace_pipe closed) and closes its
// folder.
func (t *alarmTrace) remove() {
	_ = unix.Unlinkat(t.dir, t.name, unix.AT_REMOVEDIR)
	unix.Close(t.dir)
}

// reliable reports whether t is there and lost nothing so far.
func (t *alarmTrace) reliable() bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.lost
}

// pending reads the trace and reports whether one of pids has an alarm
// pending; ok is false when the trace is unreliable.
func (t *alarmTrace) pending(pids []int) (armed, ok bool) {
	t.drain()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lost {
		return false, false
	}
	now := monotonicNow()
	for _, pid := range pids {
		a, found := t.alarms[pid]
		if !found || a.until < now-int64(alarmFireSlack) {
			continue
		}
		if st, live := readStat("/proc/" + strconv.Itoa(pid)); live && st.start == a.start {
			return true, true
		}
	}
	return false, true
}

// drain reads what the trace holds, without blocking, and forgets the
// alarms that fired long enough ago.
func (t *alarmTrace) drain() {
	t.mu.Lock()
	defer t.mu.Unlock()
	buf := make([]byte, 16<<10)
	for {
		n, err := unix.Read(t.fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break // EAGAIN: all read
		}
		lines := strings.Split(t.partial+string(buf[:n]), "\n")
		t.partial = lines[len(lines)-1]
		for _, line := range lines[:len(lines)-1] {
			t.note(line)
		}
	}
	now := monotonicNow()
	for pid, a := range t.alarms {
		if a.until < now-int64(alarmFireSlack) {
			delete(t.alarms, pid)
		}
	}
}

// itimerLine is a line of the trace, with record-tgid:
//
//	python3-2625  (   2625) [001] d..1.   437.287865: itimer_state: which=0 expires=0 it_value=100.000000 it_interval=0.000000
//
// giving the thread id, its thread group id ("-------" when unknown), the
// time in s.µs, and the timer's value and interval.
var itimerLine = regexp.MustCompile(`-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]\s+\S+\s+(\d+)\.(\d+): itimer_state: which=0 .*it_value=(\d+)\.(\d+) it_interval=(\d+)\.(\d+)`)

// note takes in one line of the trace; the caller holds t.mu.
func (t *alarmTrace) note(line string) {
	if strings.Contains(line, "[LOST ") {
		t.lost = true
		return
	}
	m := itimerLine.FindStringSubmatch(line)
	if m == nil {
		return
	}
	num := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
	tgid := int(num(m[2]))
	if m[2][0] == '-' {
		tgid = threadGroup(int(num(m[1])))
	}
	value := num(m[5])*1e9 + num(m[6])*1e3
	if tgid <= 0 || value == 0 {
		delete(t.alarms, tgid) // disarmed
		return
	}
	st, live := readStat("/proc/" + strconv.Itoa(tgid))
	if !live {
		delete(t.alarms, tgid) // gone, and its alarm with it
		return
	}
	a := tracedAlarm{start: st.start, until: num(m[3])*1e9 + num(m[4])*1e3 + value}
	if num(m[7]) != 0 || num(m[8]) != 0 {
		a.until = math.MaxInt64 // it repeats until disarmed
	}
	t.alarms[tgid] = a
}

// threadGroup returns the thread group of thread tid, 0 when it is gone.
func threadGroup(tid int) int {
	b, err := procRead("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return 0
	}
	i := strings.Index(string(b), "\nTgid:")
	if i < 0 {
		return 0
	}
	v, _, _ := strings.Cut(string(b[i+len("\nTgid:"):]), "\n")
	tgid, _ := strconv.Atoi(strings.TrimSpace(v))
	return tgid
}

// monotonicNow is CLOCK_MONOTONIC in ns, the trace's clock.
func monotonicNow() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
