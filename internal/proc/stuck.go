package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// endlessSyscall is a syscall in which a process may wait without end:
// timerArg is the index of the argument that, when non-zero (or not -1,
// with minusOne), gives the wait a time limit; -1 means the wait has none
// at all.
type endlessSyscall struct {
	name     string
	timerArg int
	minusOne bool // the timeout is an int where -1 means "forever"
}

// endlessSyscalls are the waits of every architecture, by the numbers
// x/sys/unix gives for the one labrun is built for; legacySyscalls
// (stuck_amd64.go, stuck_arm64.go) holds those only some architectures
// have (open, select, poll, epoll_wait). Waits for a signal (pause, sigsuspend, sigtimedwait) are
// not here: a timer may end them.
var endlessSyscalls = map[int]endlessSyscall{
	unix.SYS_READ: {"read", -1, false}, unix.SYS_WRITE: {"write", -1, false}, unix.SYS_OPENAT: {"openat", -1, false},
	unix.SYS_READV: {"readv", -1, false}, unix.SYS_WRITEV: {"writev", -1, false}, unix.SYS_PREAD64: {"pread64", -1, false},
	unix.SYS_WAIT4: {"wait4", -1, false}, unix.SYS_WAITID: {"waitid", -1, false},
	unix.SYS_ACCEPT: {"accept", -1, false}, unix.SYS_ACCEPT4: {"accept4", -1, false},
	unix.SYS_RECVFROM: {"recvfrom", -1, false}, unix.SYS_RECVMSG: {"recvmsg", -1, false},
	unix.SYS_SENDTO: {"sendto", -1, false}, unix.SYS_SENDMSG: {"sendmsg", -1, false}, unix.SYS_CONNECT: {"connect", -1, false},
	unix.SYS_FLOCK: {"flock", -1, false}, unix.SYS_FCNTL: {"fcntl", -1, false}, unix.SYS_SEMOP: {"semop", -1, false},
	unix.SYS_MSGSND: {"msgsnd", -1, false}, unix.SYS_MSGRCV: {"msgrcv", -1, false},
	unix.SYS_FUTEX: {"futex", 3, false}, unix.SYS_PSELECT6: {"pselect6", 4, false}, unix.SYS_PPOLL: {"ppoll", 2, false},
	unix.SYS_EPOLL_PWAIT: {"epoll_pwait", 3, true}, unix.SYS_EPOLL_PWAIT2: {"epoll_pwait2", 3, false},
}

// endlessWait reports whether task (a /proc/PID/task/TID folder, or a
// /proc/PID one for its main thread) is asleep in a wait that no timer
// will end, where (its wchan), and how many threads its process has.
func endlessWait(task string) (wchan string, ok bool, threads int) {
	st, found := readStat(task)
	if !found {
		return "", true, 1 // gone: it waits for nothing
	}
	threads = st.threads
	switch st.state {
	case 'Z', 'X':
		return "", true, threads
	case 'S':
	default:
		return "", false, threads // running, in disk sleep, stopped
	}
	wchan, ok = sleepsWithoutEnd(task)
	return wchan, ok, threads
}

// sleepsWithoutEnd tells, of a sleeping task, whether no timer ends its
// wait, from its wchan and syscall files.
func sleepsWithoutEnd(task string) (string, bool) {
	w, _ := procRead(task + "/wchan")
	wchan := string(w)
	sc, err := procRead(task + "/syscall")
	if err != nil {
		return wchan, blockingWchan[wchan]
	}
	f := strings.Fields(string(sc))
	if len(f) == 0 || f[0] == "running" {
		return "", false
	}
	nr, err := strconv.Atoi(f[0])
	if err != nil {
		return wchan, false
	}
	s, ok := endlessSyscalls[nr]
	if !ok {
		s, ok = legacySyscalls[nr]
	}
	if !ok {
		return wchan, false
	}
	if wchan == "" || wchan == "0" {
		wchan = s.name
	}
	if s.timerArg < 0 {
		return wchan, true
	}
	if len(f) <= 1+s.timerArg {
		return wchan, false
	}
	arg, err := strconv.ParseUint(strings.TrimPrefix(f[1+s.timerArg], "0x"), 16, 64)
	if err != nil {
		return wchan, false
	}
	if s.minusOne {
		return wchan, int32(arg) < 0
	}
	return wchan, arg == 0
}

// blockingWchan names kernel waits without a timer, for kernels that do
// not show /proc/PID/syscall.
var blockingWchan = map[string]bool{
	"wait_for_partner": true, "pipe_read": true, "pipe_write": true, "pipe_wait": true,
	"n_tty_read": true, "unix_stream_read_generic": true, "unix_stream_data_wait": true,
	"inet_csk_accept": true, "do_wait": true,
}

// processWaits reports whether every thread of pid waits without end;
// where is the first thread's wchan.
func processWaits(pid int) (where string, ok bool) {
	where, _, ok = processProgress(pid, false)
	return where, ok
}

