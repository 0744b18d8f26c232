package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
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

// StepSpec says how to start one foreground step.
type StepSpec struct {
	// Path is the program, Args its argv (Args[0] included).
	Path string
	Args []string
	// Dir is its working directory, Env its environment (the Session
	// adds its marker).
	Dir string
	Env []string
	// Pty runs the step under a 24×80 pseudo-terminal, stdout and stderr
	// merged, as IPython's pexpect-based system() did.
	Pty bool
	// Stdin is fed on a pipe and then closed (pipe mode only); nil gives
	// no stdin at all (/dev/null).
	Stdin []byte
	// Merge sends stderr into stdout (pipe mode only).
	Merge bool
	// OutputCap bounds the bytes kept of the step's output.
	OutputCap int
	// IgnorePipe starts the step with SIGPIPE ignored, as a child of
	// IPython's system() starts (the kernel ignores it and pexpect's
	// fork and exec keep that); otherwise it starts at its default, as
	// subprocess and asyncio children do (restore_signals).
	IgnorePipe bool
}

// Step is a started foreground step: one process group, its output read
// into a Sink by goroutines of its own.
//
// The Step owns the read ends of its output (the pty master, or the pipes'
// read ends) and closes them when it ends; the write ends are closed in
// labrun once the step has started, so that EOF comes when the last
// process holding them lets go.
type Step struct {
	*Process
	ptm *ptyMaster // pty master, or nil
	// pts is the name of the pty's slave ("/dev/pts/3"), sess the
	// Session that started the step.
	pts  string
	sess *Session
	out  *Sink
	eof  chan struct{} // closed when every output stream reached EOF
	// readEnds are closed to stop reading output that a process outside
	// the group holds open.
	readEnds []io.Closer
	// waited is set by the first Wait, or once a job saw the step end:
	// the exit status comes once.
	waited atomic.Bool
	// pending is what the step printed after the last job's mark: the
	// next job's output starts with it (RunJob).
	pending string
}

// ErrWaited says Wait was called on a Step that was already waited for.
var ErrWaited = errors.New("proc: step already waited for")

// ErrNoProgram says a program labrun needs (sh, bash, python3) is missing.
var ErrNoProgram = errors.New("program not found")

// StartStep starts spec in a new process group (a new session under a
// pty) and starts collecting its output.
func (s *Session) StartStep(spec StepSpec) (*Step, error) {
	cmd := exec.Command(spec.Path)
	cmd.Args = spec.Args
	cmd.Dir, cmd.Env = spec.Dir, spec.Env
	st := &Step{out: NewSink(spec.OutputCap), eof: make(chan struct{}), sess: s}
	var w stepWiring
	var err error
	if spec.Pty {
		err = st.wirePty(cmd, &w)
	} else {
		err = st.wirePipes(cmd, spec, &w)
	}
	if err != nil {
		w.abandon(st)
		return nil, err
	}
	st.Process, err = s.start(cmd, spec.IgnorePipe)
	CloseAll(w.closeAfterStart...)
	w.closeAfterStart = nil
	if err != nil {
		w.abandon(st)
		var ee *exec.Error
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%w: %w", ErrNoProgram, err)
		}
		return nil, fmt.Errorf("start %s: %w", spec.Args[0], err)
	}
	if w.stdin != nil {
		// The feeding goroutine owns the write end: a step that never
		// reads does not block labrun; the write fails once it is gone.
		// Until the input is written the step is not quiet: its reader
		// waits for labrun, not for nothing (Sink.Feeding).
		fed := st.out.Feeding()
		go func(f *os.File, data []byte) {
			defer fed()
			_, _ = f.Write(data)
			f.Close()
		}(w.stdin, spec.Stdin)
	}
	st.read(w.readers)
	return st, nil
}

// stepWiring is what StartStep sets up around a step's process: the
// files labrun closes once it has started (the step's ends), the write
// end of its stdin pipe (nil: none), and one reader per output stream.
type stepWiring struct {
	closeAfterStart []io.Closer
	stdin           *os.File
	readers         []func()
}

// abandon closes every file of a step that did not start.
func (w *stepWiring) abandon(st *Step) {
	CloseAll(w.closeAfterStart...)
	CloseAll(st.readEnds...)
	if w.stdin != nil {
		w.stdin.Close()
	}
}

