package proc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStepWaitOnce: a step's Wait gives its output and exit status; a
// second Wait returns ErrWaited at once instead of waiting for a status
// that comes once.
func TestStepWaitOnce(t *testing.T) {
	s := NewSession(Config{}, t.TempDir())
	defer s.Close()
	st, err := s.StartStep(StepSpec{Path: "/bin/sh", Args: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, OutputCap: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	pol := Policy{Deadline: time.Now().Add(time.Minute), Grace: DefaultGrace}
	res, err := st.Wait(context.Background(), pol)
	if err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	if res.Exit != (Exit{Code: 3}) || st.Output().Text() != "out\nerr\n" && st.Output().Text() != "err\nout\n" {
		t.Errorf("first Wait: exit %+v, output %q; want exit 3 and both lines", res.Exit, st.Output().Text())
	}
	second := make(chan error, 1)
	go func() {
		_, err := st.Wait(context.Background(), pol)
		second <- err
	}()
	select {
	case err := <-second:
		if !errors.Is(err, ErrWaited) {
			t.Errorf("second Wait: %v, want ErrWaited", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second Wait blocked")
	}
}
