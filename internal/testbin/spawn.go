package testbin

// How the tests and benchmarks measure labrun's max RSS.
//
// The kernel's ru_maxrss of a process is the most its memory ever held, and
// that includes the memory it had before its last exec. Go's os/exec starts
// a child with clone(CLONE_VM|CLONE_VFORK): until it execs, the child runs
// in its parent's memory, so exec records the parent's peak RSS as the
// child's. A labrun started by a test or benchmark process therefore
// reports max(that process's own peak, labrun's): the adversarial tests'
// process holds the lessons, outputs and transcripts of every case it ran
// or runs in parallel, and its peak grows over the suite (it read 67, 77
// then 88 MB before three runs of bad_long_line, and labrun's max RSS read
// 67, 77 and 88 MB, where labrun alone peaks at 31 MB); once it passes a
// case's bound, that case fails, whatever labrun does. A benchmark's
// peak-RSS figure, likewise, would be the benchmark process's.
//
// So a run whose max RSS is measured starts labrun through a spawner: the
// test binary run again (MaybeSpawn, first thing in TestMain), a fresh
// process whose own peak is fixed (the test binary started, no more), which
// starts labrun, waits for it and reports labrun's rusage, that of labrun
// and of everything labrun waited for (labrun's own children inherit
// labrun's peak, as they should). The spawner's own peak still counts, as
// a floor: the figure is max(the spawner's start, labrun's).

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// spawnVar, in the test binary's environment, makes it a spawner
// (MaybeSpawn); the spawner removes it before it starts labrun.
const spawnVar = "LABRUN_TEST_SPAWNER"

// spawnReportFd is the spawner's fd on which it writes labrun's pid, once
// labrun is started, then labrun's ru_maxrss in kilobytes once it ended.
const spawnReportFd = 3

// MaybeSpawn makes the test binary the spawner when Spawn started it: it
// runs os.Args[1:] with its own stdin, stdout, stderr, folder and
// environment, reports on spawnReportFd, and exits as its child did (its
// exit status, or its signal). Otherwise it does nothing. Call it first
// in the TestMain of every package whose tests call Spawn.
func MaybeSpawn() {
	if _, ok := os.LookupEnv(spawnVar); !ok {
		return
	}
	os.Unsetenv(spawnVar)
	syscall.CloseOnExec(spawnReportFd)
	report := os.NewFile(spawnReportFd, "spawn-report")
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "spawner: %v\n", err)
		os.Exit(127)
	}
	fmt.Fprintf(report, "%d\n", cmd.Process.Pid)
	_ = cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Fprintf(report, "%d\n", ru.Maxrss)
	}
	report.Close()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		// The signal goes to this thread, so that it ends the process
		// before Tgkill returns (one sent to the process may reach
		// another thread after this one exited with a status).
		signal.Reset(ws.Signal())
		runtime.LockOSThread()
		_ = syscall.Tgkill(os.Getpid(), syscall.Gettid(), ws.Signal())
		os.Exit(128 + int(ws.Signal())) // one the runtime ignores (SIGPIPE)
	}
	os.Exit(ws.ExitStatus())
}

// Spawned is a run started through the spawner.
type Spawned struct {
	report *bufio.Reader // the spawner's report
	file   *os.File      // the report's read end
	w      *os.File      // its write end, closed once the spawner started
}

// Spawn makes cmd, not started yet, run its command through the spawner:
// cmd then runs the test binary, which runs cmd's Path and Args with
// cmd's folder, environment, stdin, stdout and stderr; everything else
// of cmd (its context, Cancel, SysProcAttr) applies to the spawner. Start
// cmd, then call Labrun for the process of the command itself; once cmd
// has ended, MaxRSSKB gives its max RSS.
func Spawn(cmd *exec.Cmd) (*Spawned, error) {
	if cmd.Process != nil || len(cmd.ExtraFiles) > 0 {
		return nil, errors.New("testbin.Spawn: a command already started, or with ExtraFiles")
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("testbin.Spawn: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("testbin.Spawn: %w", err)
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], spawnVar+"=1")
	cmd.Args = append([]string{self, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = self
	cmd.ExtraFiles = []*os.File{w} // spawnReportFd
	return &Spawned{report: bufio.NewReader(r), file: r, w: w}, nil
}

// Labrun waits for the spawner, once its Start returned, to start the
// command, and gives the command's process (labrun's: signals and kills
// for labrun go to it).
func (s *Spawned) Labrun() (*os.Process, error) {
	s.w.Close()
	line, err := s.report.ReadString('\n')
	if err != nil {
		s.file.Close()
		return nil, fmt.Errorf("the spawner did not start labrun: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		s.file.Close()
		return nil, fmt.Errorf("the spawner reported %q for a pid", line)
	}
	return os.FindProcess(pid)
}

// MaxRSSKB gives the command's ru_maxrss (in kilobytes: Linux), once the
// spawner has ended.
func (s *Spawned) MaxRSSKB() (int64, error) {
	defer s.file.Close()
	line, err := s.report.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("the spawner reported no rusage for labrun: %w", err)
	}
	return strconv.ParseInt(strings.TrimSpace(line), 10, 64)
}
