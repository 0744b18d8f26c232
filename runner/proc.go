package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Terminal size of the pty, pexpect's default, so that ls and ps lay out
// their columns as the recorded lessons show.
const (
	ptyRows = 24
	ptyCols = 80
)

// ptyDrain is how long a pty step's output may stay quiet after its
// program died before labrun stops reading it.
const ptyDrain = 50 * time.Millisecond

// procSpec says how to start one foreground step.
type procSpec struct {
	argv []string
	dir  string
	env  []string
	// pty runs the step under a 24×80 pseudo-terminal, stdout and stderr
	// merged, as IPython's pexpect-based system() did.
	pty bool
	// stdin is fed on a pipe and then closed (pipe mode only); nil gives
	// /dev/null.
	stdin []byte
	// merge sends stderr into stdout (pipe mode only).
	merge bool
}

// stepLimits bounds a foreground step.
type stepLimits struct {
	timeout time.Duration
	// grace is how long an interrupted step may take to finish before
	// its group is killed.
	grace time.Duration
	// stuck, when set, is asked a few times a second whether the step can
	// never progress; it returns a reason such as "blocked in pipe_read".
	stuck func(p *proc) (string, bool)
	// outputCap bounds the bytes kept of the step's output.
	outputCap int
}

// stepOutcome is how a foreground step ended.
type stepOutcome struct {
	chunks   []chunk
	code     int // exit status, or -N for signal N
	duration time.Duration
	// interrupted is "" when the step ended by itself, else "timeout",
	// "stuck: …" or "labrun interrupted".
	interrupted string
}

// proc is a started foreground step: one process group.
type proc struct {
	pid  int
	ptm  *os.File // pty master, or nil
	out  *sink
	done <-chan unix.WaitStatus
	eof  chan struct{}
	// readEnds are closed to stop reading output that a process outside
	// the group holds open.
	readEnds []*os.File
	// stuckSeen is when the step was first seen stuck, for the second look.
	stuckSeen time.Time
}

