package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/labrun/labrun/internal/limits"
	"golang.org/x/sys/unix"
)

// MarkerVar is the environment variable that marks every process of a
// Session with the Session's id, so that its sweep (and a test) finds
// them all, even those that left its process groups.
const MarkerVar = "LABRUN_RUN_ID"

// Config says how a Session starts its processes.
type Config struct {
	// Limits bound every process; Processes bounds the whole Session.
	Limits limits.Limits
	// Sandbox starts every process in a new network namespace (loopback
	// only) with writes confined by Landlock to Writable.
	Sandbox bool
	// Writable lists the folders (and device files) writes stay in under
	// the sandbox.
	Writable []string
	// PrivateTmp, under the sandbox, is the folder every process of the
	// Session sees at /tmp instead of the machine's, where the kernel
	// allows it (tmpns.go); "" for the machine's /tmp.
	PrivateTmp string
	// InTmp are folders the processes reach at their own paths inside
	// the private /tmp, on top of the work dir (the run dir).
	InTmp []string
	// Umask, when set, is the file mode mask every process starts with
	// (otherwise labrun's own).
	Umask *uint32
	// Tag, when set, is the Session's id (a RunDir's tag, so that its
	// cgroup and marker are the run dir's); otherwise a new tag (NewTag).
	Tag string
}

// sandboxWritable are the places every sandboxed step may write to, on
// top of its work dir.
var sandboxWritable = []string{"/tmp", "/dev/shm", "/dev/null", "/dev/zero", "/dev/full",
	"/dev/tty", "/dev/pts", "/dev/random", "/dev/urandom", "/dev/ptmx"}

// Session owns the processes of one run: it starts each of them through
// the gate, in the run's cgroup and under the run's limits, marks them
// with its id, and at Close kills whatever is left of them. Any number of
// Sessions may live in one process; each one's limits, cgroup and sweep
// are its own.
//
// A Session's methods may be called from any goroutine.
type Session struct {
	id     string
	reaper *reaper // the process's, which collects every child
	cfg    Config
	nproc  uint64  // RLIMIT_NPROC where no cgroup bounds the run
	cg     *cgroup // nil where the machine offers none
	mu     sync.Mutex
	exempt map[int]bool // pids stuck detection does not wait for
	closed bool
	net    *netns // the sandbox's network namespace, made on first use
	// netStarting is closed when the start of net under way ends.
	netStarting chan struct{}
	onKilled    []func()    // run by KillAll after the sweep
	alarms      alarmLedger // the alarms that are not the run's (alarm.go)
	// workDir is where the steps run (writable, and kept at its path in
	// the private /tmp).
	workDir string
}

// sessions are the Sessions not yet closed, for KillAll and for the
// sweep's rule on unmarked orphans.
var sessions sync.Map // id -> *Session

// NewSession prepares a run's cgroup and limits. Where no cgroup can be
// made, the process limit falls back to RLIMIT_NPROC, counted on top of
// the processes the user already has. workDir is where sandboxed steps
// may write.
// It panics in a process that does not reap (see Reap).
func NewSession(cfg Config, workDir string) *Session {
	s := &Session{
		reaper: mustReap(),
		id:     cfg.Tag,
		cfg:    cfg,
		exempt: map[int]bool{},
	}
	s.workDir = workDir
	if s.id == "" {
		s.id = NewTag()
	}
	if cfg.Limits.Processes > 0 {
		s.cg = newCgroup(s.id, cfg.Limits.Processes)
		if s.cg == nil {
			s.nproc = userProcesses() + cfg.Limits.Processes
		}
	}
	if cfg.Sandbox {
		s.cfg.Writable = append(append([]string{workDir, os.TempDir()}, sandboxWritable...), cfg.Writable...)
	}
	sessions.Store(s.id, s)
	return s
}

// ID is the Session's marker value.
func (s *Session) ID() string { return s.id }

// Limits are the limits the Session applies.
func (s *Session) Limits() limits.Limits { return s.cfg.Limits }

// Env returns base with the Session's marker set (any marker base had is
// replaced): the environment of every process the Session starts.
func (s *Session) Env(base []string) []string {
	env := make([]string, 0, len(base)+1)
	for _, kv := range base {
		if !strings.HasPrefix(kv, MarkerVar+"=") {
			env = append(env, kv)
		}
	}
	return append(env, MarkerVar+"="+s.id)
}

// Exempt tells stuck detection not to wait for pid (a helper process,
// such as the Python worker, that waits for labrun itself).
func (s *Session) Exempt(pid int) {
	s.mu.Lock()
	s.exempt[pid] = true
	s.mu.Unlock()
}

func (s *Session) isExempt(pid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exempt[pid]
}

// Process is a process a Session started; the reaper collects it, and
// Done hands over its status.
type Process struct {
	// Pid is its process id, and the id of its process group.
	Pid int
	// SeenPid is its process id as the run's processes see it: Pid, or
	// its pid in the run's pid namespace (pidns.go). Show a lesson this
	// one; signal and read /proc with Pid.
	SeenPid int
	done    <-chan unix.WaitStatus
}

// Done receives the process's wait status once, when it has ended.
func (p *Process) Done() <-chan unix.WaitStatus { return p.done }

// Kill sends SIGKILL to the process's group.
func (p *Process) Kill() { _ = unix.Kill(-p.Pid, unix.SIGKILL) }

// Start starts cmd (whose Path and Args name the program) through the
// gate, with the Session's marker in its environment. cmd.SysProcAttr must
// give it a process group of its own (Setpgid or Setsid). The caller keeps
// ownership of the files it set on cmd: it closes its ends of them once
// Start has returned.
func (s *Session) Start(cmd *exec.Cmd) (*Process, error) {
	return s.start(cmd, false)
}

