package proc

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// ptyMaster is the master side of a step's terminal, read by one goroutine
// that blocks its thread in poll(2) between reads, as `script` does.
//
// Go's poller would serve the descriptor too, but every read of a
// terminal returns at most the line discipline's 4 KiB buffer: a flood
// through the pty is tens of thousands of reads, and through the poller
// each short read hands the goroutine from the poller's thread to another
// and back. Measured on the 2-core machine (30 MB of `yes`, four pairs):
// 5.4–5.8 s through the poller, 4.0–5.0 s with poll(2) on the reading
// thread. The reader's thread is idle in poll while the step is quiet.
//
// Close and SetReadDeadline wake a Read in progress through an eventfd;
// the descriptors are closed only once no Read or Write uses them, so
// their numbers are never reused under a read.
//
// A Read that follows a short one pauses first (ptyCoalesce): a reader
// that takes every few hundred bytes as they come keeps the line
// discipline's flush work and the writer waking each other line by line.
type ptyMaster struct {
	fd   int // the master, non-blocking
	wake int // an eventfd: Close and SetReadDeadline signal it

	mu     sync.Mutex  // held by Write and by Close's marking
	readMu sync.Mutex  // held by Read for its whole call, and by Close's closing
	closed atomic.Bool // set once by Close

	deadline atomic.Int64 // unix nanos, 0 for none

	short bool          // the last Read returned less than ptyCoalesceBelow (under readMu)
	poll  []unix.PollFd // the master and wake, for Read's poll(2) (under readMu)
}

// newPtyMaster takes over f (a pty master): it keeps a non-blocking
// duplicate of its descriptor and closes f.
func newPtyMaster(f *os.File) (*ptyMaster, error) {
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &ptyMaster{fd: fd, wake: wake,
		poll: []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(wake), Events: unix.POLLIN}}}, nil
}

// Read reads what the terminal holds, waiting in poll(2) for it; it
// returns io.EOF once every slave is closed (EIO), os.ErrClosed once the
// master is closed, os.ErrDeadlineExceeded past the read deadline.
func (m *ptyMaster) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	m.readMu.Lock()
	defer m.readMu.Unlock()
	if m.short {
		// Let the terminal fill a little: see ptyCoalesce.
		pause := unix.NsecToTimespec(ptyCoalesce.Nanoseconds())
		_ = unix.Nanosleep(&pause, nil)
	}
	for {
		if m.closed.Load() {
			return 0, os.ErrClosed
		}
		n, err := unix.Read(m.fd, p)
		switch {
		case n > 0:
			m.short = n < ptyCoalesceBelow
			return n, nil
		case err == unix.EINTR:
			continue
		case err == unix.EIO || err == nil:
			return 0, io.EOF
		case err != unix.EAGAIN:
			return 0, &os.PathError{Op: "read", Path: "/dev/ptmx", Err: err}
		}
		timeout := -1
		if d := m.deadline.Load(); d != 0 {
			left := time.Until(time.Unix(0, d))
			if left <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			timeout = int(left.Milliseconds()) + 1
		}
		if _, err := unix.Poll(m.poll, timeout); err != nil && err != unix.EINTR {
			return 0, &os.PathError{Op: "poll", Path: "/dev/ptmx", Err: err}
		}
		if m.poll[1].Revents != 0 {
			var v [8]byte
			_, _ = unix.Read(m.wake, v[:]) // reset; what changed is read above
		}
	}
}

// Write writes p to the terminal (what a person types); it does not wait
// for room in the terminal's input buffer.
func (m *ptyMaster) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return 0, os.ErrClosed
	}
	n, err := unix.Write(m.fd, p)
	if err != nil {
		return max(n, 0), &os.PathError{Op: "write", Path: "/dev/ptmx", Err: err}
	}
	return n, nil
}

// foreground returns the process group in the foreground of the
// terminal (0 once the master is closed, or when it cannot be told).
func (m *ptyMaster) foreground() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return 0
	}
	pgid, err := unix.IoctlGetInt(m.fd, unix.TIOCGPGRP)
	if err != nil {
		return 0
	}
	return pgid
}

// termios returns the terminal's settings (nil once the master is
// closed, or when they cannot be read).
func (m *ptyMaster) termios() *unix.Termios {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return nil
	}
	t, err := unix.IoctlGetTermios(m.fd, unix.TCGETS)
	if err != nil {
		return nil
	}
	return t
}

// setTermios sets the terminal's settings back to t.
func (m *ptyMaster) setTermios(t *unix.Termios) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed.Load() {
		_ = unix.IoctlSetTermios(m.fd, unix.TCSETS, t)
	}
}

// SetReadDeadline makes Read give up at t (the zero time: never).
func (m *ptyMaster) SetReadDeadline(t time.Time) {
	var d int64
	if !t.IsZero() {
		d = t.UnixNano()
	}
	m.deadline.Store(d)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed.Load() {
		m.signal()
	}
}

// Close ends a Read in progress and closes the master; it may be called
// more than once.
func (m *ptyMaster) Close() error {
	m.mu.Lock()
	if m.closed.Swap(true) {
		m.mu.Unlock()
		return nil
	}
	m.signal()
	m.mu.Unlock()
	m.readMu.Lock()
	defer m.readMu.Unlock()
	unix.Close(m.wake)
	return unix.Close(m.fd)
}

// signal wakes a Read waiting in poll; the caller holds m.mu, and the
// master is not closed yet.
func (m *ptyMaster) signal() {
	one := [8]byte{1}
	_, _ = unix.Write(m.wake, one[:])
}
