package proc

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
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
	if alarmMayEnd([]int{p.Pid}) {
		t.Errorf("alarmMayEnd: a process that ignores SIGALRM cannot be ended by an alarm")
	}
}