// start is Start; ignorePipe starts the program with SIGPIPE ignored.
func (s *Session) start(cmd *exec.Cmd, ignorePipe bool) (*Process, error) {
	if cmd.Err != nil {
		return nil, cmd.Err
	}
	if cmd.SysProcAttr == nil || !(cmd.SysProcAttr.Setpgid || cmd.SysProcAttr.Setsid) {
		return nil, errors.New("proc: a process must have a process group of its own")
	}
	path, argv := cmd.Path, append([]string(nil), cmd.Args...)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = s.Env(cmd.Env)
	var joins sandboxJoins
	if s.cfg.Sandbox {
		var err error
		if joins, err = s.sandboxNet(cmd); err != nil {
			return nil, err
		}
	}
	plan, err := newGatePlan(path, argv, s.cfg.Limits, s.nproc, s.cfg.Sandbox, s.cfg.Writable,
		s.cfg.Umask, ignorePipe)
	if err != nil {
		return nil, err
	}
	plan.JoinTmp = joins.tmp
	w, r, err := gated(cmd)
	if err != nil {
		return nil, err
	}
	var pj *pidJoin
	if joins.pid {
		if pj, err = intoPidns(cmd, &plan); err != nil {
			CloseAll(w, r)
			return nil, err
		}
	}
	return s.startGate(cmd, w, r, plan, pj)
}

// startGate starts cmd's gate and sends it plan on w (r is the gate's
// end); with pj, the process the gate reports is the step's.
func (s *Session) startGate(cmd *exec.Cmd, w, r *os.File, plan gatePlan, pj *pidJoin) (*Process, error) {
	base := s.alarms.beforeStart()
	err := cmd.Start()
	r.Close()
	if pj != nil {
		pj.started()
	}
	if err != nil {
		w.Close()
		if pj != nil {
			pj.report.Close()
		}
		return nil, err
	}
	pid := cmd.Process.Pid
	p := &Process{Pid: pid, SeenPid: pid, done: s.reaper.watch(pid)}
	if s.cg != nil {
		_ = s.cg.add(p.Pid)
	}
	err = release(w, plan)
	if pj != nil {
		if pid, seen, ok := pj.stepPid(p.done); ok {
			p = &Process{Pid: pid, SeenPid: seen, done: s.reaper.watch(pid)}
		}
	}
	s.alarms.started(p.Pid, base)
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		p.Kill()
		return nil, fmt.Errorf("start %s: %w", plan.Path, err)
	}
	return p, nil
}

// Protections says which sandbox protections are in force, one phrase
// each, and which are missing. With a private /tmp asked for, it starts
// the run's namespaces (made at the first step otherwise) to tell.
func (s *Session) Protections() []string {
	if !s.cfg.Sandbox {
		return nil
	}
	out := []string{"network: one network namespace for the whole run, loopback only: its steps talk to each other, not to the outside"}
	if !sharedNetns {
		out[0] = "network: a network namespace per step, loopback only: a server and a client in different steps cannot talk (an unprivileged labrun built without cgo cannot share one)"
	}
	if s.cfg.PrivateTmp != "" {
		out = append(out, s.tmpState().phrase(), s.pidState().phrase())
	}
	if s.cfg.Limits.Processes > 0 && s.cg == nil {
		out = append(out, "processes: NOT counted per run: no pids cgroup (labrun needs root or a delegated cgroup), so --procs holds through RLIMIT_NPROC, which counts all of the user's processes")
	}
	if abi := landlockABI(); abi > 0 {
		out = append(out, "writes: confined by Landlock (ABI "+strconv.Itoa(abi)+") to the work dir, /tmp and /dev/shm")
	} else {
		out = append(out, "writes: NOT confined: this kernel does not offer Landlock")
	}
	return out
}

// OnKilled registers f to run when KillAll has swept the Session (to
// remove its scratch dirs).
func (s *Session) OnKilled(f func()) {
	s.mu.Lock()
	s.onKilled = append(s.onKilled, f)
	s.mu.Unlock()
}

// Close kills every process left of the Session and removes its cgroup.
// Nothing the Session started outlives Close.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	n := s.net
	s.mu.Unlock()
	s.Sweep()
	if n != nil {
		n.close()
	}
	sessions.Delete(s.id)
	if s.cg != nil {
		s.cg.remove()
	}
	s.alarms.close()
}

// KillAll kills every process of every Session not yet closed, and every
// other descendant of labrun, at once, and runs the Sessions' OnKilled
// functions: labrun calls it when it must quit
// without waiting (a second Ctrl-C).
func KillAll() {
	sessions.Range(func(_, v any) bool {
		s := v.(*Session)
		s.Sweep()
		if s.cg != nil {
			s.cg.remove()
		}
		s.mu.Lock()
		fs := s.onKilled
		s.mu.Unlock()
		for _, f := range fs {
			f()
		}
		s.alarms.close()
		return true
	})
	// Orphans no Session could claim (their environment cleared, no
	// cgroup) are labrun's all the same: none may outlive it.
	killUntilGone(func() []int { return descendants(os.Getpid()) })
}

// Pipes makes n pipes and returns their read and write ends; on failure
// it closes what it made.
func Pipes(n int) (rs, ws []*os.File, err error) {
	for i := 0; i < n; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			CloseAll(append(rs, ws...)...)
			return nil, nil, err
		}
		rs, ws = append(rs, r), append(ws, w)
	}
	return rs, ws, nil
}

// CloseAll closes every one of cs (files, a step's read ends).
func CloseAll[C io.Closer](cs ...C) {
	for _, c := range cs {
		c.Close()
	}
}
