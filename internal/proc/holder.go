package proc

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A run's network namespace (netns.go) lives as long as its holder: labrun's
// binary re-executed with holderVar set, which MaybeGate turns into hold.
// The holder is made in a new network namespace (and, unprivileged, a new
// user namespace; for a private /tmp, tmpns.go, a new mount namespace,
// whose mounts it makes first), brings loopback up, prints holderReady
// and waits for labrun to close its stdin.
const (
	// holderVar marks labrun's binary started as a holder.
	holderVar = "LABRUN_NETNS_HOLDER"
	// holderReady is what a holder prints once loopback is up.
	holderReady = "ready"
)

// maybeHold makes this process the holder of a run's network namespace
// when a Session started it as one; it never returns then.
func maybeHold() {
	if os.Getenv(holderVar) == "1" {
		hold()
	}
}

// hold is the holder's life: the private /tmp its arguments ask for and,
// as process 1 of the run's pid namespace, its /proc (pidns.go),
// loopback up, then, as process 1, the run's init in its place, which
// reaps orphans; otherwise no capability kept and wait for labrun to
// close stdin (or to die).
func hold() {
	init := os.Getpid() == 1
	if holdTmp(os.Args[1:]) && init {
		holdProc()
	}
	if err := loopbackUp(); err != nil {
		dropAmbient()
		fmt.Printf("loopback: %v\n", err)
		os.Exit(1)
	}
	if init {
		err := becomeInit() // the init drops the capabilities
		fmt.Println(strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
	dropAmbient()
	fmt.Println(holderReady)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// netns is a run's network namespace, alive as long as its holder is,
// and its mount namespace, when it has one.
type netns struct {
	pid  int
	hold *os.File // the holder's stdin: closing it ends the holder
	done <-chan unix.WaitStatus
	tmp  privateTmp  // the run's private /tmp (tmpns.go)
	pids privatePids // the run's pid namespace (pidns.go)
}

// startNetns starts the holder of a new network namespace for the
// Session, with the private /tmp and the pid namespace when the Session
// wants a private /tmp, and waits until its loopback is up (at most
// holderStart). Where the kernel refuses the pid namespace, the holder
// starts without it; where it refuses the mount namespace, without both.
func (s *Session) startNetns() (*netns, error) {
	tmp := privateTmp{wanted: s.cfg.PrivateTmp != ""}
	if !tmp.wanted {
		return s.startHolder(nil, tmp, "")
	}
	plan, err := s.tmpPlanOf()
	if err != nil {
		tmp.why = err.Error()
		return s.startHolder(nil, tmp, "")
	}
	n, err := s.startHolder(&plan, tmp, "")
	if why, ok := refusal(err); ok {
		n, err = s.startHolder(&plan, tmp, "the kernel refused a pid namespace: "+why)
	}
	if why, ok := refusal(err); ok {
		tmp.why = "the kernel refused a mount namespace: " + why
		return s.startHolder(nil, tmp, "")
	}
	return n, err
}

// refusal says why the kernel refused to make a holder, when err says it
// did: the errno alone, not fork/exec's words around it.
func refusal(err error) (string, bool) {
	var refused *holderStartError
	if !errors.As(err, &refused) {
		return "", false
	}
	why := refused.err
	var errno syscall.Errno
	if errors.As(why, &errno) {
		why = errno
	}
	return why.Error(), true
}

// holderTmpClone is what a holder of a private /tmp is cloned with on
// top of its network namespace: a mount namespace (a test makes it one
// the kernel refuses, to see the refusal reported).
var holderTmpClone uintptr = syscall.CLONE_NEWNS

// holderStartError says the kernel refused to make a holder.
type holderStartError struct{ err error }

func (e *holderStartError) Error() string {
	return "start the run's network namespace: " + e.err.Error()
}

func (e *holderStartError) Unwrap() error { return e.err }

// startHolder starts a holder, which makes plan's private /tmp when plan
// is not nil (in a mount namespace of its own) and, unless pidRefused
// says why not, a pid namespace with its /proc; and waits for it.
func (s *Session) startHolder(plan *tmpPlan, tmp privateTmp, pidRefused string) (*netns, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find labrun's own binary: %w", err)
	}
	rs, ws, err := Pipes(2)
	if err != nil {
		return nil, err
	}
	defer CloseAll(rs[1], ws[1])
	cmd := exec.Command(self)
	cmd.Env = s.Env(append(os.Environ(), holderVar+"=1"))
	cmd.Stdin, cmd.Stdout = rs[0], ws[1]
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Cloneflags: syscall.CLONE_NEWNET}
	unprivileged(cmd.SysProcAttr)
	if plan != nil {
		cmd.Args = append(cmd.Args, plan.args()...)
		cmd.SysProcAttr.Cloneflags |= holderTmpClone
		if pidRefused == "" {
			cmd.SysProcAttr.Cloneflags |= holderPidClone
		}
		if os.Geteuid() != 0 { // in the user namespace, mounting needs CAP_SYS_ADMIN
			cmd.SysProcAttr.AmbientCaps = append(cmd.SysProcAttr.AmbientCaps, unix.CAP_SYS_ADMIN)
		}
	}
	if err := cmd.Start(); err != nil {
		CloseAll(rs[0], ws[0])
		return nil, &holderStartError{err}
	}
	rs[0].Close()
	n := &netns{pid: cmd.Process.Pid, hold: ws[0], done: s.reaper.watch(cmd.Process.Pid), tmp: tmp}
	s.Exempt(n.pid)
	ws[1].Close()
	_ = rs[1].SetReadDeadline(time.Now().Add(holderStart))
	out := bufio.NewReader(rs[1])
	line, _ := out.ReadString('\n')
	if why, ok := strings.CutPrefix(line, holderNoTmp); ok {
		n.tmp.why = strings.TrimSpace(why)
		line, _ = out.ReadString('\n')
	} else if plan != nil {
		n.tmp.inForce = true
	}
	noProc := ""
	if why, ok := strings.CutPrefix(line, holderNoProc); ok {
		noProc = strings.TrimSpace(why)
		line, _ = out.ReadString('\n')
	}
	n.pids = pidsOf(pidRefused, n.tmp, noProc)
	if line = strings.TrimSpace(line); line != holderReady {
		n.close()
		if line == "" {
			line = "the holder did not start"
		}
		return nil, fmt.Errorf("start the run's network namespace: %s", line)
	}
	return n, nil
}

// close ends the holder (the namespace goes once no process is left in
// it) and collects it.
func (n *netns) close() {
	n.hold.Close()
	_ = unix.Kill(n.pid, unix.SIGKILL)
	<-n.done
}
