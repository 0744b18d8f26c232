package proc

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// procInfo is what labrun reads of a process from /proc.
type procInfo struct {
	pid, ppid, pgid int
	state           byte // R, S, D, T, Z, ...
}

// readProc reads /proc/PID/stat; ok is false when it is gone.
func readProc(pid int) (procInfo, bool) {
	st, ok := readStat("/proc/" + strconv.Itoa(pid))
	return st.procInfo, ok
}

// taskStat is what labrun reads of a process's or thread's stat file.
type taskStat struct {
	procInfo
	threads int    // num_threads
	start   uint64 // starttime, in clock ticks since boot: with the pid, who it is
}

// readStat reads the stat file of dir, a /proc/PID or /proc/PID/task/TID
// folder; ok is false when it is gone.
func readStat(dir string) (taskStat, bool) {
	b, err := procRead(dir + "/stat")
	if err != nil {
		return taskStat{}, false
	}
	// The command name is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return taskStat{}, false
	}
	f := strings.Fields(string(b[i+2:]))
	if len(f) < 20 {
		return taskStat{}, false
	}
	st := taskStat{procInfo: procInfo{state: f[0][0]}}
	st.pid, _ = strconv.Atoi(dir[strings.LastIndexByte(dir, '/')+1:])
	st.ppid, _ = strconv.Atoi(f[1])
	st.pgid, _ = strconv.Atoi(f[2])
	st.threads, _ = strconv.Atoi(f[17])
	st.start, _ = strconv.ParseUint(f[19], 10, 64)
	return st, true
}

// procRead reads a small /proc file (stat, wchan, syscall, status) with
// bare system calls: the stuck checks read a few of them many times a
// second, and an *os.File costs three times the calls (fstat, fcntl, the
// poller's registration) for each.
//
// They are raw system calls, which the Go scheduler does not see: a read
// of a /proc file never blocks, and a call the scheduler sees wakes its
// monitor thread (sysmon) when every P is idle, which then polls every
// 20 µs until they are idle again, several wake-ups for each stuck check
// of a sleeping step.
func procRead(path string) ([]byte, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return nil, err
	}
	atCwd := unix.AT_FDCWD
	r, _, e := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(atCwd), uintptr(unsafe.Pointer(p)),
		uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
	if e != 0 {
		return nil, e
	}
	fd := int(r)
	defer unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		free := buf[len(buf):cap(buf)]
		n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&free[0])), uintptr(len(free)))
		switch {
		case e == unix.EINTR:
			continue
		case e != 0:
			return nil, e
		case n == 0:
			return buf, nil
		}
		buf = buf[:len(buf)+int(n)]
	}
}

// allPids lists every process id in /proc.
func allPids() []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	pids := make([]int, 0, len(ents))
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// hasMarker reports whether pid's environment holds key=value.
func hasMarker(pid int, key, value string) bool {
	v, ok := envValue(pid, key)
	return ok && v == value
}

// markerOf returns the run marker in pid's environment, if any.
func markerOf(pid int) (string, bool) { return envValue(pid, MarkerVar) }

// envValue returns the value of key in pid's environment.
func envValue(pid int, key string) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	prefix := []byte(key + "=")
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, prefix); ok {
			return string(v), true
		}
	}
	return "", false
}

// markedPids lists the live processes whose environment holds key=value,
// leaving out labrun itself.
func markedPids(key, value string) []int {
	self := os.Getpid()
	var out []int
	for _, pid := range allPids() {
		if pid != self && hasMarker(pid, key, value) {
			if pi, ok := readProc(pid); ok && pi.state != 'Z' {
				out = append(out, pid)
			}
		}
	}
	return out
}

// GroupAsleep reports whether every live process of process group pgid
// is asleep (state S): none runs, none is stopped or in disk sleep.
func GroupAsleep(pgid int) bool {
	for _, pid := range allPids() {
		if pi, ok := readProc(pid); ok && pi.pgid == pgid && pi.state != 'Z' && pi.state != 'S' {
			return false
		}
	}
	return true
}

// GroupLook reports whether every live process of the Session's process
// group pgid is asleep (state S), and what was seen: their pids and
// context switch counts. Two equal looks say none of them ran in between.
// It reads only the Session's processes where it has a cgroup.
func (s *Session) GroupLook(pgid int) (look string, asleep bool) {
	var pids []int
	if s.cg != nil {
		pids = s.cg.pids()
	} else {
		pids = allPids()
	}
	var b strings.Builder
	for _, pid := range pids {
		pi, ok := readProc(pid)
		if !ok || pi.pgid != pgid || pi.state == 'Z' {
			continue
		}
		if pi.state != 'S' {
			return "", false
		}
		p := "/proc/" + strconv.Itoa(pid)
		b.WriteString(strconv.Itoa(pid))
		b.WriteByte(':')
		b.WriteString(switches(p))
		b.WriteByte(' ')
	}
	return b.String(), true
}

// Marked lists the live processes, labrun itself left out, whose
// environment holds key=value: what a Session's marker (MarkerVar) or a
// test's own tag finds.
func Marked(key, value string) []int { return markedPids(key, value) }

// State returns pid's state letter (R, S, D, T, Z, ...); ok is false when
// it is gone.
func State(pid int) (state byte, ok bool) {
	pi, ok := readProc(pid)
	return pi.state, ok
}
