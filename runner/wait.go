package runner

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// The directives of a lesson's flow (lessons.Directive): a wait for
// readiness instead of a sleep (a background step's output, a listening
// port, a file), and a stop of a background step. They run where they
// stand, before the next cell; one that fails fails that cell, which
// does not run.

// Timings of waits and stops.
const (
	// waitPoll is how often a wait looks again.
	waitPoll = 10 * time.Millisecond
	// stopGrace is how long a stopped step may take to end after its
	// signal before its group is killed.
	stopGrace = 2 * time.Second
)

// directives runs ds before (or, for the lesson's last ones, after) the
// cell of cr; false says one failed and the cell is not to run.
func (r *run) directives(ds []*lessons.Directive, cr *transcript.CellResult) bool {
	for _, d := range ds {
		start := time.Now()
		why, ok := r.directive(d)
		if !ok {
			cr.Status, cr.Directive = transcript.Failed, &transcript.DirectiveFailure{Directive: d, Why: why, After: time.Since(start)}
			return false
		}
	}
	return true
}

// directive runs one wait or stop.
func (r *run) directive(d *lessons.Directive) (transcript.DirectiveWhy, bool) {
	if d.Kind == lessons.Stop {
		if s := r.bg.named(d.Name); s != nil {
			r.bg.stopWith(s, d.Signal)
		}
		return 0, true
	}
	deadline := time.Now().Add(d.Timeout)
	for {
		ready, ended := r.ready(d)
		switch {
		case ready:
			r.bg.settle()
			return 0, true
		case ended:
			return transcript.WaitStepEnded, false
		case r.ctx.Err() != nil:
			return transcript.DirectiveCancelled, false
		case time.Now().After(deadline):
			return transcript.WaitTimedOut, false
		}
		time.Sleep(waitPoll)
	}
}

// ready reports whether what wait d waits for is there; ended, that it
// never will be (the step waited on is over).
func (r *run) ready(d *lessons.Directive) (ready, ended bool) {
	switch d.For {
	case lessons.WaitOutput:
		s := r.bg.named(d.Name)
		if s == nil {
			return false, true
		}
		over := s.exited() && s.outputEnded()
		return d.Regexp.MatchString(s.printed()), over
	case lessons.WaitPort:
		return listening(r.bg.netPid(), d.Port), false
	default:
		_, err := os.Lstat(filepath.Join(r.dir, filepath.FromSlash(d.Path)))
		return err == nil, false
	}
}

// named returns the last background step of that name, or nil.
func (b *background) named(name string) *bgStep {
	for i := len(b.steps) - 1; i >= 0; i-- {
		if b.steps[i].name == name {
			return b.steps[i]
		}
	}
	return nil
}

// netPid is a process in the network namespace of the run's steps: a
// live background step (under --sandbox the steps have a namespace of
// their own), else labrun itself.
func (b *background) netPid() string {
	for _, s := range b.steps {
		if s.done != nil && !s.exited() {
			return strconv.Itoa(s.pid)
		}
	}
	return "self"
}

// listening reports whether a TCP socket listens on port in the network
// namespace of process pid, read from /proc (no connection is made: a
// server that takes one client is not used up by the wait).
func listening(pid string, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"tcp", "tcp6"} {
		fh, err := os.Open(filepath.Join("/proc", pid, "net", f))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st ...; st 0A is LISTEN.
			if len(fields) > 3 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
				fh.Close()
				return true
			}
		}
		fh.Close()
	}
	return false
}

// printed is what the step printed so far, both streams, pending lines
// included.
func (s *bgStep) printed() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String() + s.stderr.String() + strings.Join(s.pendingOut, "") + strings.Join(s.pendingErr, "")
}

// outputEnded reports whether both of the step's streams reached EOF.
func (s *bgStep) outputEnded() bool {
	select {
	case <-s.eof:
		return true
	default:
		return false
	}
}

// stopWith sends sig to the step's group, kills the group stopGrace
// later if it is still there, and logs how it ended.
func (b *background) stopWith(s *bgStep, sig unix.Signal) {
	if s.done == nil {
		return
	}
	s.stdin.Close()
	kill := func() {
		_ = unix.Kill(-s.pid, unix.SIGKILL)
		_ = unix.Kill(s.pid, unix.SIGKILL)
	}
	if !s.exited() {
		signal := func() { _ = unix.Kill(-s.pid, sig) }
		sv := proc.Supervise(b.ctx, proc.Escalation{Interrupt: signal, Kill: kill}, proc.Policy{Deadline: time.Now(), Grace: stopGrace})
		ws := <-s.done
		sv.Stop()
		s.mu.Lock()
		s.status = &ws
		s.mu.Unlock()
	}
	kill()
	s.finish()
}
