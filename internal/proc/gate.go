package proc

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Every process a Session starts begins as a gate: labrun's own binary
// (the running executable) re-executed with gateVar set. Before the
// step's program runs, the gate waits for labrun to have put it in the
// run's cgroup, reads its plan (gateplan.go) on a pipe, and under
// --sandbox joins the run's network namespace (netns.go) and its private
// /tmp (tmpns.go) and confines writes with Landlock; it sets the umask, resets the signal dispositions
// and mask, sets the resource limits and executes the program in its
// place. So the limits hold from the program's first instruction on.
//
// Built with cgo (the default), the gate is C code in a constructor
// (gate.c, with the values it shares with Go in gate.h) that runs before
// the Go runtime starts: a step starts in well under a millisecond,
// instead of the Go runtime's start-up and the initialization of every
// package labrun links (about 12 ms, mostly the highlighter's tables).
// Built without cgo, MaybeGate does the same in Go; the two read the same
// plan.
const gateVar = "LABRUN_GATE_FD"

// MaybeGate makes this process a gate when a Session started it as one:
// it applies the settings the Session sends and executes the step's
// program in its place, never returning. In any other process it returns
// at once. Every program that starts processes through a Session (labrun's
// main, and the TestMain of every package whose tests do) must call it
// first thing, before it does anything else.
func MaybeGate() {
	maybeHold()
	fdText, ok := os.LookupEnv(gateVar)
	if !ok {
		return
	}
	runtime.LockOSThread() // Landlock, no_new_privs and setns hold for this thread, which execs
	err := gate(fdText)
	fmt.Fprintf(os.Stderr, "%s%v\n", gateFailPrefix, err)
	os.Exit(gateFailed)
}

// How a gate that cannot start its program ends: a message on stderr
// that starts with gateFailPrefix, and exit status gateFailed (a shell's
// "command not found").
const (
	gateFailed     = 127
	gateFailPrefix = "labrun: step could not start: "
)

// gate applies the plan labrun sends and executes the program; it
// returns only on failure. Built with cgo, the C gate (gate.c) does
// this before the Go runtime starts, and this one never runs.
func gate(fdText string) error {
	fd, err := strconv.Atoi(fdText)
	if err != nil {
		return fmt.Errorf("bad %s", gateVar)
	}
	f := os.NewFile(uintptr(fd), "gate")
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	f.Close()
	p, err := decodeGatePlan(data)
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	if p.JoinNet {
		if err := enterNet(); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if p.JoinTmp {
		// Never asked of this gate (sharedTmpns): setns into a mount
		// namespace is refused to a Go program.
		return fmt.Errorf("sandbox: a gate without cgo cannot join the run's mount namespace")
	}
	if p.JoinPid {
		return fmt.Errorf("sandbox: %w", errNoPidJoin) // never asked either: no private /tmp
	}
	if p.Handled != 0 {
		if err := restrictWrites(p.Handled, p.Rules); err != nil {
			return fmt.Errorf("sandbox: landlock: %w", err)
		}
	}
	if p.Umask >= 0 {
		unix.Umask(int(p.Umask))
	}
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, gateVar+"=") && !strings.HasPrefix(kv, netnsVar+"=") {
			env = append(env, kv)
		}
	}
	return execLimited(p.Path, p.Argv, env, p.Limits, fd, p.IgnorePipe)
}

