package proc

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/loadbound"
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

	// Past its context unstopped, the sleep runs for 30 s.
	const after = 200 * time.Millisecond
	bound := loadbound.New(t, "a program past its context", after, 30*time.Second, func() time.Duration {
		start := time.Now()
		if err := Run(context.Background(), exec.Command("true")); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	})
	ctx, cancel := context.WithTimeout(context.Background(), after)
	defer cancel()
	start := time.Now()
	err = Run(ctx, exec.Command("sleep", "30"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past its context: %v, want the deadline's error", err)
	}
	bound.Check(t, time.Since(start), "the program was not stopped at its context's deadline")

	cmd = exec.Command("/nonexistent/program")
	if err := Run(context.Background(), cmd); err == nil {
		t.Error("a missing program ran")
	}
}
