package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"golang.org/x/sys/unix"
)

// The timings of the signal handling.
const (
	// repeatWindow: a SIGTERM or SIGHUP this soon after the first one is
	// the same request to stop, not a second one. GNU timeout sends
	// SIGTERM to labrun and then to its process group, systemd sends
	// SIGTERM and SIGHUP, CI runners their own pair: all at once.
	repeatWindow = time.Second
)

// stopper turns SIGINT, SIGTERM and SIGHUP, and a standard output or
// error whose reader went away (closedStream), into the end of a run: the
// first one stops the running step and skips the rest, and the partial
// transcript and the report files are still written. A second one quits
// at once, after killing every process of the run and removing its
// scratch dir, and after writing the report files for what finished
// (onQuit) -- but a SIGTERM or SIGHUP within repeatWindow of a first
// SIGTERM or SIGHUP is the same request, and a closed stream stays one.
//
// SIGPIPE is caught, not ignored: an ignored signal would be inherited
// by every program labrun starts (and the gate gives steps its default
// back in any case, gate.go). Once caught, a write to any broken pipe
// raises it, a step's stdin as well as labrun's standard output: the
// streams themselves say when it is theirs (stdStream).
type stopper struct {
	first    atomic.Value // the first signal, an os.Signal
	quitting atomic.Bool
	sigs     chan os.Signal
	cancel   context.CancelFunc
	stderr   io.Writer
	written  string // what the command still writes when stopped, for the note
	hook     atomic.Pointer[quitHook]
	stopped  chan struct{}
}

// quitHook is what a command does when labrun quits at once (onQuit).
type quitHook struct{ freeze, write func() }

// closedStream is the signal that stands for a standard output or error
// whose reader went away: SIGPIPE, as the shell would have seen labrun
// die of it.
const closedStream = syscall.SIGPIPE

// exitFor gives the shell's exit code for death by a signal.
var exitFor = map[os.Signal]int{
	syscall.SIGINT:  exitInterrupted,
	syscall.SIGTERM: exitTerminated,
	syscall.SIGHUP:  exitHangup,
	closedStream:    exitBrokenPipe,
}

// active is the stopper watching, for the standard streams to tell of
// their close.
var active atomic.Pointer[stopper]