// processProgress is processWaits; with counts, progress also holds how
// many times each thread was switched out so far (a thread seen asleep
// twice with the same count did not run in between). A single-threaded
// process is read through /proc/PID alone, without listing its tasks.
func processProgress(pid int, counts bool) (where, progress string, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	w, ok, threads := endlessWait(dir)
	if !ok {
		return "", "", false
	}
	tasks := []string{dir}
	if threads > 1 {
		ents, err := os.ReadDir(dir + "/task")
		if err != nil {
			return "", "", true // gone
		}
		tasks, w = tasks[:0], ""
		for _, e := range ents {
			task := dir + "/task/" + e.Name()
			tw, ok, _ := endlessWait(task)
			if !ok {
				return "", "", false
			}
			if w == "" {
				w = tw
			}
			tasks = append(tasks, task)
		}
	}
	var b strings.Builder
	for _, task := range tasks {
		if counts {
			b.WriteString(task[strings.LastIndexByte(task, '/')+1:])
			b.WriteByte(':')
			b.WriteString(switches(task))
			b.WriteByte(' ')
		}
	}
	return w, b.String(), true
}

// switches returns a task's voluntary and involuntary context switches
// (/proc/PID/task/TID/status), "" when it cannot be read.
func switches(task string) string {
	b, err := procRead(task + "/status")
	if err != nil {
		return ""
	}
	var out []string
	for _, key := range []string{"\nvoluntary_ctxt_switches:", "\nnonvoluntary_ctxt_switches:"} {
		i := strings.Index(string(b), key)
		if i < 0 {
			continue
		}
		v, _, _ := strings.Cut(string(b[i+len(key):]), "\n")
		out = append(out, strings.TrimSpace(v))
	}
	return strings.Join(out, "/")
}

// StuckCheck returns a check, for Policy.Stuck, of whether a step
// (whose process group is fg, and which printed nothing for quiet())
// can never progress: it printed nothing for quietMin, and at two looks at
// least stuckConfirm apart the same processes of the Session (but the
// exempt ones, which wait for labrun) are asleep in the same waits without
// a timer, none of their threads having run in between (their context
// switch counts are the same), and no alarm may end their wait
// (alarm.go). Whatever a look reads while another process wakes one of
// them shows at the second look: the woken one is running, or it ran.
// The check keeps state between calls: one check per step.
//
// A look costs little while the step works or sleeps on a timer: it
// starts with the process the last look found busy, and stops there while
// that one still is (three small files read); otherwise the step's leader
// is read, and the other processes only when it waits without end.
func (s *Session) StuckCheck(fg int, quiet func() time.Duration, quietMin time.Duration) func() (string, bool, time.Duration) {
	return s.stuckCheck(fg, quiet, quietMin, 0)
}

// JobStuckCheck is StuckCheck for a job of a long-lived step, a console
// session's shell, which reads its jobs' commands from input. The shell
// blocked reading input is between jobs, never stuck (betweenJobs). And
// the shell itself, while it is still the program it was when the job
// began (an exec makes it another), is left out of the alarm rule.
// An interactive bash catches SIGALRM but arms no alarm: its timed reads
// (read -t, TMOUT) wait in pselect6 with a timeout, a wait the check sees
// has an end. Where labrun cannot see the armed alarms (a normal user: no
// tracefs, no /proc/timer_list), the rule would otherwise take every job
// of the session, and a builtin's wait, for one an alarm may end, and no
// stuck job would ever be seen.
func (s *Session) JobStuckCheck(shell *Step, input *os.File, quiet func() time.Duration, quietMin time.Duration) func() (string, bool, time.Duration) {
	return shell.betweenJobs(s.stuckCheck(shell.Pid, quiet, quietMin, shell.Pid), input)
}

// stuckCheck is StuckCheck; alarmExempt, when not 0, is a process left out
// of the alarm rule while it runs the program it ran at the start
// (JobStuckCheck).
func (s *Session) stuckCheck(fg int, quiet func() time.Duration, quietMin time.Duration, alarmExempt int) func() (string, bool, time.Duration) {
	var seen time.Time
	var first string  // what the first look saw
	var busy taskStat // the process the last look found busy, if any
	// The alarms armed when the step started are not the step's.
	base := s.alarms.baseline(fg)
	fgDir := "/proc/" + strconv.Itoa(fg)
	exempt := exemptShell(alarmExempt)
	return func() (string, bool, time.Duration) {
		if q := quiet(); q < quietMin {
			seen = time.Time{}
			return "", false, quietMin - q // look once the quiet period is over
		}
		if busy.pid != 0 && stillBusy(busy) {
			seen = time.Time{}
			return "", false, 0
		}
		busy = taskStat{}
		// A step whose leader is gone or a zombie is ending, not stuck
		// (its output's EOF and its reaping are on their way), whatever
		// the rest of the run waits for.
		st, ok := readStat(fgDir)
		if !ok || st.state == 'Z' {
			seen = time.Time{}
			return "", false, 0
		}
		if _, ok := processWaits(fg); !ok {
			seen, busy = time.Time{}, st
			return "", false, 0
		}
		where, look, pids, working, ok := s.allWaiting(fg)
		if !ok {
			seen = time.Time{}
			if working != 0 {
				busy, _ = readStat("/proc/" + strconv.Itoa(working))
			}
			return "", false, 0
		}
		if seen.IsZero() || look != first {
			seen, first = time.Now(), look
			return "", false, stuckConfirm // the second look
		}
		if wait := stuckConfirm - time.Since(seen); wait > 0 {
			return "", false, wait
		}
		if s.alarms.mayEnd(exempt.from(pids), base) {
			return "", false, 0
		}
		// A last look: an alarm that fired while the one above was
		// looked for has woken its process (timer_list no longer shows
		// it), which this look sees.
		if _, again, _, _, ok := s.allWaiting(fg); !ok || again != first {
			seen = time.Time{}
			return "", false, 0
		}
		return where, true, 0
	}
}

