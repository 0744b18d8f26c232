package runner

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"golang.org/x/sys/unix"
)

//go:embed worker.py
var workerSource []byte

// ErrNoPython says python3 is not in PATH; Python cells need it.
var ErrNoPython = errors.New("python3 is not in PATH: Python cells need it")

// worker is the lesson's Python process. It asks the Go side to run every
// external process; the Go side answers on its request pipe (protocol.go).
type worker struct {
	pid    int
	toPy   *os.File
	fromFd *os.File
	// in carries what the worker sends, read by one goroutine (read) for
	// the worker's whole life; quit ends that goroutine.
	in   chan inbound
	quit chan struct{}
	raw  *proc.Sink // what reaches the worker's own fd 1 and 2 before it captures them
	done <-chan unix.WaitStatus
	// seq numbers labrun's requests; lastReq is the seq of the worker's
	// last request.
	seq, lastReq uint64
	scratch      string
	dead         bool
}

// inbound is one line from the worker: a message, or why there is none.
type inbound struct {
	m    workerMessage
	line []byte
	err  error
}

// errWorkerInterrupted says labrun was interrupted while the worker
// started.
var errWorkerInterrupted = errors.New("interrupted while the python3 worker started")

// startWorker starts python3 with the worker script in the work dir and
// waits, within proc.InterpreterStart, for it to be ready. showCap is how
// many bytes of a display or traceback the transcript shows: the worker
// cuts longer ones itself. On failure it closes and removes what it made.
func startWorker(ctx context.Context, sess *proc.Session, dir string, env []string, showCap int) (w *worker, err error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, ErrNoPython
	}
	scratch, err := os.MkdirTemp("", scratchPattern()+"py-")
	if err != nil {
		return nil, err
	}
	// A second Ctrl-C ends labrun at once (proc.KillAll): the worker's
	// script folder goes with the run's scratch dir.
	sess.OnKilled(func() { os.RemoveAll(scratch) })
	defer func() {
		if w == nil {
			os.RemoveAll(scratch)
		}
	}()
	script := filepath.Join(scratch, "labrun_worker.py")
	if err := os.WriteFile(script, workerSource, 0o644); err != nil {
		return nil, err
	}
	rs, ws, err := proc.Pipes(3)
	if err != nil {
		return nil, err
	}
	inR, outR, rawR := rs[0], rs[1], rs[2]
	inW, outW, rawW := ws[0], ws[1], ws[2]
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		proc.CloseAll(append(rs, ws...)...)
		return nil, err
	}
	cmd := exec.Command(py, "-u", script, strconv.Itoa(showCap))
	cmd.Dir, cmd.Env = dir, workerEnv(env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, rawW, rawW
	cmd.ExtraFiles = []*os.File{inR, outW} // fds 3 and 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p, err := sess.Start(cmd)
	proc.CloseAll(inR, outW, rawW, devnull)
	if err != nil {
		proc.CloseAll(inW, outR, rawR)
		return nil, fmt.Errorf("start python3: %w", err)
	}
	sess.Exempt(p.Pid)
	nw := &worker{pid: p.Pid, toPy: inW, fromFd: outR, in: make(chan inbound), quit: make(chan struct{}),
		raw: proc.NewSink(DefaultOutputCap), scratch: scratch, done: p.Done()}
	go func() {
		proc.CopyOut(nw.raw, "stdout", rawR)
		rawR.Close()
	}()
	go nw.read(bufio.NewReaderSize(outR, 1<<16))
	timer := time.NewTimer(proc.InterpreterStart)
	defer timer.Stop()
	select {
	case in := <-nw.in:
		if in.err == nil {
			if _, ok := in.m.(*readyMsg); !ok || in.m.head().Seq != 0 {
				in.err = &protocolError{why: "the worker's first message is not ready", line: in.line}
			}
		}
		if in.err != nil {
			nw.stop()
			return nil, fmt.Errorf("python3 worker did not start: %w %s", in.err, nw.raw.Text())
		}
	case <-timer.C:
		nw.stop()
		return nil, fmt.Errorf("python3 worker did not start within %s %s", proc.InterpreterStart, nw.raw.Text())
	case <-ctx.Done():
		nw.stop()
		return nil, errWorkerInterrupted
	}
	return nw, nil
}

