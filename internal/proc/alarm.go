package proc

import (
	"os"
	"strconv"
	"strings"
)

// An alarm (alarm(2), setitimer(ITIMER_REAL)) may end a wait that looks
// endless: a step blocked in read() with an alarm pending is not stuck,
// its SIGALRM will end it. Linux shows an armed ITIMER_REAL nowhere per
// process: /proc/PID/stat's itrealvalue is always 0 since 2.6.17, and
// /proc/PID/timers lists POSIX timers only. What there is:
//
//   - /proc/timer_list lists every armed hrtimer, an alarm as "it_real_fn"
//     (without its pid). It is readable by root only (mode 0400), and it is
//     no snapshot: its printer walks each CPU's timer queue by index,
//     dropping the lock between entries, so when an earlier timer expires
//     meanwhile the queue shifts and the next entry is skipped. On a busy
//     machine an armed alarm is missed in a good share of reads, and one
//     read alone would call a step with an alarm pending stuck. One read
//     seeing it_real_fn is proof; several reads not seeing it make a miss
//     unlikely: timerListReads are made.
//   - /proc/PID/status's SigCgt and SigIgn say whether a process catches
//     or ignores SIGALRM; readable by its owner.
//
// The rule: a step is not called stuck while an alarm may end it, that
// is, while some process of the run does not ignore SIGALRM and either
// /proc/timer_list shows an armed it_real_fn or, where it cannot be read
// (not root), the process catches SIGALRM (a program that sets a handler
// for it arms alarms). Not root, an alarm whose SIGALRM keeps its default
// action (it terminates the program) is not seen: such a step may be
// called stuck before its alarm fires (--no-stuck-detection avoids it).
const timerListReads = 3

// sigalrmBit is SIGALRM's bit in the masks of /proc/PID/status.
const sigalrmBit = 1 << (14 - 1)

// alarmMayEnd reports whether an alarm may still end the wait of one of
// pids (the processes of a run, all asleep).
func alarmMayEnd(pids []int) bool {
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
	armed, readable := alarmArmed()
	if readable {
		return armed
	}
	return catching
}

// alarmArmed reports whether /proc/timer_list shows an alarm armed, by
// any process; readable is false when labrun may not read it.
func alarmArmed() (armed, readable bool) {
	for i := 0; i < timerListReads; i++ {
		b, err := os.ReadFile("/proc/timer_list")
		if err != nil {
			return false, false
		}
		if strings.Contains(string(b), "it_real_fn") {
			return true, true
		}
	}
	return false, true
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
