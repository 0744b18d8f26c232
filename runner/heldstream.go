package runner

import (
	"sync"
	"time"

	"github.com/labrun/labrun/internal/proc"
)

// heldStream is what a Python cell had written to sys.stderr, and
// ipykernel had not sent yet, when the cell ran a !cmd.
//
// IPython's system() (IPython/utils/_process_posix.py,
// ProcessHandler.system, the same in IPython 7.20 and 8.5) prints what the
// command wrote to sys.stdout and calls sys.stdout.flush() after each
// read (print(child.before[out_size:], end=""), then flush()), so stdout's
// pending text goes first, then the command's output as it is read. It
// never flushes sys.stderr: what stderr holds goes when its OutStream
// timer fires (ipykernel/iostream.py, OutStream.write → _schedule_flush:
// io_loop.call_later(flush_interval = 0.2, _flush) from its first pending
// write), on ipykernel's IO thread, while the command runs or after it.
// So a quick command's output comes before the stderr a cell printed just
// before it, while a command that prints after the 0.2 s shows it first.
//
// The worker hands such text over with the system request (stderr,
// stderr_due: seconds until its timer fires); labrun puts it among the
// command's output at that moment, as read by labrun's clock (the step's
// Sink, Interject), if the command is still running then. If the command
// ends first, the text was not shown: the worker holds it again, with its
// first write's time, for its timer or the cell's end (stdout first).
//
// The one model of ipykernel's flushes is thus the worker's _Stream
// (runner/worker/streams.py: write, flush, _flush_due, _FLUSH_INTERVAL), which
// hands labrun the moment its stderr was due; labrun applies it to the
// output of the command as it reads it.
type heldStream struct {
	stream string
	text   []byte
	due    time.Time

	mu    sync.Mutex
	timer *time.Timer
	over  bool // the step ended: too late to show the text in its output
	shown bool
}

// newHeldStream returns the held text of a system request, or nil when it
// holds none; due counts from now.
func newHeldStream(m *systemReq) *heldStream {
	if m.Stderr == "" {
		return nil
	}
	return &heldStream{stream: "stderr", text: []byte(m.Stderr), due: time.Now().Add(time.Duration(m.StderrDue * float64(time.Second)))}
}

// watch shows the text in the step's output when it comes due, if the
// step still runs then.
func (h *heldStream) watch(out *proc.Sink) {
	if h == nil {
		return
	}
	h.timer = time.AfterFunc(time.Until(h.due), func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.over {
			out.Interject(h.stream, h.text)
			h.shown = true
		}
	})
}

// end says the step ended (its output read to the end) and reports
// whether the text was shown in it. With force (the step or the cell was
// interrupted: the worker abandons its request, ending the cell) the text
// is shown now, at the end of the step's output, if it was not yet.
func (h *heldStream) end(out *proc.Sink, force bool) bool {
	if h == nil {
		return false
	}
	if h.timer != nil {
		h.timer.Stop()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.over = true
	if force && !h.shown {
		out.Interject(h.stream, h.text)
		h.shown = true
	}
	return h.shown
}

// lapse is the text when the step never started (the cell's time was up):
// the cell ends interrupted, so it shows at once.
func (h *heldStream) lapse() []proc.Chunk {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.over, h.shown = true, true
	return []proc.Chunk{{Stream: h.stream, Data: h.text}}
}

// wasShown reports whether the text was shown in the step's output.
func (h *heldStream) wasShown() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.shown
}
