package proc

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

// An alarm (alarm(2), setitimer(ITIMER_REAL)) may end a wait that looks
// endless: a step blocked in read() with an alarm pending is not stuck,
// its SIGALRM will end it. But only an alarm of a process of the step
// does: another process's alarm (a test harness's, a CI agent's, another
// run's) ends nothing here, and counting it turns stuck detection off
// for as long as it is armed. Linux shows an armed ITIMER_REAL nowhere
// per process: /proc/PID/stat's itrealvalue is always 0 since 2.6.17, and
// /proc/PID/timers lists POSIX timers only, armed or not. What there is,
// best first:
//
//   - As root, the timer:itimer_state tracepoint of tracefs
//     (alarmtrace.go; labrun mounts tracefs for itself where it is not
//     mounted): every alarm armed or disarmed, by which process (its
//     thread group), for how long. labrun records it in a tracing
//     instance of its own from before a run's first process starts, so
//     it knows exactly which process has an alarm pending.
//   - As root without the trace (no tracing in the kernel, no right to
//     mount tracefs), /proc/timer_list (mode 0400): every armed
//     hrtimer, an alarm as "it_real_fn" after its hashed address (the
//     process's signal_struct, the same for the process's whole life) but
//     without its pid. The alarms armed just before a step's first
//     process starts are the machine's, not the step's (that process is
//     new and has none yet): they are taken as a baseline and left out
//     (alarmLedger). The dump is no snapshot: its printer walks each
//     CPU's timer queue by index, dropping the lock between entries, so
//     when an earlier timer expires meanwhile the next entry is skipped
//     (on a busy machine an armed alarm is missed in a good share of
//     reads, and one read alone would call a step with an alarm pending
//     stuck). The baseline is the union of
//     timerListReads reads, and a look at a step sees an alarm when one
//     of timerListReads reads shows one outside the baseline.
//   - As a normal user, /proc/PID/status's SigCgt and SigIgn: whether a
//     process catches or ignores SIGALRM.
//
// The rule: a step is not called stuck while an alarm may end it, that
// is, while some process of the run does not ignore SIGALRM and either
// the trace shows it with an alarm pending, or (without the trace)
// /proc/timer_list shows an armed it_real_fn outside the step's baseline,
// or (without either, not root) the process catches SIGALRM (a program
// that sets a handler for it arms alarms).
//
// What remains uncertain:
//
//   - With the trace, every alarm armed while it ran is known. When it
//     lost events (a machine arming alarms faster than labrun
//     reads them) labrun falls back to the timer_list rule for good; a
//     step started before has no baseline, so any armed alarm counts.
//   - No rule looks at POSIX timers (timer_create) that send
//     SIGALRM: /proc/PID/timers lists them without saying whether they
//     are armed, and a step waiting for one may be called stuck.
//   - With /proc/timer_list: an alarm that another process arms after
//     the step started (one it had not armed at the step's start) counts
//     as the step's, so the step runs to its timeout instead of being
//     called stuck; an alarm that a process left from an earlier step of
//     the run armed before this step started counts as the machine's, as
//     does the alarm of a step's process whose signal_struct took the
//     address of an exited foreign process's in the baseline (slab reuse):
//     such a step may be called stuck before its alarm fires. A baseline
//     read may also miss an entry in all its reads, which then counts.
//   - As a normal user: an alarm whose SIGALRM keeps its default action
//     (it terminates the program) is not seen, so such a step may be
//     called stuck before its alarm fires; a process that catches SIGALRM
//     without an alarm armed keeps its step from being called stuck (it
//     runs to its timeout). --no-stuck-detection avoids both.
const timerListReads = 3

// sigalrmBit is SIGALRM's bit in the masks of /proc/PID/status.
const sigalrmBit = 1 << (14 - 1)

// alarmLedger is what a Session knows of the alarms around its steps:
// the trace, where there is one, else the timer_list baseline taken
// before each of its processes started. Its zero value is ready; close
// releases the trace.
type alarmLedger struct {
	mu     sync.Mutex
	trace  *alarmTrace // nil where there is none (or not yet)
	tried  bool        // whether the trace was tried
	closed bool
	// bases holds, by the pid of each process the Session started, the
	// it_real_fn timers armed just before it started (without a trace).
	bases map[int]alarmSet
}

// alarmSet is a set of timer_list entries, by their hashed addresses.
type alarmSet map[string]bool

