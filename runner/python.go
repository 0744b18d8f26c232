package runner

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
// external process; the Go side answers on its request pipe.
type worker struct {
	pid     int
	toPy    *os.File
	fromPy  *bufio.Reader
	fromFd  *os.File
	raw     *proc.Sink // what the worker writes to fd 1 and 2 itself (C code)
	done    <-chan unix.WaitStatus
	scratch string
	dead    bool
}

// message is one line of the worker protocol, either way.
type message struct {
	Op        string  `json:"op"`
	Name      string  `json:"name,omitempty"`
	Text      string  `json:"text,omitempty"`
	Mime      string  `json:"mime,omitempty"`
	Data      string  `json:"data,omitempty"`
	Cmd       string  `json:"cmd,omitempty"`
	Code      string  `json:"code,omitempty"`
	Cell      int     `json:"cell,omitempty"`
	Traceback string  `json:"traceback,omitempty"`
	ID        int     `json:"id,omitempty"`
	Style     string  `json:"style,omitempty"`
	Timeout   float64 `json:"timeout,omitempty"`
}

// startWorker starts python3 with the worker script in the work dir.
func startWorker(sess *proc.Session, dir string, env []string) (*worker, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, ErrNoPython
	}
	scratch, err := os.MkdirTemp("", scratchPattern()+"py-")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(scratch, "labrun_worker.py")
	if err := os.WriteFile(script, workerSource, 0o644); err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	rs, ws, err := proc.Pipes(3)
	if err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	inR, outR, rawR := rs[0], rs[1], rs[2]
	inW, outW, rawW := ws[0], ws[1], ws[2]
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		proc.CloseAll(append(rs, ws...)...)
		os.RemoveAll(scratch)
		return nil, err
	}
	cmd := exec.Command(py, "-u", script)
	cmd.Dir, cmd.Env = dir, append(env, "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, rawW, rawW
	cmd.ExtraFiles = []*os.File{inR, outW} // fds 3 and 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p, err := sess.Start(cmd)
	proc.CloseAll(inR, outW, rawW, devnull)
	if err != nil {
		proc.CloseAll(inW, outR, rawR)
		os.RemoveAll(scratch)
		return nil, fmt.Errorf("start python3: %w", err)
	}
	sess.Exempt(p.Pid)
	w := &worker{pid: p.Pid, toPy: inW, fromFd: outR, fromPy: bufio.NewReaderSize(outR, 1<<16),
		raw: proc.NewSink(DefaultOutputCap), scratch: scratch, done: p.Done()}
	go func() {
		proc.CopyOut(w.raw, "stdout", rawR)
		rawR.Close()
	}()
	m, err := w.recv()
	if err != nil || m.Op != "ready" {
		w.stop()
		return nil, fmt.Errorf("python3 worker did not start: %v %s", err, w.raw.Text())
	}
	return w, nil
}

func (w *worker) send(m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = w.toPy.Write(append(b, '\n'))
	return err
}

func (w *worker) recv() (message, error) {
	line, err := w.fromPy.ReadBytes('\n')
	if err != nil {
		return message{}, err
	}
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return message{}, fmt.Errorf("worker protocol: %w", err)
	}
	return m, nil
}

// stop ends the worker and its process group.
func (w *worker) stop() {
	if w.dead {
		return
	}
	w.dead = true
	w.toPy.Close()
	_ = unix.Kill(-w.pid, unix.SIGKILL)
	select {
	case <-w.done:
	case <-time.After(2 * time.Second):
	}
	w.fromFd.Close()
	os.RemoveAll(w.scratch)
}

// ensureWorker starts the lesson's worker on first use, or again after it
// had to be killed.
func (r *run) ensureWorker() error {
	if r.py != nil && !r.py.dead {
		return nil
	}
	// Starting python3 is labrun's time, not the cell's.
	t0 := time.Now()
	defer func() { r.deadline = r.deadline.Add(time.Since(t0)) }()
	w, err := startWorker(r.sess, r.dir, r.env)
	if err != nil {
		return err
	}
	r.py = w
	return nil
}

// expand interpolates {expr} and $name in a %run line from the Python
// namespace, as IPython's system() did. Without a worker (the lesson has
// run no Python yet) a line with neither is left as it is.
func (r *run) expand(line string) (string, error) {
	if !strings.ContainsAny(line, "{$") {
		return line, nil
	}
	if err := r.ensureWorker(); err != nil {
		return "", err
	}
	if err := r.py.send(message{Op: "expand", Text: line}); err != nil {
		return line, nil
	}
	m, err := r.py.recv()
	if err != nil || m.Op != "expanded" {
		return line, nil
	}
	return m.Text, nil
}

