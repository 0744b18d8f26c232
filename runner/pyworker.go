package runner

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"golang.org/x/sys/unix"
)

// The lesson's Python worker: one python3 process for the whole lesson,
// started early (as a Jupyter kernel is up before the first cell) or on
// first use, started again after it had to be killed, stopped with the
// lesson. Python cells (python.go) talk to it; protocol.go writes down
// how.

// workerFiles is the worker's source, one file a concept (worker/*.py);
// it runs as one module, labrun_worker.py, the files joined in the order
// of workerParts: each part's top level may use what the parts before it
// define, and the worker tells its own frames from a cell's by that one
// file name (__file__).
//
//go:embed worker/*.py
var workerFiles embed.FS

// workerParts are the worker's files, in the order they are joined.
var workerParts = []string{"protocol", "streams", "display", "pretty", "syntax", "aliases", "launcher", "magics", "tracebacks", "context", "history", "cells"}

// workerSource is the worker's whole source.
var workerSource = joinWorker()

// joinWorker joins the worker's files in the order of workerParts.
func joinWorker() []byte {
	var src []byte
	for i, name := range workerParts {
		part, err := workerFiles.ReadFile("worker/" + name + ".py")
		if err != nil {
			panic(fmt.Sprintf("the worker's part %s is not embedded: %v", name, err))
		}
		if i > 0 {
			src = append(src, "\n\n"...)
		}
		src = append(src, part...)
	}
	return src
}

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

// startWorker starts python3 in dir with the worker script in a folder of
// its own in private (the run dir's labrun files, apart from the work dir,
// so that the lesson never sees them), and waits, within
// proc.InterpreterStart, for it to be ready. args are the worker's
// arguments (workerArgs: among them how many bytes of a display or
// traceback the transcript shows: the worker cuts longer ones itself).
// On failure it closes and removes what it made.
func startWorker(ctx context.Context, sess *proc.Session, dir, private string, env []string, args []string) (w *worker, err error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, ErrNoPython
	}
	scratch, err := os.MkdirTemp(private, "py-")
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
	cmd := exec.Command(py, append([]string{"-u", script}, args...)...)
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
		w, err := startWorker(r.ctx, r.sess, r.dir, r.work.private(), r.env, workerArgs(r.opts.OutputCap, r.set.IPython))
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
// had to be killed.
func (r *run) ensureWorker() error {
	if r.py != nil && !r.py.dead {
		return nil
	}
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
	w, err := startWorker(r.ctx, r.sess, r.dir, r.work.private(), r.env, workerArgs(r.opts.OutputCap, r.set.IPython))
	if err != nil {
		return err
	}
	r.py = w
	return nil
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
