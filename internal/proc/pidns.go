package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Under the sandbox, where the run has a private /tmp (tmpns.go), its
// steps also share a pid namespace of the run's own: ps, pgrep, ls /proc
// and kill inside see the run's processes only, numbered from 1 the same
// way each run, and another run side by side sees none of them, nor they
// its. The holder (holder.go) is cloned into the new pid namespace, whose
// process 1 it is, and mounts a fresh procfs on /proc in its mount
// namespace; once its namespaces are made it executes the run's init
// (pidinit.c: labrun's binary again, single-threaded C code that runs
// before the Go runtime), which reaps every orphan of the namespace:
// orphans there go to the namespace's process 1, not to labrun. When
// the holder ends the kernel kills every process left in the namespace.
//
// A step joins it without a process of its own in between: setns into a
// pid namespace moves only the caller's future children, so the gate
// (gate.c), once in the run's user, network and pid namespaces, clones
// the step's process with CLONE_PARENT, which makes it labrun's child as
// every other step, tells labrun its pid and ends. labrun cannot join by
// itself unprivileged: setns wants CAP_SYS_ADMIN in the caller's own user
// namespace too, which a thread of labrun, outside the holder's, does
// not have (EPERM); a gate, single-threaded, joins that user namespace
// first. What labrun reads of /proc (stuck detection, the sweep,
// CleanStale) is its own /proc, where every pid is the machine's.
//
// Where the kernel refuses the pid namespace or the procfs (EPERM where
// parts of /proc are masked, as in containers), no gate joins it, and
// Protections says so. A pid namespace without a /proc of its own would
// show the machine's, so without a private /tmp (whose mount namespace
// holds the new /proc) there is none either.

// pidInitVar marks labrun's binary executed by the holder as the run's
// init (pidinit.c).
const pidInitVar = "LABRUN_PIDNS_INIT"

// pidInitName is the init's argv[0] and command name: what ps shows as
// process 1 of the run's pid namespace.
const pidInitName = "labrun-init"

// holderNoProc begins the line a holder prints before holderReady when
// it could not mount the pid namespace's /proc; the reason follows.
const holderNoProc = "no private /proc: "

// holderPidClone is what a holder of a private /tmp is cloned with on top
// of its mount namespace: a pid namespace (a test makes it one the kernel
// refuses, to see the refusal reported).
var holderPidClone uintptr = syscall.CLONE_NEWPID

// holdProc is the holder's part, as process 1 of the run's pid namespace
// with its private /tmp made: a procfs of the namespace on /proc. It says
// so when it cannot.
func holdProc() {
	err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	if err != nil {
		fmt.Printf("%smount a procfs on /proc: %v\n", holderNoProc, err)
	}
}

// becomeInit executes the run's init in the holder's place, as process 1
// of the namespace, with no environment but the run's marker: it prints
// holderReady and reaps orphans until labrun closes its stdin. It returns
// only on failure.
func becomeInit() error {
	env := []string{pidInitVar + "=1", MarkerVar + "=" + os.Getenv(MarkerVar)}
	err := syscall.Exec("/proc/self/exe", []string{pidInitName}, env)
	return fmt.Errorf("start the run's init: %w", err)
}

// privatePids is how far a Session's pid namespace got.
type privatePids struct {
	inForce bool   // the holder made it and its /proc: the gates join it
	why     string // why it is not in force
}

// phrase is Protections' phrase for a Session's pid namespace.
func (p privatePids) phrase() string {
	if p.inForce {
		return "pids: a pid namespace for the run: its steps see and signal only the run's own processes (ps, /proc), not those of other runs or of the machine"
	}
	return "pids: NOT private: " + p.why + ": the steps see every process of the machine"
}

// pidsOf is what a holder's start says of the pid namespace: refused why
// the kernel refused to clone the holder into one ("" when it did not),
// tmp how its private /tmp went, noProc why it could not mount /proc
// ("" when it could).
func pidsOf(refused string, tmp privateTmp, noProc string) privatePids {
	switch {
	case refused != "":
		return privatePids{why: refused}
	case !tmp.inForce:
		return privatePids{why: "without a private /tmp the run has no mount namespace for a /proc of its own"}
	case noProc != "":
		return privatePids{why: "the kernel refused the run's /proc: " + noProc}
	}
	return privatePids{inForce: true}
}

// pidState is how far the Session's pid namespace got, starting the
// run's namespaces if need be.
func (s *Session) pidState() privatePids {
	if !sharedNetns {
		return privatePids{why: "an unprivileged labrun built without cgo cannot share namespaces between steps"}
	}
	n, err := s.runNetns()
	if err != nil {
		return privatePids{why: err.Error()}
	}
	return n.pids
}

// pidJoin is a step being started into the run's pid namespace: the gate
// reports on report the pid of the step's process, which it clones.
type pidJoin struct {
	report, reportW *os.File
}

// intoPidns makes cmd's gate start the step in the run's pid namespace
// (plan.JoinPid): the process group or session cmd asks for is the
// step's process's, made by itself, and the gate only gets a group of its
// own; the gate's report pipe is the descriptor above the plan's, so that
// it closes at the step's exec (gated must have run).
func intoPidns(cmd *exec.Cmd, plan *gatePlan) (*pidJoin, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	a := *cmd.SysProcAttr
	plan.JoinPid, plan.NewSession, plan.Ctty = true, a.Setsid, -1
	if a.Setsid && a.Setctty {
		plan.Ctty = int64(a.Ctty)
	}
	a.Setsid, a.Setctty, a.Ctty, a.Setpgid, a.Pgid = false, false, 0, true, 0
	cmd.SysProcAttr = &a
	cmd.ExtraFiles = append(cmd.ExtraFiles, w)
	plan.Report = int64(firstExtraFD + len(cmd.ExtraFiles) - 1)
	return &pidJoin{report: r, reportW: w}, nil
}

// started closes labrun's copy of the report's write end, once the gate
// has started (or failed to).
func (j *pidJoin) started() { j.reportW.Close() }

// stepPid reads what the gate reports, once it has read its plan: the
// step's pid as labrun sees it and as the run's processes see it; and
// waits for the gate's end (gateDone). ok is false when the gate reported
// none: it failed before it cloned the step, and it is the step itself.
func (j *pidJoin) stepPid(gateDone <-chan unix.WaitStatus) (pid, seen int, ok bool) {
	defer j.report.Close()
	b, _ := io.ReadAll(j.report)
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(f[0])
	seen, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || pid <= 0 || seen <= 0 {
		return 0, 0, false
	}
	<-gateDone // it ends right after the report
	return pid, seen, true
}

// errNoPidJoin says a gate without cgo was asked to start a step in a pid
// namespace (never asked: sharedPidns).
var errNoPidJoin = errors.New("a gate without cgo cannot start a step in the run's pid namespace")
