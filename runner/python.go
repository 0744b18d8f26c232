package runner

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// Python cells: the cell goes to the lesson's worker (pyworker.go) as a
// run request, and labrun serves what the worker asks for meanwhile (a
// shell step, a captured command, a background step), under the cell's
// deadline, until the worker says the cell is done.

// workerFor returns the lesson's worker for cell, started if need be.
// Starting python3 is labrun's time, not the cell's: the cell's deadline
// is extended by it. ok is false when labrun was interrupted meanwhile
// (the cell says so); the error is one that stops the run.
func (r *run) workerFor(cell *cellRun) (w *worker, ok bool, err error) {
	if r.py == nil || r.py.dead {
		t0 := time.Now()
		err = r.ensureWorker()
		cell.extend(time.Since(t0))
	}
	if errors.Is(err, errWorkerInterrupted) {
		cell.res.Interrupt(&transcript.Interruption{Cause: transcript.Cancelled, After: time.Since(cell.start)})
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r.py, true, nil
}

// expand interpolates {expr} and $name in a %run line from the Python
// namespace, as IPython's system() did. Without a worker (the lesson has
// run no Python yet) a line with neither is left as it is. ok is false
// when the expansion did not end (the cell says why): the line must not
// run.
func (r *run) expand(cell *cellRun, line string) (string, bool, error) {
	if !strings.ContainsAny(line, "{$") {
		return line, true, nil
	}
	w, ok, err := r.workerFor(cell)
	if !ok {
		return "", false, err
	}
	w.seq++
	before := cell.res.Status
	m, err := r.converse(cell, w, &expandReq{header: header{Seq: w.seq}, Text: line})
	if err != nil || m == nil || (cell.res.Status == transcript.Interrupted && before != transcript.Interrupted) {
		return "", false, err
	}
	return m.(*expandedMsg).Text, true, nil
}

// runPythonCell sends the cell to the worker and serves its requests until
// it is done.
func (r *run) runPythonCell(cell *cellRun) error {
	c := cell.c
	if strings.TrimSpace(c.Source) == "" {
		return nil
	}
	w, ok, err := r.workerFor(cell)
	if !ok {
		return err
	}
	w.seq++
	m, err := r.converse(cell, w, &runReq{header: header{Seq: w.seq}, Code: c.Source, Cell: c.Index})
	if err != nil || m == nil {
		return err
	}
	r.bg.settle()
	return nil
}

// converse sends req (run or expand) to the worker and serves what the
// worker sends until the message that ends req (done or expanded), which
// it returns. It runs under a supervisor whose deadline is the cell's (a
// step interrupted and gone on from moves both: cellRun.renew):
// past it the worker gets SIGINT (KeyboardInterrupt, as Jupyter's
// interrupt), and if it does not end the request within the grace it is
// killed, its state lost. While the worker waits for a request of its own
// (a shell step, which has the same deadline) the supervisor holds back.
// When the worker ends, is killed or breaks the protocol, converse says so
// in the cell's result and returns nil; its error is one that must stop
// the run (a step could not be started).
func (r *run) converse(cell *cellRun, w *worker, req workerMessage) (workerMessage, error) {
	cr := cell.res
	x := exchange{seq: req.head().Seq, final: opDone}
	if req.op() == opExpand {
		x.final = opExpanded
	}
	sv := proc.Supervise(r.ctx, proc.Escalation{
		Interrupt: func() { _ = unix.Kill(w.pid, unix.SIGINT) },
		Kill:      func() { _ = unix.Kill(-w.pid, unix.SIGKILL) },
		CloseIO:   func() { w.fromFd.Close() },
	}, proc.Policy{Deadline: cell.deadline, Start: cell.start, Grace: r.opts.Grace + proc.InterpreterGrace})
	cell.sv = sv
	defer func() { cell.sv = nil }()
	// end stops the supervisor and records its interruption, if any.
	end := func() {
		if why := sv.Stop(); why != nil {
			cr.Interrupt(why)
		}
	}
	// lost ends the worker: the cell fails (unless it was interrupted) and
	// says why; the next Python cell starts a fresh worker.
	lost := func(loss *transcript.WorkerLoss) {
		end()
		r.drainRaw(cr)
		w.stop()
		if cr.Status != transcript.Interrupted {
			cr.Status = transcript.Failed
		}
		cr.WorkerLost = loss
	}
	if err := w.send(req); err != nil {
		lost(&transcript.WorkerLoss{Err: err.Error()})
		return nil, nil
	}
	for {
		in := <-w.in
		var perr *protocolError
		switch {
		case errors.As(in.err, &perr):
			lost(&transcript.WorkerLoss{Err: perr.Error()})
			return nil, nil
		case in.err != nil:
			lost(&transcript.WorkerLoss{Killed: sv.Killed(), Err: in.err.Error()})
			return nil, nil
		}
		if err := x.check(in.m, w.lastReq); err != nil {
			lost(&transcript.WorkerLoss{Err: (&protocolError{why: err.Error(), line: in.line}).Error()})
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
		err := r.handle(cell, w, in.m)
		sv.Release()
		if err != nil {
			sv.Stop()
			return nil, err
		}
	}
}

// handle serves one message of the worker other than the one that ends
// the exchange.
func (r *run) handle(cell *cellRun, w *worker, m workerMessage) error {
	cr := cell.res
	switch m := m.(type) {
	case *streamMsg:
		cr.AddStream(transcript.StreamNamed(m.Name), cleanText([]byte(m.Text), false))
	case *displayMsg:
		data := shown(m.Data, r.opts.OutputCap)
		switch m.Mime {
		case "text/markdown", "text/latex":
			// nbconvert's Markdown writes both as they are.
			cr.Add(transcript.Markdown, data)
		case "text/html":
			cr.Add(transcript.HTML, data)
		default:
			cr.Add(transcript.Text, data)
		}
	case *errorMsg:
		if m.Traceback != "" { // else the worker wrote the error on stderr (a UsageError)
			cr.Add(transcript.Error, shown(m.Traceback, r.opts.OutputCap))
		}
		if m.Ename == "SystemExit" {
			if w := r.exitWarned(r.set.IPython); w != "" {
				cr.AddStream(transcript.Stderr, w)
			}
		}
		if m.Fails {
			if cr.Exception == nil {
				cr.Exception = &transcript.Exception{Name: m.Ename, Message: m.Evalue}
			}
			if cr.Status == transcript.OK {
				cr.Status = transcript.Failed
			}
		}
	case *systemReq:
		held := newHeldStream(m)
		code, err := r.system(cell, m.Cmd, held)
		if msg, ok := cellsFault(err); ok {
			return w.send(&refusedReply{header: header{Seq: m.Seq}, Error: msg})
		} else if err != nil {
			return err
		}
		return w.send(&statusReply{header: header{Seq: m.Seq}, Status: code, StderrShown: held.wasShown()})
	case *getoutputReq:
		out, cut, err := r.capture(cell, m.Cmd, maxCaptureBytes)
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
		rep, err := r.bg.request(m, cell)
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
func (r *run) drainRaw(cr *transcript.CellResult) {
	if r.py == nil {
		return
	}
	if text := r.py.raw.Take(); text != "" {
		cr.AddStream(transcript.Stdout, cleanText([]byte(text), false))
	}
}
