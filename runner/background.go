package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// Background step styles.
const (
	// styleLauncher is TInteractiveLauncher: one log with L/O/E/I lines.
	styleLauncher = "launcher"
	// styleBashAsync is %bash_async: STDOUT, STDERR and RUN LOG shown.
	styleBashAsync = "bash_async"
)

// bgStep is a background step: a process group started in one cell,
// running across later cells, collected at close() or at the lesson end.
type bgStep struct {
	id int
	// name is its name= in the native dialect, for wait and stop.
	name  string
	style string
	// pid is its process (and group) id; seenPid the same as the lesson's
	// processes see it (proc.Process.SeenPid), which the lesson is shown.
	pid, seenPid int
	stdin        *proc.Feeder
	// inq is the input queue FIFO (input_queue_path()), if made.
	inq     *os.File
	inqPath string
	done    <-chan unix.WaitStatus
	eof     chan struct{}
	// cell and out locate the log output, filled in at the end.
	cell *transcript.CellResult
	out  int

	mu       sync.Mutex
	log      []string // launcher lines, "O | text"
	stdout   strings.Builder
	stderr   strings.Builder
	logBytes int
	status   *unix.WaitStatus
	lastOut  time.Time
	// pendingOut and pendingErr hold the lines of the current burst.
	pendingOut, pendingErr []string
	pendingBytes           int
	burstStart             time.Time
	// cut is set once output was dropped past maxLogBytes; cutLogged once
	// the log says so.
	cut, cutLogged bool
	// busy is set once the step kept running through a whole settle.
	busy bool
	// changed receives (coalesced) when the step printed: settle's event.
	changed chan struct{}
	// burst receives (coalesced) when a burst of output begins: the
	// flusher's event.
	burst chan struct{}
}

// background holds the run's background steps.
type background struct {
	bgDeps
	steps []*bgStep
	// changed receives when a step printed (shared by every step).
	changed chan struct{}
}

// bgDeps are what the background steps take from their run, fixed when
// it starts; what they take from a cell (its result, its deadline) comes
// with each call.
type bgDeps struct {
	// ctx is the run's: once it ends, a wait for a step to end is cut
	// short (proc.Supervise).
	ctx context.Context
	// sess starts the steps and looks at their processes (stuck,
	// resting).
	sess *proc.Session
	// dir and env are the work dir and the steps' environment: a step a
	// Python cell starts runs there, with that; its input queue is made
	// there.
	dir string
	env []string
	// noStuck turns off interrupting a close that can never end
	// (Options.NoStuckDetection).
	noStuck bool
}

func newBackground(d bgDeps) *background {
	return &background{bgDeps: d, changed: make(chan struct{}, 1)}
}

// request serves a worker's background request during cell; the reply's
// seq is the caller's to set.
func (b *background) request(m workerMessage, cell *cellRun) (workerMessage, error) {
	switch m := m.(type) {
	case *bgStartReq:
		s, err := b.start(m.Cmd, m.Style, b.dir, b.env, cell.res)
		if err != nil {
			return nil, err
		}
		inq := ""
		if s.style == styleLauncher {
			inq = s.openInputQueue(b.dir)
		}
		b.settle()
		return &startedReply{ID: s.id, PID: s.seenPid, Inq: inq}, nil
	case *bgWriteReq:
		s, err := b.get(m.ID)
		if err != nil {
			return nil, err
		}
		s.write(m.Data)
		b.settle()
		return &okReply{}, nil
	case *bgCloseReq:
		s, err := b.get(m.ID)
		if err != nil {
			return nil, err
		}
		b.close(s, time.Duration(m.Timeout*float64(time.Second)), cell.deadline)
		return &okReply{}, nil
	case *bgTerminateAllReq:
		b.stopAll()
		return &okReply{}, nil
	}
	return nil, fmt.Errorf("unknown request %q", m.op())
}

func (b *background) get(id int) (*bgStep, error) {
	if id < 1 || id > len(b.steps) {
		return nil, fmt.Errorf("no background step %d", id)
	}
	return b.steps[id-1], nil
}

// start runs `bash -c cmd` in its own process group with pipes, in
// folder dir with environment env; its log is an output of cr.
func (b *background) start(cmd, style, dir string, env []string, cr *transcript.CellResult) (*bgStep, error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, fmt.Errorf("%w: bash is not in PATH", ErrNoProgram)
	}
	rs, ws, err := proc.Pipes(3)
	if err != nil {
		return nil, err
	}
	inR, outR, errR := rs[0], rs[1], rs[2]
	inW, outW, errW := ws[0], ws[1], ws[2]
	c := exec.Command(bash, "-c", cmd)
	c.Args[0] = "bash" // as the course's Popen(["bash", "-c", cmd]): errors say "bash: line 1: ..."
	c.Dir, c.Env = dir, env
	c.Stdin, c.Stdout, c.Stderr = inR, outW, errW
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p, err := b.sess.Start(c)
	proc.CloseAll(inR, outW, errW)
	if err != nil {
		proc.CloseAll(inW, outR, errR)
		return nil, fmt.Errorf("start background step: %w", err)
	}
	s := &bgStep{id: len(b.steps) + 1, style: style, pid: p.Pid, seenPid: p.SeenPid, stdin: proc.NewFeeder(inW),
		eof: make(chan struct{}), cell: cr, lastOut: time.Now(), done: p.Done(), changed: b.changed,
		burst: make(chan struct{}, 1)}
	s.out = cr.Add(transcript.Log, "")
	if style == styleLauncher {
		s.logLine("L", "Process started. PID = "+strconv.Itoa(s.seenPid))
	}
	left := make(chan struct{}, 2)
	go func() { s.read("O", outR); left <- struct{}{} }()
	go func() { s.read("E", errR); left <- struct{}{} }()
	go func() { <-left; <-left; close(s.eof) }()
	go s.flusher()
	b.steps = append(b.steps, s)
	return s, nil
}