// shellExemption is a process left out of the alarm rule while its
// program (its comm) is the one it had when the check began.
type shellExemption struct {
	pid  int
	comm string
}

// exemptShell is the exemption of pid (none when pid is 0).
func exemptShell(pid int) shellExemption {
	if pid == 0 {
		return shellExemption{}
	}
	comm, _ := procRead("/proc/" + strconv.Itoa(pid) + "/comm")
	return shellExemption{pid: pid, comm: string(comm)}
}

// from is pids without the exempt process, while it is still its program.
func (e shellExemption) from(pids []int) []int {
	if e.pid == 0 || e.comm == "" {
		return pids
	}
	if comm, err := procRead("/proc/" + strconv.Itoa(e.pid) + "/comm"); err != nil || string(comm) != e.comm {
		return pids
	}
	var out []int
	for _, pid := range pids {
		if pid != e.pid {
			out = append(out, pid)
		}
	}
	return out
}

// stillBusy reports whether the process b, which a look found running or
// asleep on a timer, is the same process and still so.
func stillBusy(b taskStat) bool {
	dir := "/proc/" + strconv.Itoa(b.pid)
	st, ok := readStat(dir)
	switch {
	case !ok || st.start != b.start || st.state == 'Z' || st.state == 'X':
		return false // gone, or another process under its pid
	case st.state != 'S':
		return true // running, in disk sleep, stopped
	case st.threads == 1:
		_, waits := sleepsWithoutEnd(dir)
		return !waits
	}
	_, waits := processWaits(b.pid)
	return !waits
}

// runPids lists the live processes of the Session: its cgroup's, where it
// has one (every process of the run, whatever its environment), else those
// carrying its marker.
func (s *Session) runPids() []int {
	if s.cg != nil {
		if pids := s.cg.pids(); pids != nil {
			return pids
		}
	}
	return markedPids(MarkerVar, s.id)
}

// allWaiting reports whether every process of the Session waits without
// end; where is the wait of a process of the foreground group fg, pids
// the processes seen, look what was seen (pids, waits and context
// switches), to compare two looks. When one does not wait, working is
// its pid.
func (s *Session) allWaiting(fg int) (where, look string, pids []int, working int, ok bool) {
	any := ""
	var b strings.Builder
	var parents []int // processes waiting for a child
	self := os.Getpid()
	for _, pid := range s.runPids() {
		if pid == self || s.isExempt(pid) {
			continue
		}
		w, ok := processWaits(pid)
		if !ok {
			return "", "", nil, pid, false
		}
		pids = append(pids, pid)
		fmt.Fprintf(&b, "%d=%s ", pid, w)
		if waitsForChild(w) {
			parents = append(parents, pid)
			continue // say what the child waits for, not that its parent waits
		}
		if any == "" {
			any = w
		}
		if pi, ok := readProc(pid); ok && pi.pgid == fg && where == "" {
			where = w
		}
	}
	// Only now that every process waits, the costlier reads: how often
	// each thread ran, and whether a child ended.
	for _, pid := range pids {
		_, progress, ok := processProgress(pid, true)
		if !ok {
			return "", "", nil, pid, false
		}
		fmt.Fprintf(&b, "%d[%s] ", pid, progress)
	}
	if len(parents) > 0 {
		// Only now that every process waits (the costly part: all of
		// /proc is read).
		reaping := zombieParents()
		for _, pid := range parents {
			if reaping[pid] {
				// A child of it just ended: it is about to wake up (a
				// shell between two commands of a loop).
				return "", "", nil, 0, false
			}
		}
	}
	if where == "" {
		where = any
	}
	if where == "" {
		where = "wait4"
	}
	return where, b.String(), pids, 0, len(pids) > 0
}

// waitsForChild reports whether a wait is a parent waiting for a child.
func waitsForChild(wchan string) bool {
	return wchan == "do_wait" || wchan == "wait4" || wchan == "waitid" || wchan == "kernel_wait4"
}

// zombieParents lists the processes that have a child ended and not yet
// reaped.
func zombieParents() map[int]bool {
	out := map[int]bool{}
	for _, pid := range allPids() {
		if pi, ok := readProc(pid); ok && pi.state == 'Z' {
			out[pi.ppid] = true
		}
	}
	return out
}