// watchSignals starts watching; cancel is called on the first signal,
// and stderr told what the command still writes (written: "the partial
// transcript is written").
func watchSignals(cancel context.CancelFunc, stderr io.Writer, written string) *stopper {
	s := &stopper{sigs: make(chan os.Signal, 8), cancel: cancel, stderr: stderr, written: written, stopped: make(chan struct{})}
	signal.Notify(s.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	active.Store(s)
	watchStdStreams()
	go s.loop()
	return s
}

// loop waits for the first signal, stops the run, then waits for one
// that makes labrun quit.
func (s *stopper) loop() {
	var first os.Signal
	var at time.Time
	for first == nil {
		select {
		case sig := <-s.sigs:
			if sig == syscall.SIGPIPE && !closedStd() {
				continue // a broken pipe of a step's, not labrun's stream
			}
			first, at = sig, time.Now()
		case <-s.stopped:
			return
		}
	}
	s.first.Store(first)
	s.cancel()
	what := first.String()
	if first == closedStream {
		what = "standard output or error closed"
	}
	fmt.Fprintf(s.stderr, "labrun: %s: stopping the running step; %s (again to quit now)\n", what, s.written)
	for {
		select {
		case sig := <-s.sigs:
			if sig == syscall.SIGPIPE || sameRequest(first, sig, time.Since(at)) {
				continue
			}
			s.quit(first)
		case <-s.stopped:
			return
		}
	}
}

// sameRequest says whether signal sig, after the first one by since, is
// the same request to stop: a SIGTERM or SIGHUP within repeatWindow of a
// first SIGTERM or SIGHUP.
func sameRequest(first, sig os.Signal, since time.Duration) bool {
	hangupOrTerm := func(s os.Signal) bool { return s == syscall.SIGTERM || s == syscall.SIGHUP }
	return hangupOrTerm(first) && hangupOrTerm(sig) && since < repeatWindow
}

// quit quits at once: the reports stop taking events, every process of
// the run is killed, the report files are written for what finished.
func (s *stopper) quit(first os.Signal) {
	s.quitting.Store(true)
	h := s.hook.Load()
	if h != nil && h.freeze != nil {
		h.freeze()
	}
	proc.KillAll()
	if h != nil && h.write != nil {
		h.write()
	}
	os.Exit(exitFor[first])
}

// onQuit sets what the command does when labrun quits at once: freeze
// stops its reports taking events (what the run does as its processes
// are killed is not to be reported), write then writes its report files
// for what finished. Both are called from the stopper's goroutine.
func (s *stopper) onQuit(freeze, write func()) {
	s.hook.Store(&quitHook{freeze: freeze, write: write})
}

// stop stops watching.
func (s *stopper) stop() {
	signal.Stop(s.sigs)
	active.CompareAndSwap(s, nil)
	close(s.stopped)
}

// exitCode is the exit code the first signal calls for, or 0.
func (s *stopper) exitCode() int {
	if sig, ok := s.first.Load().(os.Signal); ok {
		return exitFor[sig]
	}
	return 0
}

// waitIfQuitting blocks for good when a second signal is making labrun
// quit: what the run did meanwhile (its processes killed under it) is
// not to be reported.
func (s *stopper) waitIfQuitting() {
	if s.quitting.Load() {
		select {}
	}
}

// stdStream is labrun's standard output or error. Once its reader has
// gone away (a write fails with EPIPE, or the pipe or socket reports
// the close) it takes every write without writing and stops the run as
// a SIGTERM would, for exit status 141 (closedStream).
type stdStream struct {
	f      *os.File
	fd     int
	broken atomic.Bool
	watch  sync.Once
}

// The standard streams, as route writes to them.
var (
	stdoutStream = &stdStream{f: os.Stdout, fd: 1}
	stderrStream = &stdStream{f: os.Stderr, fd: 2}
)

// Write writes p, unless the reader went away.
func (s *stdStream) Write(p []byte) (int, error) {
	if s.broken.Load() {
		return len(p), nil
	}
	n, err := s.f.Write(p)
	if err != nil && isBrokenPipe(err) {
		s.closed()
		return len(p), nil
	}
	return n, err
}

// isBrokenPipe says whether a write failed for its reader's going away.
func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

// closed marks the stream broken and stops the run.
func (s *stdStream) closed() {
	if s.broken.Swap(true) {
		return
	}
	if st := active.Load(); st != nil {
		select {
		case st.sigs <- closedStream:
		default:
		}
	}
}

// closedStd says whether standard output or error has lost its reader,
// marking it broken (a SIGPIPE came: whose?).
func closedStd() bool {
	for _, s := range []*stdStream{stdoutStream, stderrStream} {
		if s.broken.Load() || readerGone(s.fd, 0) {
			s.broken.Store(true)
			return true
		}
	}
	return false
}

// watchStdStreams watches standard output and error, when they are pipes
// or sockets, for their reader going away, so that a run stops then
// even when it has nothing to write for a while (a "| head" satisfied).
func watchStdStreams() {
	for _, s := range []*stdStream{stdoutStream, stderrStream} {
		s.watch.Do(func() {
			var st unix.Stat_t
			if unix.Fstat(s.fd, &st) != nil || (st.Mode&unix.S_IFMT != unix.S_IFIFO && st.Mode&unix.S_IFMT != unix.S_IFSOCK) {
				return
			}
			go func() {
				if readerGone(s.fd, -1) {
					s.closed()
				}
			}()
		})
	}
}

// readerGone says whether the reader of the pipe or socket fd went away
// (poll reports POLLERR or POLLHUP), waiting for it up to timeout
// milliseconds (-1: for good).
func readerGone(fd, timeout int) bool {
	fds := []unix.PollFd{{Fd: int32(fd)}} // no event asked: errors and hang-ups only
	for {
		n, err := unix.Poll(fds, timeout)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
	}
}