// execLimited sets the resource limits and executes the program, with
// nothing allocated in between: under a low address-space limit the Go
// runtime could not grow its heap any more. Right before the exec it
// empties the signal mask and marks close-on-exec every descriptor from
// firstExtra on (the gate's own pipe is the highest one labrun passed;
// any above it are the Go runtime's), so the program starts as a
// shell's child does: with only the descriptors it was given and no
// signal blocked.
func execLimited(path string, argv, env []string, limits []rlimit, firstExtra int, ignorePipe bool) error {
	pathp, err := syscall.BytePtrFromString(path)
	if err != nil {
		return err
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	for i := range limits {
		_, _, errno := unix.RawSyscall6(unix.SYS_PRLIMIT64, 0, uintptr(limits[i].res),
			uintptr(unsafe.Pointer(&limits[i].lim)), 0, 0, 0)
		if errno != 0 {
			return fmt.Errorf("set resource limit %d: %w", limits[i].res, errno)
		}
	}
	// Signal dispositions: the signals Go handles go back to their default
	// action at exec, but one labrun's own parent left ignored would stay
	// ignored in every step (execve(2)): SIGINT under "nohup" or a "&" of
	// a script, and labrun's Ctrl-C would reach no step. Every ignored
	// signal goes back to its default, but SIGPIPE, which the step has as
	// IPython gave it (ignored for ! steps, see StepSpec.IgnorePipe).
	for sig := 1; sig <= kernelNSig; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var old kernelSigaction
		if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0,
			uintptr(unsafe.Pointer(&old)), kernelSigsetBytes, 0, 0); errno != 0 {
			continue
		}
		want := old.handler
		switch {
		case sig == int(unix.SIGPIPE) && ignorePipe:
			want = sigIgn
		case sig == int(unix.SIGPIPE), old.handler == sigIgn:
			want = sigDfl
		}
		if want != old.handler {
			act := kernelSigaction{handler: want}
			if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
				uintptr(unsafe.Pointer(&act)), 0, kernelSigsetBytes, 0, 0); errno != 0 {
				return fmt.Errorf("reset signal %d: %w", sig, errno)
			}
		}
	}
	var empty [kernelSigsetBytes / 4]uint32 // a kernel sigset_t of kernelNSig signals
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK,
		uintptr(unsafe.Pointer(&empty[0])), 0, kernelSigsetBytes, 0, 0); errno != 0 {
		return fmt.Errorf("empty the signal mask: %w", errno)
	}
	// Marked close-on-exec, not closed: the exec closes them at once,
	// while closing one here (the runtime's epoll descriptor) could make
	// a runtime thread still in epoll_wait die with "netpoll failed"
	// before the exec, that message becoming the step's output.
	if _, _, errno := unix.RawSyscall(unix.SYS_CLOSE_RANGE, uintptr(firstExtra), uintptr(^uint32(0)), unix.CLOSE_RANGE_CLOEXEC); errno != 0 {
		for fd := firstExtra; fd < firstExtra+closeWithoutCloseRange; fd++ {
			unix.RawSyscall(unix.SYS_FCNTL, uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
		}
	}
	_, _, errno := unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(pathp)),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	return fmt.Errorf("exec %s: %w", path, errno)
}

// gated turns cmd into a gate for its own program. It returns the pipe
// on which labrun sends the settings once the gate may go on, and the
// gate's end of it, to close once the gate has started.
func gated(cmd *exec.Cmd) (w, r *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		r.Close()
		w.Close()
		return nil, nil, fmt.Errorf("find labrun's own binary: %w", err)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	fd := firstExtraFD + len(cmd.ExtraFiles) - 1
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, gateVar+"="+strconv.Itoa(fd))
	cmd.Path = self
	return w, r, nil
}

// release sends the gate its plan and closes the pipe.
func release(w *os.File, p gatePlan) error {
	defer w.Close()
	_, err := w.Write(p.encode())
	return err
}

// firstExtraFD is the descriptor of the first of os/exec's ExtraFiles in
// the process it starts (after stdin, stdout and stderr).
const firstExtraFD = 3

// closeWithoutCloseRange is how many descriptors above the gate's pipe
// the gate marks close-on-exec one by one where the kernel has no
// close_range with CLOSE_RANGE_CLOEXEC (before 5.11): the Go runtime
// opens a handful at most.
const closeWithoutCloseRange = 64

// kernelSigaction is the kernel's struct sigaction on amd64 and arm64
// (both have sa_restorer).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// The signals the kernel knows, and the size of its sigset_t, which
// rt_sigaction and rt_sigprocmask are given.
const (
	kernelNSig        = 64
	kernelSigsetBytes = kernelNSig / 8
)

// The kernel's SIG_DFL and SIG_IGN handlers.
const (
	sigDfl uintptr = 0
	sigIgn uintptr = 1
)
