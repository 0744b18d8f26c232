package proc

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// procInfo is what labrun reads of a process from /proc.
type procInfo struct {
	pid, ppid, pgid int
	state           byte // R, S, D, T, Z, ...
}

// readProc reads /proc/PID/stat; ok is false when it is gone.
func readProc(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// The command name is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procInfo{}, false
	}
	f := strings.Fields(string(b[i+2:]))
	if len(f) < 3 {
		return procInfo{}, false
	}
	pi := procInfo{pid: pid, state: f[0][0]}
	pi.ppid, _ = strconv.Atoi(f[1])
	pi.pgid, _ = strconv.Atoi(f[2])
	return pi, true
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
		st, g, ok := statOf(pid)
		if !ok || g != pgid || st == 'Z' {
			continue
		}
		if st != 'S' {
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

// statOf reads pid's state and process group from /proc/PID/stat.
func statOf(pid int) (state byte, pgid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+2:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	pgid, _ = strconv.Atoi(f[2])
	return f[0][0], pgid, true
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
