package proc

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSigalrmDisposition reads whether a process catches or ignores
// SIGALRM from /proc/PID/status, as its owner may without privileges.
func TestSigalrmDisposition(t *testing.T) {
	// The Go runtime installs a handler for SIGALRM.
	if cgt, ign, ok := sigalrmDisposition(os.Getpid()); !ok || !cgt || ign {
		t.Errorf("test process: catches=%v ignores=%v ok=%v, want a catcher", cgt, ign, ok)
	}
	s := NewSession(Config{}, t.TempDir())
	defer s.Close()
	cmd := exec.Command("sh", "-c", "trap '' ALRM; exec sleep 30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p, err := s.Start(cmd)
	if err != nil {
		t.Skip(err)
	}
	defer func() { p.Kill(); <-p.Done() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ign, ok := sigalrmDisposition(p.Pid)
		if ok && ign {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep under trap '' ALRM never seen ignoring SIGALRM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var l alarmLedger
	if l.mayEnd([]int{p.Pid}, nil) {
		t.Errorf("mayEnd: a process that ignores SIGALRM cannot be ended by an alarm")
	}
}

// TestItRealTimers picks the alarms' addresses out of a timer_list dump.
func TestItRealTimers(t *testing.T) {
	dump := ` #0: <00000000a33b1636>, tick_nohz_handler, S:01
 # expires at 246456000000-246456000000 nsecs [in 2836334 to 2836334 nsecs]
 #1: <0000000075754848>, it_real_fn, S:01
 # expires at 246461504873-246461554873 nsecs [in 8341207 to 8391207 nsecs]
 #2: <00000000ea1f567c>, hrtimer_wakeup, S:01
 #3: <000000007c47f0aa>, it_real_fn, S:01
`
	got := strings.Join(itRealTimers(dump), " ")
	if want := "0000000075754848 000000007c47f0aa"; got != want {
		t.Errorf("itRealTimers = %q, want %q", got, want)
	}
}

// TestItimerLine reads the trace's lines, with and without a thread
// group.
func TestItimerLine(t *testing.T) {
	tr := &alarmTrace{alarms: map[int]tracedAlarm{}}
	self := os.Getpid()
	line := func(tgid string, value, interval string) string {
		return "   my prog-" + tgid + "   (  " + tgid + ") [001] d..1.   437.287865: itimer_state: which=0 expires=0 it_value=" +
			value + " it_interval=" + interval
	}
	me := strconv.Itoa(self)
	tr.note(line(me, "100.000000", "0.000000"))
	if a, ok := tr.alarms[self]; !ok || a.until != 537287865000 {
		t.Fatalf("armed for 100 s at 437.287865: %+v %v", a, ok)
	}
	tr.note(line(me, "0.000000", "0.000000"))
	if _, ok := tr.alarms[self]; ok {
		t.Fatalf("disarmed, still pending")
	}
	tr.note(line(me, "0.500000", "1.000000"))
	if a := tr.alarms[self]; a.until < 1<<62 {
		t.Fatalf("an interval timer counts as pending until disarmed: %+v", a)
	}
	unknown := strings.Replace(line(me, "1.000000", "0.000000"), "(  "+me+")", "(-------)", 1)
	delete(tr.alarms, self)
	tr.note(unknown)
	if _, ok := tr.alarms[self]; !ok {
		t.Fatalf("thread group unknown: not read from the thread: %q", unknown)
	}
	tr.note("CPU:1 [LOST 12 EVENTS]")
	if !tr.lost {
		t.Fatalf("lost events not noticed")
	}
}

// alarmModeVar names, in a re-executed test binary, which of the alarm
// rule's sources TestAlarmRule tries there.
const alarmModeVar = "LABRUN_TEST_ALARM_MODE"

// TestAlarmRule: an alarm keeps a step from being called stuck only when
// it is the step's. Each source of the rule (alarm.go) is tried in a
// test binary of its own: as root in a mount namespace of its own, the
// trace with tracefs mounted ("trace") and with tracefs mounted by labrun
// for itself ("private"); "timer_list" as root without the trace; "user"
// as a normal user (nobody, when the test runs as root).
func TestAlarmRule(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 arms the alarms here:", err)
	}
	if mode := os.Getenv(alarmModeVar); mode != "" {
		alarmRule(t, mode)
		return
	}
	if os.Geteuid() != 0 {
		t.Log("not root: only the user rule (SigCgt) can be tried; run as root for the trace and timer_list ones")
		alarmRule(t, "user")
		return
	}
	for _, mode := range []string{"trace", "private", "timer_list", "user"} {
		t.Run(mode, func(t *testing.T) { reexecAlarmRule(t, mode) })
	}
}

// reexecAlarmRule runs TestAlarmRule in mode in a copy of the test
// binary that every user may run.
func reexecAlarmRule(t *testing.T, mode string) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "proc.test")
	if err := copyFile(self, bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^TestAlarmRule$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), alarmModeVar+"="+mode, "TMPDIR="+tmp)
	switch mode {
	case "trace", "private":
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	case "user":
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = Run(t.Context(), cmd)
	t.Logf("%s:\n%s", mode, out.String())
	if err != nil {
		t.Errorf("%s: %v", mode, err)
	}
	if strings.Contains(out.String(), "--- SKIP") {
		t.Skipf("%s: skipped in the child", mode)
	}
}

