package testbin

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) {
	MaybeSpawn()
	os.Exit(m.Run())
}

// spawnRun runs cmd through the spawner and gives its max RSS in kB and
// how cmd ended.
func spawnRun(t *testing.T, cmd *exec.Cmd) (kb int64, runErr error) {
	t.Helper()
	s, err := Spawn(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Labrun(); err != nil {
		t.Fatal(err)
	}
	runErr = cmd.Wait()
	kb, err = s.MaxRSSKB()
	if err != nil {
		t.Fatal(err)
	}
	return kb, runErr
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

	kb, err := spawnRun(t, exec.Command("/bin/true"))
	if err != nil {
		t.Fatal(err)
	}
	b[0] = 2 // held until now
	t.Logf("/bin/true's max RSS through the spawner: %d MB", kb>>10)
	if kb<<10 >= held/2 {
		t.Errorf("through the spawner, /bin/true's max RSS is %d MB, with %d MB held by the test process", kb>>10, held>>20)
	}
}

// TestSpawnerExit: the spawner ends as the command did, so that a caller
// sees the command's exit status and signal.
func TestSpawnerExit(t *testing.T) {
	_, err := spawnRun(t, exec.Command("/bin/sh", "-c", "exit 3"))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("sh -c 'exit 3' through the spawner: %v, want exit status 3", err)
	}
	_, err = spawnRun(t, exec.Command("/bin/sh", "-c", "kill -TERM $$"))
	if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("sh -c 'kill -TERM $$' through the spawner: %v, want killed by SIGTERM", err)
	}
}
