package main

// How the adversarial harness measures labrun's max RSS (max-rss-mb).
//
// The kernel's ru_maxrss of a process is the most its memory ever held, and
// that includes the memory it had before its last exec. Go's os/exec starts
// a child with clone(CLONE_VM|CLONE_VFORK): until it execs, the child runs
// in its parent's memory, so exec records the parent's peak RSS as the
// child's. A labrun started by the test process therefore reports
// max(the test process's own peak, labrun's): the test process holds the
// lessons, outputs and transcripts of every case it ran or runs in
// parallel, and its peak grows over the suite (it read 67, 77 then 88 MB
// before three runs of bad_long_line, and labrun's max RSS read 67, 77 and
// 88 MB, where labrun alone peaks at 31 MB). Once it passes a case's bound,
// that case fails, whatever labrun does.
//
// So a case with max-rss-mb starts labrun through a spawner: the test
// binary run again (maybeSpawn), a fresh process whose own peak is fixed
// (about 30 MB: the test binary started, no more than labrun itself
// takes), which starts labrun, waits for it and reports labrun's rusage,
// that of labrun and of everything labrun waited for (labrun's own
// children inherit labrun's peak, as they should).

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// spawnVar, in the test binary's environment, makes it a spawner
// (maybeSpawn); the spawner removes it before it starts labrun.
const spawnVar = "LABRUN_TEST_SPAWNER"

// spawnReportFd is the spawner's fd on which it writes labrun's pid, once
// labrun is started, then labrun's ru_maxrss in kilobytes once it ended.
const spawnReportFd = 3

// maybeSpawn is the spawner, when spawnVar is set: it runs os.Args[1:]
// with its own stdin, stdout, stderr, folder and environment, reports on
// spawnReportFd, and ends as its child did (its exit status, or its
// signal).
func maybeSpawn() {
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
		signal.Reset(ws.Signal())
		_ = syscall.Kill(os.Getpid(), ws.Signal())
	}
	os.Exit(ws.ExitStatus())
}

// spawned is a labrun run started through the spawner.
type spawned struct {
	cmd    *exec.Cmd     // the spawner
	report *bufio.Reader // its report
	file   *os.File      // the report's read end
	w      *os.File      // its write end, closed once the spawner started
}

// spawnMeasured gives a command that runs cmd (not started; its Path,
// Args, Dir, Env, SysProcAttr, Stdout and Stderr are kept) through the
// spawner.
func spawnMeasured(t *testing.T, cmd *exec.Cmd) *spawned {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sp := exec.Command(self, append([]string{cmd.Path}, cmd.Args[1:]...)...)
	sp.Dir, sp.SysProcAttr = cmd.Dir, cmd.SysProcAttr
	sp.Env = append(append([]string(nil), cmd.Env...), spawnVar+"=1")
	sp.Stdin, sp.Stdout, sp.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	sp.ExtraFiles = []*os.File{w} // spawnReportFd
	return &spawned{cmd: sp, report: bufio.NewReader(r), file: r, w: w}
}

// labrun waits for the spawner, just started, to start labrun, and gives
// labrun's process.
func (s *spawned) labrun() (*os.Process, error) {
	s.w.Close()
	line, err := s.report.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("the spawner did not start labrun: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return nil, fmt.Errorf("the spawner reported %q for a pid", line)
	}
	return os.FindProcess(pid)
}

// maxRSSKB gives labrun's ru_maxrss (in kilobytes: Linux), once the
// spawner has ended.
func (s *spawned) maxRSSKB() (int64, error) {
	defer s.file.Close()
	line, err := s.report.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("the spawner reported no rusage for labrun: %w", err)
	}
	return strconv.ParseInt(strings.TrimSpace(line), 10, 64)
}

// TestSpawnerMaxRSS: what the test process held does not count in the
// max RSS the spawner reports (it does in what a child started directly
// reports: the reason for the spawner).
func TestSpawnerMaxRSS(t *testing.T) {
	const held = 128 << 20
	b := make([]byte, held)
	for i := range b {
		b[i] = 1
	}
	direct := exec.Command("/bin/true")
	if err := direct.Run(); err != nil {
		t.Fatal(err)
	}
	t.Logf("/bin/true's max RSS, started directly: %d MB", direct.ProcessState.SysUsage().(*syscall.Rusage).Maxrss>>10)

	s := spawnMeasured(t, exec.Command("/bin/true"))
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.labrun(); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	kb, err := s.maxRSSKB()
	if err != nil {
		t.Fatal(err)
	}
	b[0] = 2 // held until now
	t.Logf("/bin/true's max RSS through the spawner: %d MB", kb>>10)
	if kb<<10 >= held/2 {
		t.Errorf("through the spawner, /bin/true's max RSS is %d MB, with %d MB held by the test process", kb>>10, held>>20)
	}
}