// wirePty gives cmd a new pseudo-terminal as its controlling terminal,
// stdin, stdout and stderr, read as stdout.
func (st *Step) wirePty(cmd *exec.Cmd, w *stepWiring) error {
	ptm, pts, err := pty.Open()
	if err != nil {
		return fmt.Errorf("open pty: %w", err)
	}
	_ = pty.Setsize(ptm, &pty.Winsize{Rows: ptyRows, Cols: ptyCols})
	m, err := newPtyMaster(ptm)
	if err != nil {
		pts.Close()
		return fmt.Errorf("open pty: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	w.closeAfterStart = append(w.closeAfterStart, pts)
	st.ptm, st.pts = m, pts.Name()
	st.readEnds = append(st.readEnds, m)
	w.readers = append(w.readers, func() { CopyOut(st.out, "stdout", m) })
	return nil
}

// wirePipes gives cmd a process group of its own, pipes for its output
// (one, with spec.Merge) and, with spec.Stdin, a pipe to feed its stdin.
func (st *Step) wirePipes(cmd *exec.Cmd, spec StepSpec, w *stepWiring) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if spec.Stdin != nil {
		inR, inW, err := os.Pipe()
		if err != nil {
			return err
		}
		cmd.Stdin, w.stdin = inR, inW
		w.closeAfterStart = append(w.closeAfterStart, inR)
	}
	// outPipe makes the pipe of one output stream and reads it.
	outPipe := func(stream string) (*os.File, error) {
		r, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		growPipe(r)
		st.readEnds = append(st.readEnds, r)
		w.closeAfterStart = append(w.closeAfterStart, pw)
		w.readers = append(w.readers, func() { CopyOut(st.out, stream, r) })
		return pw, nil
	}
	outW, err := outPipe("stdout")
	errW := outW
	if err == nil && !spec.Merge {
		errW, err = outPipe("stderr")
	}
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	return nil
}

// read starts the step's output readers, and closes st.eof once every
// one of them has reached the end of its stream.
func (st *Step) read(readers []func()) {
	left := make(chan struct{}, len(readers))
	for _, read := range readers {
		go func() { read(); left <- struct{}{} }()
	}
	go func() {
		for range readers {
			<-left
		}
		close(st.eof)
	}()
}

// outputPipeSize is what a step's output pipes are grown to: a step that
// prints a lot is read in fewer, larger pieces, with fewer switches
// between it and labrun.
const outputPipeSize = 1 << 20

// growPipe grows a pipe to outputPipeSize, where the system allows it
// (fs.pipe-max-size); it is only a matter of speed.
func growPipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, outputPipeSize) })
	}
}

// CopyOut copies r into the sink as stream until EOF (EIO on a pty whose
// slaves are all closed) or an error.
func CopyOut(s *Sink, stream string, r io.Reader) {
	buf := make([]byte, 256*1024)
	for {
		n, err := r.Read(buf)
		s.Write(stream, buf[:n])
		if err != nil {
			return
		}
	}
}

// Output is the step's output as read so far.
func (st *Step) Output() *Sink { return st.out }

// Interrupt does what a person does in Jupyter: Ctrl-C. Under a pty it
// writes ETX and a newline, as pexpect's sendline(chr(3)) did, so the
// terminal echoes ^C; with pipes it sends SIGINT to the group.
func (st *Step) Interrupt() {
	if st.ptm != nil {
		_, _ = st.ptm.Write([]byte("\x03\n"))
		return
	}
	_ = unix.Kill(-st.Pid, unix.SIGINT)
}

// CloseOutput stops reading output held open by a process outside the
// step's group.
func (st *Step) CloseOutput() { CloseAll(st.readEnds...) }

// StepResult is how a foreground step ended.
type StepResult struct {
	// Chunks are its output, as kept.
	Chunks []Chunk
	// Exit is how it ended.
	Exit Exit
	// Duration is its wall time.
	Duration time.Duration
	// Interrupted says why the supervisor interrupted it; nil when it
	// ended by itself.
	Interrupted *Interruption
}

// Wait runs the step to its end, under a Supervisor with pol: it exits
// and its output reaches EOF, or it is interrupted on timeout, on stuck,
// or when ctx ends (labrun interrupted), killed after the grace, and its
// output closed KillWait later if something outside its group holds it
// open. Nothing of the step's group outlives Wait. Wait may be called
// once: a second call returns ErrWaited at once, as os/exec's does.
func (st *Step) Wait(ctx context.Context, pol Policy) (StepResult, error) {
	if !st.waited.CompareAndSwap(false, true) {
		return StepResult{}, ErrWaited
	}
	start := time.Now()
	if pol.Changed == nil {
		pol.Changed = st.out.Changed()
	}
	sv := Supervise(ctx, Escalation{Interrupt: st.Interrupt, Kill: st.Kill, CloseIO: st.CloseOutput}, pol)
	var ws unix.WaitStatus
	done, eof := st.done, st.eof
	var drain <-chan time.Time // ticks once the program died, under a pty
	for done != nil || eof != nil {
		select {
		case ws = <-done:
			done = nil
			if st.ptm != nil && eof != nil && st.terminalHeld() {
				// A process left behind (a daemon) holds the terminal:
				// no EOF will come; read until its output pauses.
				t := time.NewTicker(PtyDrain / 2)
				defer t.Stop()
				drain = t.C
			}
			// Else the terminal's EOF (EIO once every slave is closed)
			// comes as soon as its buffer is read.
		case <-eof:
			eof, drain = nil, nil
		case <-drain:
			if st.out.QuietFor() < PtyDrain {
				continue
			}
			// As pexpect: once the program is dead, what is left to read
			// is read and that is the end, even if a daemon it left
			// behind still holds the terminal. A read deadline a little
			// ahead lets the reader drain the terminal's buffer, then
			// stop (one already expired would fail the next read before
			// it looked at the buffer, dropping what is in it).
			st.ptm.SetReadDeadline(time.Now().Add(PtyDrain))
			select {
			case <-st.eof:
			case <-time.After(ptyDrainMax):
			}
			eof, drain = nil, nil
		}
	}
	why := sv.Stop()
	st.Kill()
	st.CloseOutput()
	return StepResult{Chunks: st.out.Chunks(), Exit: ExitOf(ws), Duration: time.Since(start), Interrupted: why}, nil
}

// terminalHeld reports whether a live process of the Session holds the
// step's terminal open (its slave, among its open files).
func (st *Step) terminalHeld() bool {
	for _, pid := range st.sess.runPids() {
		if holds(pid, st.pts) {
			return true
		}
	}
	return false
}

// holds reports whether pid has file open (by path).
func holds(pid int, file string) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil && l == file {
			return true
		}
	}
	return false
}
