package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// launcher starts every process of a run — foreground and background
// steps, the Python worker — through the gate, so that each one is in the
// run's cgroup, under its limits and, with --sandbox, in the sandbox
// before its program's first instruction.
type launcher struct {
	limits   Limits
	sandbox  bool
	writable []string
	cg       *cgroup
}

// newLauncher prepares the run's cgroup and limits. Where no cgroup can
// be made, the process limit falls back to RLIMIT_NPROC, counted on top
// of the processes the user already has.
func newLauncher(id string, opts Options, dir string) *launcher {
	l := &launcher{limits: opts.Limits, sandbox: opts.Sandbox}
	if l.limits.Processes > 0 {
		l.cg = newCgroup(id, l.limits.Processes)
		if l.cg == nil {
			l.limits.NProc = userProcesses() + l.limits.Processes
		}
	}
	if opts.Sandbox {
		l.writable = []string{dir, os.TempDir(), "/tmp", "/dev/shm", "/dev/null", "/dev/zero", "/dev/full",
			"/dev/tty", "/dev/pts", "/dev/random", "/dev/urandom", "/dev/ptmx"}
	}
	return l
}

// start starts cmd (whose Path and Args name the program) through the gate.
func (l *launcher) start(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	path, argv := cmd.Path, append([]string(nil), cmd.Args...)
	w, r, err := gated(cmd)
	if err != nil {
		return err
	}
	if l.sandbox {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWNET
		if os.Geteuid() != 0 {
			cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
			cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}}
			cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}}
		}
	}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return err
	}
	if l.cg != nil {
		_ = l.cg.add(cmd.Process.Pid)
	}
	err = release(w, gateConfig{Path: path, Argv: argv, Limits: l.limits, Sandbox: l.sandbox, Writable: l.writable})
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("start %s: %w", path, err)
	}
	return nil
}

// protections says which sandbox protections are in force, one phrase
// each, and which are missing.
func (l *launcher) protections() []string {
	if !l.sandbox {
		return nil
	}
	out := []string{"network: a new network namespace per step (loopback only)"}
	if abi := landlockABI(); abi > 0 {
		out = append(out, fmt.Sprintf("writes: confined by Landlock (ABI %d) to the work dir, /tmp and /dev/shm", abi))
	} else {
		out = append(out, "writes: NOT confined: this kernel does not offer Landlock")
	}
	return out
}

// close removes the run's cgroup (after the sweep emptied it).
func (l *launcher) close() {
	if l.cg != nil {
		l.cg.remove()
	}
}

// pipes makes n pipes and returns their read and write ends; on failure
// it closes what it made.
func pipes(n int) (rs, ws []*os.File, err error) {
	for i := 0; i < n; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(append(rs, ws...)...)
			return nil, nil, err
		}
		rs, ws = append(rs, r), append(ws, w)
	}
	return rs, ws, nil
}

// closeAll closes every file.
func closeAll(fs ...*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