func copyFile(from, to string) error {
	r, err := os.Open(from)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// alarmRule tries the rule with the source of mode.
func alarmRule(t *testing.T, mode string) {
	switch mode {
	case "trace", "private":
		testTracefs(t, mode == "trace")
	case "timer_list":
		tracefsRoots, privateTracefs = nil, false
	}
	s := NewSession(Config{}, t.TempDir())
	defer s.Close()
	probe := func(name string, foreignFirst bool, foreign, step string, wantStuck bool) bool {
		t.Helper()
		var other *Process
		if foreign != "" && foreignFirst {
			other = startArmed(t, nil, foreign)
		}
		p := startArmed(t, s, step)
		if foreign != "" && !foreignFirst {
			other = startArmed(t, nil, foreign)
		}
		// A step that is stuck is called so within tens of
		// milliseconds; one that is not is watched for half a second.
		start := time.Now()
		stuck := stuckWithin(s, p.Pid, map[bool]time.Duration{true: 10 * time.Second, false: 500 * time.Millisecond}[wantStuck])
		p.Kill()
		<-p.Done()
		if other != nil {
			other.Kill()
			<-other.Done()
		}
		t.Logf("%s: stuck=%v after %v", name, stuck, time.Since(start).Round(time.Millisecond))
		return stuck
	}
	rule := func(name string, foreignFirst bool, foreign, step string, wantStuck bool) {
		t.Helper()
		if stuck := probe(name, foreignFirst, foreign, step, wantStuck); stuck != wantStuck {
			t.Errorf("%s (%s): stuck=%v, want %v", name, mode, stuck, wantStuck)
		}
	}
	const noAlarm = ""
	const alarm = "signal.setitimer(signal.ITIMER_REAL, 100)"
	const caught = "signal.signal(signal.SIGALRM, lambda *a: None); " + alarm
	const ignored = "signal.signal(signal.SIGALRM, signal.SIG_IGN); " + alarm
	rule("nothing armed", false, "", noAlarm, true)
	rule("an alarm of another process, armed before", true, alarm, noAlarm, true)
	rule("its own alarm, ignored", false, "", ignored, true)
	rule("its own alarm, caught", false, "", caught, false)
	// What only root sees.
	rule("its own alarm", false, "", alarm, mode == "user")
	if mode != "trace" && mode != "private" {
		return
	}
	// Only the trace tells an alarm armed after the step started from
	// the step's own; where it lost events (a loaded machine, many
	// tracing labruns) labrun falls back to the timer_list rule, under
	// which such an alarm keeps the step waiting, as documented.
	afterStuck := probe("an alarm of another process, armed after", false, alarm, noAlarm, true)
	if !s.alarms.trace.reliable() {
		t.Skipf("the trace was not reliable here (lost events or not set up): the fallback rule was in force (stuck=%v)", afterStuck)
	}
	if !afterStuck {
		t.Errorf("an alarm of another process, armed after (%s): stuck=false, want true", mode)
	}
	instance := tracefsRoots[0] + "/" + s.alarms.trace.name
	s.Close()
	if mode == "private" {
		// labrun's mount is its thread's; the test mounts its own.
		if err := unix.Mount("tracefs", tracefsRoots[0], "tracefs", 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(instance); err == nil {
		t.Errorf("the Session closed, its tracing instance %s is left", instance)
	} else if _, err := os.Stat(filepath.Dir(instance)); err != nil {
		t.Errorf("no %s to look for the instance in: %v", filepath.Dir(instance), err)
	}
}

// stuckWithin reports whether StuckCheck calls the step whose process
// is pid stuck within d (it has printed nothing all along).
func stuckWithin(s *Session, pid int, d time.Duration) bool {
	check := s.StuckCheck(pid, func() time.Duration { return time.Hour }, StuckQuiet)
	for end := time.Now().Add(d); time.Now().Before(end); {
		_, stuck, again := check()
		if stuck {
			return true
		}
		time.Sleep(max(again, stuckPollMin))
	}
	return false
}

// testTracefs readies the test's own mount namespace (reexecAlarmRule
// made it): with mounted, tracefs is mounted where labrun looks for it;
// else it is mounted nowhere, so that labrun mounts it for itself.
func testTracefs(t *testing.T, mounted bool) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		t.Skip("no mount namespace of its own:", err)
	}
	for _, r := range tracefsRoots {
		for unix.Unmount(r, unix.MNT_DETACH) == nil {
		}
	}
	if !mounted {
		return
	}
	if err := unix.Mount("tracefs", tracefsRoots[0], "tracefs", 0, ""); err != nil {
		t.Skip("cannot mount tracefs:", err)
	}
	if _, err := os.Stat(tracefsRoots[0] + "/events/timer/itimer_state"); err != nil {
		t.Skip("no timer:itimer_state tracepoint:", err)
	}
}

// startArmed starts python3 running arm (Python statements, signal
// imported) and then reading its stdin forever, through s or (nil) as a
// process of no Session; it returns once arm ran.
func startArmed(t *testing.T, s *Session, arm string) (p *Process) {
	t.Helper()
	script := "import os, signal, sys\n" + arm + "\nsys.stdout.write('armed\\n'); sys.stdout.flush()\nos.read(0, 1)\n"
	cmd := exec.Command("python3", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if s == nil {
		// The reaper (TestMain's Reap) collects it.
		if err = cmd.Start(); err == nil {
			p = &Process{Pid: cmd.Process.Pid, done: mustReap().watch(cmd.Process.Pid)}
		}
	} else {
		p, err = s.Start(cmd)
	}
	if err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "armed\n" {
		t.Fatalf("python3 %q: %q %v", arm, line, err)
	}
	return p
}
