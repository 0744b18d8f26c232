package proc

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// ProbeError says a program could not run to a clean end under a
// Config's limits: it could not start, or it exited non-zero, or it was
// killed.
type ProbeError struct {
	// Program is the program probed.
	Program string
	// Exit is how it ended.
	Exit Exit
	// Output is the first line it (or the gate) printed.
	Output string
}

func (e *ProbeError) Error() string {
	s := e.Program + " exited " + fmt.Sprint(e.Exit.Code)
	if n := e.Exit.SignalName(); n != "" {
		s = e.Program + " was killed by " + n
	}
	if e.Output != "" {
		s += ": " + e.Output
	}
	return s
}

// Probe runs path with args through the gate in a Session of its own
// under cfg, in dir, and reports a *ProbeError unless it exits 0 within
// probeTimeout: limits that leave no room to start a program (an address
// space too small to load it, no file descriptor left for its libraries)
// are seen once, before any step.
func Probe(cfg Config, dir, path string, args ...string) error {
	s := NewSession(cfg, dir)
	defer s.Close()
	st, err := s.StartStep(StepSpec{Path: path, Args: append([]string{path}, args...), Dir: dir,
		Env: os.Environ(), Merge: true, OutputCap: probeOutput})
	if err != nil {
		return err
	}
	res, err := st.Wait(context.Background(), Policy{Deadline: time.Now().Add(probeTimeout), Grace: DefaultGrace})
	if err != nil {
		return err
	}
	if res.Interrupted == nil && res.Exit == (Exit{}) {
		return nil
	}
	var out strings.Builder
	for _, c := range res.Chunks {
		out.Write(c.Data)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	return &ProbeError{Program: path, Exit: res.Exit, Output: strings.ToValidUTF8(first, "?")}
}