// reply answers a worker request.
type reply struct {
	Op     string `json:"op"`
	Status int    `json:"status"`
	Output string `json:"output,omitempty"`
	ID     int    `json:"id,omitempty"`
	PID    int    `json:"pid,omitempty"`
	Inq    string `json:"inq,omitempty"`
	Error  string `json:"error,omitempty"`
}

// runPythonCell sends the cell to the worker and serves its requests until
// it is done, under a supervisor whose deadline is the cell's: past it the
// worker gets SIGINT (KeyboardInterrupt, as Jupyter's interrupt), and if it
// does not end the cell within the grace it is killed and restarted, its
// state lost. While the worker waits for a request (a shell step, which
// has the same deadline) the supervisor holds back.
func (r *run) runPythonCell(c *lessons.Cell, cr *CellResult) error {
	if strings.TrimSpace(c.Source) == "" {
		return nil
	}
	if err := r.ensureWorker(); err != nil {
		return err
	}
	w := r.py
	if err := w.send(message{Op: "run", Code: c.Source, Cell: c.Index}); err != nil {
		return fmt.Errorf("python worker: %w", err)
	}
	msgs := make(chan message)
	errc := make(chan error, 1)
	next := make(chan struct{}, 1)
	go func() {
		for range next {
			m, err := w.recv()
			if err != nil {
				errc <- err
				return
			}
			msgs <- m
		}
	}()
	defer close(next)
	sv := proc.Supervise(r.ctx, proc.Escalation{
		Interrupt: func() { _ = unix.Kill(w.pid, unix.SIGINT) },
		Kill:      func() { _ = unix.Kill(-w.pid, unix.SIGKILL) },
		CloseIO:   func() { w.fromFd.Close() },
	}, proc.Policy{Deadline: r.deadline, Start: r.cellStart, Grace: r.opts.Grace + proc.InterpreterGrace})
	r.cellSV = sv
	defer func() { r.cellSV = nil }()
	interrupted := func() {
		if why := sv.Stop(); why != nil {
			cr.interrupt(why)
		}
	}
	next <- struct{}{}
	for {
		select {
		case m := <-msgs:
			sv.Hold()
			done, err := r.handle(w, m, c, cr)
			sv.Release()
			if err != nil {
				sv.Stop()
				return err
			}
			if done {
				interrupted()
				r.drainRaw(cr)
				r.bg.settle()
				return nil
			}
			next <- struct{}{}
		case err := <-errc:
			killed := sv.Killed()
			interrupted()
			r.drainRaw(cr)
			w.stop()
			if killed {
				cr.WorkerLost = &WorkerLoss{Killed: true}
				return nil
			}
			if cr.Status != Interrupted {
				cr.Status = Failed
			}
			cr.WorkerLost = &WorkerLoss{Err: err.Error()}
			return nil
		}
	}
}

// handle serves one worker message; done is true when the cell finished.
func (r *run) handle(w *worker, m message, c *lessons.Cell, cr *CellResult) (done bool, err error) {
	switch m.Op {
	case "stream":
		cr.addStream(m.Name, m.Text)
	case "display":
		switch m.Mime {
		case "text/markdown":
			cr.add(Markdown, m.Data)
		case "text/html":
			cr.add(HTML, m.Data)
		default:
			cr.add(Text, m.Data)
		}
	case "error":
		cr.add(Error, m.Traceback)
		if cr.Exception == nil {
			cr.Exception = exceptionOf(m.Traceback)
		}
		if cr.Status == OK {
			cr.Status = Failed
		}
	case "done":
		return true, nil
	case "system":
		code, err := r.system(m.Cmd, c)
		if msg, ok := cellsFault(err); ok {
			return false, w.send(reply{Op: "reply", Error: msg})
		} else if err != nil {
			return false, err
		}
		return false, w.send(reply{Op: "reply", Status: code})
	case "getoutput":
		out, err := r.getoutput(m.Cmd, c)
		if msg, ok := cellsFault(err); ok {
			return false, w.send(reply{Op: "reply", Error: msg})
		} else if err != nil {
			return false, err
		}
		return false, w.send(reply{Op: "reply", Output: out})
	default:
		rep, err := r.bg.request(m, cr)
		if err != nil {
			rep = reply{Error: err.Error()}
		}
		rep.Op = "reply"
		return false, w.send(rep)
	}
	return false, nil
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

// exceptionOf reads the exception's name and message from the last line
// of a traceback ("ValueError: boom", "KeyboardInterrupt").
func exceptionOf(traceback string) *Exception {
	lines := strings.Split(strings.TrimRight(traceback, "\n"), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	name, msg, _ := strings.Cut(last, ": ")
	return &Exception{Name: name, Message: msg}
}