// read reads the worker's lines until it ends or stops, or a line breaks
// the protocol.
func (w *worker) read(r *bufio.Reader) {
	for {
		line, err := readLine(r)
		in := inbound{line: line, err: err}
		if err == nil {
			in.m, in.err = decodeFromWorker(line)
		}
		select {
		case w.in <- in:
		case <-w.quit:
			return
		}
		if in.err != nil {
			return
		}
	}
}

// send writes one message to the worker.
func (w *worker) send(m workerMessage) error {
	b, err := encodeMessage(m)
	if err != nil {
		return err
	}
	_, err = w.toPy.Write(b)
	return err
}

// stop ends the worker and its process group.
func (w *worker) stop() {
	if w.dead {
		return
	}
	w.dead = true
	close(w.quit)
	w.toPy.Close()
	_ = unix.Kill(-w.pid, unix.SIGKILL)
	select {
	case <-w.done:
	case <-time.After(proc.KillWait):
	}
	w.fromFd.Close()
	os.RemoveAll(w.scratch)
}

// startedWorker is how the early start of a worker went.
type startedWorker struct {
	w   *worker
	err error
}

// startEarly starts the lesson's worker in the background, when it has
// Python cells, so that python3's start-up overlaps the first steps (a
// Jupyter kernel too is up before the first cell); ensureWorker takes it.
func (r *run) startEarly() {
	if r.py != nil || r.pyEarly != nil {
		return
	}
	hasPython := false
	for _, c := range r.lesson.Cells {
		hasPython = hasPython || c.Kind == lessons.Python
	}
	if !hasPython {
		return
	}
	ch := make(chan startedWorker, 1)
	r.pyEarly = ch
	go func() {
		w, err := startWorker(r.ctx, r.sess, r.dir, r.env, r.opts.OutputCap)
		ch <- startedWorker{w, err}
	}()
}

// dropEarly stops a worker started early that no cell took.
func (r *run) dropEarly() {
	if r.pyEarly == nil {
		return
	}
	if early := <-r.pyEarly; early.w != nil {
		early.w.stop()
	}
	r.pyEarly = nil
}

// ensureWorker starts the lesson's worker on first use, or again after it
// had to be killed. Starting python3 is labrun's time, not the cell's.
func (r *run) ensureWorker() error {
	if r.py != nil && !r.py.dead {
		return nil
	}
	t0 := time.Now()
	defer func() { r.deadline = r.deadline.Add(time.Since(t0)) }()
	if r.pyEarly != nil {
		early := <-r.pyEarly
		r.pyEarly = nil
		if early.err == nil && !early.w.dead {
			r.py = early.w
			return nil
		}
		if early.w != nil {
			early.w.stop()
		}
		if errors.Is(early.err, ErrNoPython) || errors.Is(early.err, errWorkerInterrupted) {
			return early.err
		}
		// Else it failed on its own: start again, now, to say why.
	}
	w, err := startWorker(r.ctx, r.sess, r.dir, r.env, r.opts.OutputCap)
	if err != nil {
		return err
	}
	r.py = w
	return nil
}

// workerInterrupted records in cr that labrun was interrupted while the
// worker started.
func (r *run) workerInterrupted(cr *CellResult) {
	cr.interrupt(&Interruption{Cause: proc.Cancelled, After: time.Since(r.cellStart)})
}

// expand interpolates {expr} and $name in a %run line from the Python
// namespace, as IPython's system() did. Without a worker (the lesson has
// run no Python yet) a line with neither is left as it is. ok is false
// when the expansion did not end (the cell says why): the line must not
// run.
func (r *run) expand(line string) (string, bool, error) {
	if !strings.ContainsAny(line, "{$") {
		return line, true, nil
	}
	cr := r.cur
	if err := r.ensureWorker(); err != nil {
		if errors.Is(err, errWorkerInterrupted) {
			r.workerInterrupted(cr)
			return "", false, nil
		}
		return "", false, err
	}
	r.py.seq++
	before := cr.Status
	m, err := r.converse(r.py, &expandReq{header: header{Seq: r.py.seq}, Text: line}, cr.Cell, cr)
	if err != nil || m == nil || (cr.Status == Interrupted && before != Interrupted) {
		return "", false, err
	}
	return m.(*expandedMsg).Text, true, nil
}

