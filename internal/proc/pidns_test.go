package proc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pidSession is tmpSession with the pid namespace in force; it skips
// where the machine refuses it (Protections then says why).
func pidSession(t *testing.T, r tmpRun) *Session {
	t.Helper()
	if !sharedTmpns {
		t.Skip("a build without cgo has no private /tmp, and so no pid namespace")
	}
	s := tmpSession(t, r)
	if p := s.pidState(); !p.inForce {
		t.Skipf("no pid namespace on this machine: %s", p.phrase())
	}
	return s
}

// listProcs is a script that prints each process it sees in /proc as
// "PID CMDLINE", in pid order.
const listProcs = `for d in $(ls /proc | grep -E '^[0-9]+$' | sort -n); do ` +
	`c=$(tr '\0' ' ' 2>/dev/null < /proc/$d/cmdline) && echo "$d $c"; done`

// TestPidnsOwnProcesses: two sandboxed Sessions side by side each see,
// in /proc, the run's init as process 1 and their own processes only: a
// long-lived process one of them started in an earlier step is there for
// that one's later steps (which can signal it) and not for the other's;
// Protections says the pid namespace is in force; and labrun sees the
// two namespaces as two, neither its own.
func TestPidnsOwnProcesses(t *testing.T) {
	runs := []tmpRun{newTmpRun(t), newTmpRun(t)}
	sess := []*Session{pidSession(t, runs[0]), pidSession(t, runs[1])}
	token := "pidns-" + NewTag()
	long, err := sess[0].StartStep(StepSpec{Path: "/bin/sh", Args: []string{"sh", "-c", "sleep 30; : " + token},
		Dir: runs[0].work, Env: os.Environ(), OutputCap: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer long.Kill()
	if long.SeenPid == long.Pid || long.SeenPid < 2 {
		t.Errorf("the step's pid in the namespace is %d (%d outside): want one of the namespace's own", long.SeenPid, long.Pid)
	}
	time.Sleep(100 * time.Millisecond) // until sh has executed sleep
	for i, s := range sess {
		if p := strings.Join(s.Protections(), "\n"); !strings.Contains(p, "pids: a pid namespace for the run") {
			t.Fatalf("run %d: Protections do not name the pid namespace:\n%s", i, p)
		}
		got := runSh(t, s, runs[i].work, `echo "self $$"; `+listProcs)
		lines := strings.Split(strings.TrimSpace(got), "\n")
		self := strings.TrimPrefix(lines[0], "self ")
		if len(lines) < 3 || lines[1] != "1 "+pidInitName+" " {
			t.Fatalf("run %d sees\n%s\nwant process 1 to be %q", i, got, pidInitName)
		}
		seesLong := strings.Contains(got, token)
		if seesLong != (i == 0) {
			t.Errorf("run %d sees the first run's long-lived process: %v, want %v:\n%s", i, seesLong, i == 0, got)
		}
		for _, l := range lines[2:] {
			if !ownProcess(l, self, i == 0, token) {
				t.Errorf("run %d sees a process that is not its own: %q (it is %s):\n%s", i, l, self, got)
			}
		}
	}
	if got := runSh(t, sess[0], runs[0].work, "kill "+strconv.Itoa(long.SeenPid)+" && echo killed"); got != "killed\n" {
		t.Errorf("a later step could not kill the long-lived process by its pid: %q", got)
	}
	select {
	case <-long.Done():
	case <-time.After(10 * time.Second):
		t.Error("the long-lived process outlived its kill")
	}
	if a, b := holderNS(t, sess[0]), holderNS(t, sess[1]); a == b || a == nsOf(t, "self") {
		t.Errorf("the runs' pid namespaces are %s and %s, labrun's %s: want two of their own", a, b, nsOf(t, "self"))
	}
}

// ownProcess reports whether line, "PID CMDLINE" of listProcs, is a
// process of the step whose pid is self (a subshell of it, a command of
// its pipeline) or, with long, the long-lived step of the token.
func ownProcess(line, self string, long bool, token string) bool {
	pid, cmdline, _ := strings.Cut(line, " ")
	if pid == self || strings.HasPrefix(cmdline, `sh -c echo "self $$"`) {
		return true
	}
	for _, c := range []string{"tr ", "sort ", "grep ", "ls ", "sh -c echo"} {
		if strings.HasPrefix(cmdline, c) {
			return true
		}
	}
	return long && (strings.Contains(cmdline, token) || cmdline == "sleep 30 ")
}

// holderNS is the pid namespace of s's holder.
func holderNS(t *testing.T, s *Session) string {
	t.Helper()
	n, err := s.runNetns()
	if err != nil {
		t.Fatal(err)
	}
	return nsOf(t, strconv.Itoa(n.pid))
}

func nsOf(t *testing.T, pid string) string {
	t.Helper()
	ns, err := os.Readlink("/proc/" + pid + "/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestPidnsOrphanReaped: a process a step leaves behind (in a session of
// its own, out of the step's group, which Wait kills) goes, once its
// parent has ended, to the run's init (not to labrun, the subreaper
// outside the namespace), which collects it when it ends: no zombie is
// left.
func TestPidnsOrphanReaped(t *testing.T) {
	r := newTmpRun(t)
	s := pidSession(t, r)
	n, err := s.runNetns()
	if err != nil {
		t.Fatal(err)
	}
	token := "orphan-" + NewTag()
	// It has left the step's group (which Wait kills) once "up" is there.
	got := runSh(t, s, r.work, `setsid sh -c 'echo > up; sleep 1; : `+token+`' >/dev/null 2>&1 & `+
		`while ! test -e up; do sleep 0.01; done; echo started`)
	if got != "started\n" {
		t.Fatalf("the step printed %q", got)
	}
	orphan := 0
	for _, pid := range allPids() {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && strings.Contains(string(b), token) {
			orphan = pid
		}
	}
	if orphan == 0 {
		t.Fatal("the orphan is not to be found")
	}
	if pi, ok := readProc(orphan); !ok || pi.ppid != n.pid {
		t.Errorf("the orphan's parent is %d, want the run's init (pid %d)", pi.ppid, n.pid)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		pi, ok := readProc(orphan)
		if !ok {
			break // ended and collected
		}
		if time.Now().After(deadline) {
			t.Fatalf("the orphan is still there, state %c", pi.state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPidnsCloneRefused: where the kernel refuses the holder's pid
// namespace (here a clone flag it refuses with it: CLONE_THREAD), the
// holder starts without one but with the private /tmp, Protections says
// why the pid namespace is not in force, and the steps see the machine's
// processes (labrun among them).
func TestPidnsCloneRefused(t *testing.T) {
	if !sharedTmpns {
		t.Skip("a build without cgo has no private /tmp")
	}
	r := newTmpRun(t)
	defer func(f uintptr) { holderPidClone = f }(holderPidClone)
	holderPidClone |= syscall.CLONE_THREAD
	s := tmpSession(t, r)
	p := strings.Join(s.Protections(), "\n")
	if !strings.Contains(p, "pids: NOT private: the kernel refused a pid namespace: invalid argument: the steps see every process of the machine") ||
		!strings.Contains(p, "tmp: a private /tmp for the run") {
		t.Fatalf("Protections do not say the pid namespace alone is not in force:\n%s", p)
	}
	self := strconv.Itoa(os.Getpid())
	if got := runSh(t, s, r.work, "test -d /proc/"+self+" && echo sees-labrun"); got != "sees-labrun\n" {
		t.Errorf("the step printed %q: want it to see labrun (pid %s)", got, self)
	}
}

// TestPidsPhrase: without a private /tmp there is no pid namespace, and
// Protections says why.
func TestPidsPhrase(t *testing.T) {
	p := pidsOf("", privateTmp{wanted: true, why: "x"}, "")
	if p.inForce || !strings.Contains(p.phrase(), "pids: NOT private: without a private /tmp") {
		t.Errorf("without a private /tmp: %+v, %q", p, p.phrase())
	}
	p = pidsOf("", privateTmp{wanted: true, inForce: true}, "mount a procfs on /proc: operation not permitted")
	if want := "pids: NOT private: the kernel refused the run's /proc: mount a procfs on /proc: operation not permitted: the steps see every process of the machine"; p.inForce || p.phrase() != want {
		t.Errorf("with /proc refused: %q, want %q", p.phrase(), want)
	}
}