// startProc starts spec in a new process group (a new session under a
// pty) and starts collecting its output.
func startProc(l *launcher, spec procSpec, capBytes int) (*proc, error) {
	r := getReaper()
	cmd := exec.Command(spec.argv[0], spec.argv[1:]...)
	cmd.Dir, cmd.Env = spec.dir, spec.env
	p := &proc{out: newSink(capBytes), eof: make(chan struct{})}
	var readers []func()
	var closeAfterStart []io.Closer
	if spec.pty {
		ptm, pts, err := pty.Open()
		if err != nil {
			return nil, fmt.Errorf("open pty: %w", err)
		}
		_ = pty.Setsize(ptm, &pty.Winsize{Rows: ptyRows, Cols: ptyCols})
		if ptm, err = pollable(ptm); err != nil {
			pts.Close()
			return nil, fmt.Errorf("open pty: %w", err)
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		closeAfterStart = append(closeAfterStart, pts)
		p.ptm = ptm
		p.readEnds = append(p.readEnds, ptm)
		readers = append(readers, func() { copyOut(p.out, "stdout", ptm) })
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if spec.stdin != nil {
			inR, inW, err := os.Pipe()
			if err != nil {
				return nil, err
			}
			cmd.Stdin = inR
			closeAfterStart = append(closeAfterStart, inR)
			data := spec.stdin
			go func() {
				_, _ = inW.Write(data)
				inW.Close()
			}()
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		cmd.Stdout = outW
		p.readEnds = append(p.readEnds, outR)
		closeAfterStart = append(closeAfterStart, outW)
		readers = append(readers, func() { copyOut(p.out, "stdout", outR) })
		if spec.merge {
			cmd.Stderr = outW
		} else {
			errR, errW, err := os.Pipe()
			if err != nil {
				return nil, err
			}
			cmd.Stderr = errW
			p.readEnds = append(p.readEnds, errR)
			closeAfterStart = append(closeAfterStart, errW)
			readers = append(readers, func() { copyOut(p.out, "stderr", errR) })
		}
	}
	err := l.start(cmd)
	for _, c := range closeAfterStart {
		c.Close()
	}
	if err != nil {
		if p.ptm != nil {
			p.ptm.Close()
		}
		return nil, fmt.Errorf("start %s: %w", spec.argv[0], err)
	}
	p.pid = cmd.Process.Pid
	p.done = r.watch(p.pid)
	left := make(chan struct{}, len(readers))
	for _, read := range readers {
		go func() { read(); left <- struct{}{} }()
	}
	go func() {
		for range readers {
			<-left
		}
		close(p.eof)
	}()
	return p, nil
}

// pollable returns a copy of f that Go's poller serves (a non-blocking
// descriptor), so that closing it interrupts a read in progress; f is
// closed.
func pollable(f *os.File) (*os.File, error) {
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
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

// copyOut copies r into the sink until EOF (EIO on a pty whose slaves
// are all closed).
func copyOut(s *sink, stream string, r io.Reader) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		s.write(stream, buf[:n])
		if err != nil {
			return
		}
	}
}

// interrupt does what a person does in Jupyter: Ctrl-C. Under a pty it
// writes ETX and a newline, as pexpect's sendline(chr(3)) did, so the
// terminal echoes ^C; with pipes it sends SIGINT to the group.
func (p *proc) interrupt() {
	if p.ptm != nil {
		_, _ = p.ptm.Write([]byte("\x03\n"))
		return
	}
	_ = unix.Kill(-p.pid, unix.SIGINT)
}

// kill sends SIGKILL to the step's process group.
func (p *proc) kill() { _ = unix.Kill(-p.pid, unix.SIGKILL) }

// wait runs the step to its end: it exits and its output reaches EOF, or
// it is interrupted on timeout, on stuck, or when ctx ends (labrun
// interrupted), then killed after the grace.
func (p *proc) wait(ctx context.Context, lim stepLimits) stepOutcome {
	start := time.Now()
	deadline := start.Add(lim.timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var (
		ws          unix.WaitStatus
		exited, eof bool
		why         string
		killAt      time.Time
		giveUpAt    time.Time
		exitedAt    time.Time
	)
	stop := func(reason string) {
		if why != "" {
			return
		}
		why = reason
		p.interrupt()
		killAt = time.Now().Add(lim.grace)
	}
	ctxDone := ctx.Done()
	for !(exited && eof) {
		select {
		case ws = <-p.done:
			exited = true
			exitedAt = time.Now()
			p.done = nil
		case <-p.eof:
			eof = true
			p.eof = nil
		case <-ctxDone:
			ctxDone = nil
			stop("labrun interrupted")
		case now := <-tick.C:
			switch {
			case !giveUpAt.IsZero() && now.After(giveUpAt):
				// Something outside the group holds the output open.
				p.closeOutput()
				if !exited {
					ws, exited = <-p.done, true
				}
				eof = true
			case exited && p.ptm != nil && now.Sub(exitedAt) >= ptyDrain && p.out.quietFor() >= ptyDrain:
				// As pexpect: once the program is dead, what is left to
				// read is read and that is the end, even if a daemon it
				// left behind still holds the terminal. An expired read
				// deadline lets the reader drain the terminal's buffer,
				// then stop.
				_ = p.ptm.SetReadDeadline(now)
				select {
				case <-p.eof:
				case <-time.After(time.Second):
				}
				eof = true
			case !killAt.IsZero() && now.After(killAt):
				p.kill()
				killAt = time.Time{}
				giveUpAt = now.Add(time.Second)
			case why == "" && now.After(deadline):
				stop("timeout")
			case why == "" && !exited && lim.stuck != nil:
				if reason, ok := lim.stuck(p); ok {
					stop("stuck: " + reason)
				}
			}
		}
	}
	// Nothing of the step's group outlives it.
	p.kill()
	p.closeOutput()
	return stepOutcome{chunks: p.out.chunks(), code: exitCode(ws), duration: time.Since(start), interrupted: why}
}

// closeOutput stops reading output held open by a process outside the
// step's group.
func (p *proc) closeOutput() {
	for _, f := range p.readEnds {
		f.Close()
	}
}

// runProc starts spec and waits for it within lim.
func runProc(ctx context.Context, l *launcher, spec procSpec, lim stepLimits) (stepOutcome, error) {
	p, err := startProc(l, spec, lim.outputCap)
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return stepOutcome{}, fmt.Errorf("%w: %w", ErrNoProgram, err)
		}
		return stepOutcome{}, err
	}
	return p.wait(ctx, lim), nil
}

// ErrNoProgram says a program labrun needs (sh, bash, python3) is missing.
var ErrNoProgram = errors.New("program not found")