// runPythonCell sends the cell to the worker and serves its requests until
// it is done.
func (r *run) runPythonCell(c *lessons.Cell, cr *CellResult) error {
	if strings.TrimSpace(c.Source) == "" {
		return nil
	}
	if err := r.ensureWorker(); err != nil {
		if errors.Is(err, errWorkerInterrupted) {
			r.workerInterrupted(cr)
			return nil
		}
		return err
	}
	w := r.py
	w.seq++
	m, err := r.converse(w, &runReq{header: header{Seq: w.seq}, Code: c.Source, Cell: c.Index}, c, cr)
	if err != nil || m == nil {
		return err
	}
	r.bg.settle()
	return nil
}

// converse sends req (run or expand) to the worker and serves what the
// worker sends until the message that ends req (done or expanded), which
// it returns. It runs under a supervisor whose deadline is the cell's:
// past it the worker gets SIGINT (KeyboardInterrupt, as Jupyter's
// interrupt), and if it does not end the request within the grace it is
// killed, its state lost. While the worker waits for a request of its own
// (a shell step, which has the same deadline) the supervisor holds back.
// When the worker ends, is killed or breaks the protocol, converse says so
// in cr and returns nil; its error is one that must stop the run (a step
// could not be started).
func (r *run) converse(w *worker, req workerMessage, c *lessons.Cell, cr *CellResult) (workerMessage, error) {
	x := exchange{seq: req.head().Seq, final: opDone}
	if req.op() == opExpand {
		x.final = opExpanded
	}
	sv := proc.Supervise(r.ctx, proc.Escalation{
		Interrupt: func() { _ = unix.Kill(w.pid, unix.SIGINT) },
		Kill:      func() { _ = unix.Kill(-w.pid, unix.SIGKILL) },
		CloseIO:   func() { w.fromFd.Close() },
	}, proc.Policy{Deadline: r.deadline, Start: r.cellStart, Grace: r.opts.Grace + proc.InterpreterGrace})
	r.cellSV = sv
	defer func() { r.cellSV = nil }()
	// end stops the supervisor and records its interruption, if any.
	end := func() {
		if why := sv.Stop(); why != nil {
			cr.interrupt(why)
		}
	}
	// lost ends the worker: the cell fails (unless it was interrupted) and
	// says why; the next Python cell starts a fresh worker.
	lost := func(loss *WorkerLoss) {
		end()
		r.drainRaw(cr)
		w.stop()
		if cr.Status != Interrupted {
			cr.Status = Failed
		}
		cr.WorkerLost = loss
	}
	if err := w.send(req); err != nil {
		lost(&WorkerLoss{Err: err.Error()})
		return nil, nil
	}
	for {
		in := <-w.in
		var perr *protocolError
		switch {
		case errors.As(in.err, &perr):
			lost(&WorkerLoss{Err: perr.Error()})
			return nil, nil
		case in.err != nil:
			lost(&WorkerLoss{Killed: sv.Killed(), Err: in.err.Error()})
			return nil, nil
		}
		if err := x.check(in.m, w.lastReq); err != nil {
			lost(&WorkerLoss{Err: (&protocolError{why: err.Error(), line: in.line}).Error()})
			return nil, nil
		}
		if isWorkerRequest(in.m) {
			w.lastReq = in.m.head().Seq
		}
		if in.m.op() == x.final {
			end()
			r.drainRaw(cr)
			return in.m, nil
		}
		sv.Hold()
		err := r.handle(w, in.m, c, cr)
		sv.Release()
		if err != nil {
			sv.Stop()
			return nil, err
		}
	}
}