// beforeStart is called before the Session starts a process: it starts
// the trace on the Session's first process, and otherwise (without a
// trace, as root) reads the baseline, which started files under the
// pid the process got.
func (l *alarmLedger) beforeStart() (base alarmSet) {
	l.mu.Lock()
	if !l.tried && !l.closed {
		l.tried = true
		l.trace = openAlarmTrace()
	}
	tr := l.trace
	l.mu.Unlock()
	if tr.reliable() {
		tr.drain() // keep the buffer small
		return nil
	}
	base, _ = armedAlarms(timerListReads, nil, true)
	return base
}

// started files the baseline read before the process pid started.
func (l *alarmLedger) started(pid int, base alarmSet) {
	if base == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bases == nil {
		l.bases = map[int]alarmSet{}
	}
	l.bases[pid] = base
}

// baseline takes out the baseline filed for the step whose first
// process is pid (nil when there is none).
func (l *alarmLedger) baseline(pid int) alarmSet {
	l.mu.Lock()
	defer l.mu.Unlock()
	base := l.bases[pid]
	delete(l.bases, pid)
	return base
}

// close releases the trace; the ledger takes no baselines after it.
func (l *alarmLedger) close() {
	l.mu.Lock()
	tr := l.trace
	l.trace, l.closed, l.bases = nil, true, nil
	l.mu.Unlock()
	tr.release()
}

// mayEnd reports whether an alarm may still end the wait of one of pids
// (the processes of a step, all asleep); base is the step's baseline.
func (l *alarmLedger) mayEnd(pids []int, base alarmSet) bool {
	var listening []int // pids that do not ignore SIGALRM
	catching := false
	for _, pid := range pids {
		cgt, ign, ok := sigalrmDisposition(pid)
		if !ok || ign {
			continue
		}
		listening = append(listening, pid)
		catching = catching || cgt
	}
	if len(listening) == 0 {
		return false
	}
	l.mu.Lock()
	tr := l.trace
	l.mu.Unlock()
	if tr.reliable() {
		if armed, ok := tr.pending(listening); ok {
			return armed
		}
	}
	if _, armed := armedAlarms(timerListReads, base, false); armed != unreadable {
		return armed == seen
	}
	return catching
}

// What armedAlarms found outside the baseline.
type alarmLook int

const (
	unreadable alarmLook = iota // not root
	none
	seen
)

// armedAlarms reads /proc/timer_list up to reads times. With all, it
// returns the union of the armed it_real_fn timers of every read; else
// it stops at the first read that shows one outside base and says
// whether it saw one.
func armedAlarms(reads int, base alarmSet, all bool) (alarmSet, alarmLook) {
	set := alarmSet{}
	for i := 0; i < reads; i++ {
		b, err := os.ReadFile("/proc/timer_list")
		if err != nil {
			return nil, unreadable
		}
		for _, addr := range itRealTimers(string(b)) {
			if !all && !base[addr] {
				return nil, seen
			}
			set[addr] = true
		}
	}
	return set, none
}

// itRealTimers lists the hashed addresses of the it_real_fn timers of a
// /proc/timer_list dump, whose entries read
//
//	#3: <00000000a33b1636>, it_real_fn, S:01
func itRealTimers(dump string) []string {
	var out []string
	for rest := dump; ; {
		i := strings.Index(rest, ">, it_real_fn,")
		if i < 0 {
			return out
		}
		j := strings.LastIndexByte(rest[:i], '<')
		if j >= 0 {
			out = append(out, rest[j+1:i])
		}
		rest = rest[i+1:]
	}
}

// sigalrmDisposition reads whether pid catches or ignores SIGALRM.
func sigalrmDisposition(pid int) (catches, ignores, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false, false, false
	}
	mask := func(key string) (uint64, bool) {
		i := strings.Index(string(b), "\n"+key+":\t")
		if i < 0 {
			return 0, false
		}
		rest := string(b[i+len(key)+3:])
		hex, _, _ := strings.Cut(rest, "\n")
		v, err := strconv.ParseUint(hex, 16, 64)
		return v, err == nil
	}
	cgt, ok1 := mask("SigCgt")
	ign, ok2 := mask("SigIgn")
	if !ok1 || !ok2 {
		return false, false, false
	}
	return cgt&sigalrmBit != 0, ign&sigalrmBit != 0, true
}
