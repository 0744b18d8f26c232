package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Run runs cmd, made by exec.Command and not yet started, to its end: the
// one way for a program that reaps (Reap) to run a helper program (a
// probe, a validator, a test's own child), where exec.Cmd's Wait, Run,
// Output and CombinedOutput would race the reaper for the child's status.
// In a process that does not reap, Run waits for its child itself.
//
// As with os/exec, cmd's Stdin, Stdout and Stderr may be files, which the
// program gets as they are, or any reader and writers, which Run copies
// through pipes of its own (one pipe when Stdout and Stderr are the same
// writer). Run returns once the program has ended and its output has
// reached its end: nil when it exited 0, an *ExitError when it did not,
// and ctx's error when ctx ended first (the program killed, and its output
// no longer read, even if a process it left holds it open). cmd.Process
// is set; cmd.ProcessState, which only exec.Cmd's Wait sets, is not.
func Run(ctx context.Context, cmd *exec.Cmd) error {
	if cmd.Process != nil {
		return errors.New("proc: Run: the command was started already")
	}
	var w runIO
	if err := w.wire(cmd); err != nil {
		w.abandon()
		return err
	}
	r := reaping()
	err := cmd.Start()
	if err != nil {
		w.abandon()
		return err
	}
	CloseAll(w.childEnds...)
	done := statusOf(r, cmd.Process)
	w.start()
	var end waited
	select {
	case end = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		end = <-done
		end.err = fmt.Errorf("%s: %w", cmd.Path, ctx.Err())
		// What it left behind may hold its output open: stop reading.
		CloseAll(w.ownEnds...)
	}
	w.copies.Wait()
	CloseAll(w.ownEnds...)
	if end.err != nil {
		return end.err
	}
	if e := ExitOf(end.ws); e != (Exit{}) {
		return &ExitError{Exit: e}
	}
	return nil
}

// waited is how a wait for a child ended: its status, or why there is
// none.
type waited struct {
	ws  unix.WaitStatus
	err error
}

// statusOf returns a channel that receives how p ended: its status from
// the reaper r, or, where the process does not reap (r is nil), from a
// wait of its own.
func statusOf(r *reaper, p *os.Process) <-chan waited {
	ch := make(chan waited, 1)
	if r != nil {
		status := r.watch(p.Pid)
		go func() { ch <- waited{ws: <-status} }()
		return ch
	}
	go func() {
		state, err := p.Wait()
		if err != nil {
			ch <- waited{err: fmt.Errorf("wait for %d: %w", p.Pid, err)}
			return
		}
		ch <- waited{ws: unix.WaitStatus(state.Sys().(syscall.WaitStatus))}
	}()
	return ch
}

// ExitError says a program Run ran did not exit 0.
type ExitError struct {
	Exit
}

func (e *ExitError) Error() string {
	if e.Signal != 0 {
		return "signal: " + e.SignalName()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// runIO is the plumbing Run adds to a command: the pipe ends the program
// gets (closed in this process once it has started), the ends Run reads
// or writes, and the copies between those and the caller's streams.
type runIO struct {
	childEnds, ownEnds []io.Closer
	feedEnd            *os.File // the write end of stdin's pipe, or nil
	feed               func()
	drains             []func()
	copies             sync.WaitGroup
}

// wire replaces the streams of cmd that are not files with pipes.
func (w *runIO) wire(cmd *exec.Cmd) error {
	if in := cmd.Stdin; in != nil {
		if _, ok := in.(*os.File); !ok {
			r, pw, err := os.Pipe()
			if err != nil {
				return err
			}
			w.childEnds = append(w.childEnds, r)
			cmd.Stdin, w.feedEnd = r, pw
			// The feed owns the write end once started: it closes it when
			// the reader is done, or the program stopped reading.
			w.feed = func() { _, _ = io.Copy(pw, in); pw.Close() }
		}
	}
	outs := []*io.Writer{&cmd.Stdout, &cmd.Stderr}
	if cmd.Stdout != nil && sameWriter(cmd.Stdout, cmd.Stderr) {
		outs = outs[:1]
	}
	for _, o := range outs {
		dst := *o
		if _, ok := dst.(*os.File); ok || dst == nil {
			continue
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return err
		}
		w.childEnds = append(w.childEnds, pw)
		w.ownEnds = append(w.ownEnds, pr)
		*o = pw
		w.drains = append(w.drains, func() { _, _ = io.Copy(dst, pr) })
	}
	if len(outs) == 1 && cmd.Stdout != nil {
		cmd.Stderr = cmd.Stdout
	}
	return nil
}

// start starts the copies.
func (w *runIO) start() {
	if w.feed != nil {
		go w.feed()
	}
	w.copies.Add(len(w.drains))
	for _, drain := range w.drains {
		go func() { defer w.copies.Done(); drain() }()
	}
}

// abandon closes the pipes of a program that did not start.
func (w *runIO) abandon() {
	CloseAll(w.childEnds...)
	CloseAll(w.ownEnds...)
	if w.feedEnd != nil {
		w.feedEnd.Close()
	}
}

// sameWriter reports whether a and b are one writer (false where they
// cannot be compared), as os/exec tells.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