// handle serves one message of the worker other than the one that ends
// the exchange.
func (r *run) handle(w *worker, m workerMessage, c *lessons.Cell, cr *CellResult) error {
	switch m := m.(type) {
	case *streamMsg:
		cr.addStream(m.Name, cleanText([]byte(m.Text), false))
	case *displayMsg:
		data := shown(m.Data, r.opts.OutputCap)
		switch m.Mime {
		case "text/markdown", "text/latex":
			// nbconvert's Markdown writes both as they are.
			cr.add(Markdown, data)
		case "text/html":
			cr.add(HTML, data)
		default:
			cr.add(Text, data)
		}
	case *errorMsg:
		cr.add(Error, shown(m.Traceback, r.opts.OutputCap))
		if m.Fails {
			if cr.Exception == nil {
				cr.Exception = &Exception{Name: m.Ename, Message: m.Evalue}
			}
			if cr.Status == OK {
				cr.Status = Failed
			}
		}
	case *systemReq:
		held := newHeldStream(m)
		code, err := r.systemHeld(m.Cmd, c, held)
		if msg, ok := cellsFault(err); ok {
			return w.send(&refusedReply{header: header{Seq: m.Seq}, Error: msg})
		} else if err != nil {
			return err
		}
		return w.send(&statusReply{header: header{Seq: m.Seq}, Status: code, StderrShown: held.wasShown()})
	case *getoutputReq:
		out, cut, err := r.capture(m.Cmd, c, maxCaptureBytes)
		if msg, ok := cellsFault(err); ok {
			return w.send(&refusedReply{header: header{Seq: m.Seq}, Error: msg})
		} else if err != nil {
			return err
		}
		if cut {
			return w.send(&refusedReply{header: header{Seq: m.Seq}, Error: fmt.Sprintf(
				"labrun: x = !cmd captured more than %d MiB of output, the most a captured value holds", maxCaptureBytes>>20)})
		}
		return w.send(&outputReply{header: header{Seq: m.Seq}, Output: out})
	default:
		rep, err := r.bg.request(m, cr)
		if err != nil {
			rep = &refusedReply{Error: err.Error()}
		}
		rep.head().Seq = m.head().Seq
		return w.send(rep)
	}
	return nil
}

// shown is what the transcript shows of a displayed value: at most
// capBytes, head and tail, cut as a step's output is.
func shown(data string, capBytes int) string {
	if len(data) <= capBytes {
		return cleanText([]byte(data), false)
	}
	s := proc.NewSink(capBytes)
	s.Write("stdout", []byte(data))
	return cleanText([]byte(s.Text()), false)
}

// drainRaw adds what the worker wrote straight to fd 1 or 2 (C code called
// through ctypes, for example) to the cell.
func (r *run) drainRaw(cr *CellResult) {
	if r.py == nil {
		return
	}
	if text := r.py.raw.Take(); text != "" {
		cr.addStream("stdout", cleanText([]byte(text), false))
	}
}

// pyEscape escapes text as Python's html.escape does.
var pyEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// spoiler lays out a %run output as the course did with
// --under-spoiler-threshold: in <pre><code>, under <details> when longer
// than threshold lines.
func spoiler(out string, threshold int) string {
	out = strings.TrimSuffix(out, "\n")
	out = pyEscape.Replace(out)
	switch {
	case len(strings.Split(out, "\n")) > threshold:
		return "<details> <summary> output </summary> <pre><code>" + out + "</code></pre></details>"
	case out != "":
		return "<pre><code>" + out + "</code></pre>"
	}
	return ""
}

// workerAddedVar names, in the worker's environment, the variables labrun
// added for the worker alone; the worker removes them (and this one)
// from os.environ at start, so that no process a lesson starts from
// Python (os.system, subprocess) sees them.
const workerAddedVar = "LABRUN_WORKER_ADDED"

// workerEnv is the steps' environment plus what the worker itself needs:
// no bytecode files in the work dir, UTF-8 pipes to labrun.
func workerEnv(env []string) []string {
	out := append([]string(nil), env...)
	var added []string
	for _, kv := range []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8"} {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, k+"=") }) {
			out = append(out, kv)
			added = append(added, k)
		}
	}
	return append(out, workerAddedVar+"="+strings.Join(added, ","))
}
