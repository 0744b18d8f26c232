package proc

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRun: Run gives a helper program's output, apart or merged, feeds
// its stdin, reports a non-zero exit as an *ExitError and a program that
// outlives its context as the context's error, all through the reaper
// (this test binary reaps, see TestMain).
func TestRun(t *testing.T) {
	if reaping() == nil {
		t.Fatal("the test binary does not reap")
	}
	var out, errs bytes.Buffer
	cmd := exec.Command("sh", "-c", "cat; echo err >&2; exit 3")
	cmd.Stdin = strings.NewReader("in\n")
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := Run(context.Background(), cmd)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || ee.Error() != "exit status 3" {
		t.Errorf("Run: %v, want exit status 3", err)
	}
	if out.String() != "in\n" || errs.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q; want \"in\\n\" and \"err\\n\"", out.String(), errs.String())
	}

	var both bytes.Buffer
	cmd = exec.Command("sh", "-c", "echo a; echo b >&2; echo c")
	cmd.Stdout, cmd.Stderr = &both, &both
	if err := Run(context.Background(), cmd); err != nil || both.String() != "a\nb\nc\n" {
		t.Errorf("merged: %v, %q; want nil and \"a\\nb\\nc\\n\"", err, both.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = Run(ctx, exec.Command("sleep", "30"))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("past its context: %v after %v, want the deadline's error at once", err, time.Since(start))
	}

	cmd = exec.Command("/nonexistent/program")
	if err := Run(context.Background(), cmd); err == nil {
		t.Error("a missing program ran")
	}
}
