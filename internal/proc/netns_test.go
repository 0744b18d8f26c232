package proc

import (
	"context"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestNetnsSharedOnce: steps a sandboxed Session starts at the same time
// all join the one network namespace its first step made (the others
// wait for that start rather than make their own), which is not labrun's.
func TestNetnsSharedOnce(t *testing.T) {
	if !sharedNetns {
		t.Skip("an unprivileged build without cgo gives each step a namespace of its own")
	}
	mine, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Skip(err)
	}
	s := NewSession(Config{Sandbox: true}, t.TempDir())
	defer s.Close()
	const steps = 4
	got := make([]string, steps)
	errs := make([]error, steps)
	var wg sync.WaitGroup
	for i := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.StartStep(StepSpec{Path: "/bin/sh", Args: []string{"sh", "-c", "readlink /proc/self/ns/net"}, OutputCap: 1 << 10})
			if err != nil {
				errs[i] = err
				return
			}
			if _, err := st.Wait(context.Background(), Policy{Deadline: time.Now().Add(time.Minute), Grace: DefaultGrace}); err != nil {
				errs[i] = err
			}
			got[i] = strings.TrimSpace(st.Output().Text())
		}()
	}
	wg.Wait()
	for i := range steps {
		if errs[i] != nil {
			if strings.Contains(errs[i].Error(), "start the run's network namespace") {
				t.Skipf("no network namespace on this machine: %v", errs[i])
			}
			t.Fatalf("step %d: %v", i, errs[i])
		}
		if got[i] != got[0] || got[i] == mine || !strings.HasPrefix(got[i], "net:[") {
			t.Errorf("step %d in %q; step 0 in %q, labrun in %q: want all in one namespace not labrun's", i, got[i], got[0], mine)
		}
	}
	s.mu.Lock()
	holder := s.net
	s.mu.Unlock()
	s.Close()
	if holder == nil {
		t.Fatal("no holder recorded")
	}
	if err := syscall.Kill(holder.pid, 0); err != syscall.ESRCH {
		t.Errorf("the holder (pid %d) outlived Close: kill 0: %v", holder.pid, err)
	}
}