// inputQueueDir holds the FIFOs of input_queue_path(), where the course's
// launcher kept them.
const inputQueueDir = "interactive_launcher_tmp"

// openInputQueue makes a FIFO whose input is fed to the step's stdin (and
// logged as I lines), for input_queue_path(); it returns its path relative
// to the work dir, or "" when it could not be made.
func (s *bgStep) openInputQueue(dir string) string {
	rel := filepath.Join(inputQueueDir, strconv.Itoa(s.seenPid)+".inq")
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return ""
	}
	if err := unix.Mkfifo(path, 0o600); err != nil {
		return ""
	}
	// O_RDWR: the open does not wait for a writer, and writers that come
	// and go do not end the queue.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return ""
	}
	s.inq, s.inqPath = f, path
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				s.write(string(buf[:n]))
			}
			if err != nil {
				return
			}
		}
	}()
	return "./" + rel
}

// write feeds text to the step's stdin, logging each line as "I | line".
func (s *bgStep) write(text string) {
	s.logInput(text)
	s.stdin.Push(text)
}

// exited reports whether the step has ended, collecting its status.
func (s *bgStep) exited() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != nil {
		return true
	}
	select {
	case ws := <-s.done:
		s.status = &ws
		return true
	default:
		return false
	}
}

// finish waits for the step's output to end and logs how it ended.
func (s *bgStep) finish() {
	select {
	case <-s.eof:
	case <-time.After(500 * time.Millisecond):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushBurst(true)
	s.stdin.Close()
	if s.inq != nil {
		s.inq.Close()
		os.Remove(s.inqPath)
		s.inq = nil
	}
	ws := *s.status
	if s.style == styleLauncher {
		if ws.Signaled() {
			s.log = append(s.log, "L | Process finished. Got signal "+strconv.Itoa(int(ws.Signal())))
		} else {
			s.log = append(s.log, "L | Process finished. Exit code "+strconv.Itoa(ws.ExitStatus()))
		}
	}
	s.done = nil
}

// close closes the step's stdin and waits up to timeout, and at most
// until the asking cell's deadline (zero: none), for it to end, under a
// supervisor that kills the step's group then, or at once when every
// process of the lesson waits without end, so that nothing can wake it.
func (b *background) close(s *bgStep, timeout time.Duration, cellDeadline time.Time) {
	if s.done == nil {
		return // finished already
	}
	s.stdin.Close()
	deadline := time.Now().Add(timeout)
	if !cellDeadline.IsZero() && cellDeadline.Before(deadline) {
		deadline = cellDeadline
	}
	pol := proc.Policy{Deadline: deadline}
	if !b.noStuck {
		pol.Stuck = b.sess.StuckCheck(s.pid, s.quietFor, proc.BackgroundStuckQuiet)
	}
	b.supervise(s, pol)
}

// stop kills the step's group at once, through the same supervisor (a
// step still running then ends with "Got signal 9"), and logs how it
// ended.
func (b *background) stop(s *bgStep) {
	if s.done == nil {
		return
	}
	s.stdin.Close()
	b.supervise(s, proc.Policy{Deadline: time.Now()})
}

// supervise waits for the step's end under pol, killing its group (there
// is no polite stage: the course's launcher killed), and logs how it
// ended.
func (b *background) supervise(s *bgStep, pol proc.Policy) {
	kill := func() {
		_ = unix.Kill(-s.pid, unix.SIGKILL)
		_ = unix.Kill(s.pid, unix.SIGKILL) // left its group
	}
	if !s.exited() {
		sv := proc.Supervise(b.ctx, proc.Escalation{Kill: kill}, pol)
		ws := <-s.done
		sv.Stop()
		s.mu.Lock()
		s.status = &ws
		s.mu.Unlock()
	}
	kill() // what is left of its group
	s.finish()
}

func (s *bgStep) quietFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.lastOut)
}

// stopAll kills every background step still running (the lesson ends).
func (b *background) stopAll() {
	for _, s := range b.steps {
		b.stop(s)
	}
}

// runBackgroundCell starts the cell's body (or its run= commands) in the
// background as TInteractiveLauncher does; its log is shown at this cell.
func (r *run) runBackgroundCell(c *lessons.Cell, cr *transcript.CellResult) error {
	if _, err := exec.LookPath("bash"); err != nil {
		return err
	}
	s, err := r.bg.start(c.Body, styleLauncher, r.cellDir(c), r.cellEnv(c), cr)
	if err != nil {
		return err
	}
	s.name = c.Attrs.Name
	r.bg.settle()
	return nil
}
