package runner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/internal/proc"
)

// heldFarAhead is held text whose timer does not fire within a test: the
// step always ends first.
func heldFarAhead() *heldStream {
	return newHeldStream(&systemReq{Stderr: "e\n", StderrDue: time.Hour.Seconds()})
}

// TestHeldStreamStepEndsFirst: a step that ends before the held text is
// due leaves it with the worker (IPython's system() does not flush
// sys.stderr; its OutStream timer fires later).
func TestHeldStreamStepEndsFirst(t *testing.T) {
	out := proc.NewSink(0)
	h := heldFarAhead()
	h.watch(out)
	out.Write("stdout", []byte("x\r\n"))
	if h.end(out, false) || h.wasShown() {
		t.Error("shown, though the step ended before it was due")
	}
	if diff := cmp.Diff([]proc.Chunk{{Stream: "stdout", Data: []byte("x\r\n")}}, out.Chunks()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHeldStreamInterrupted: when the step or the cell is interrupted the
// worker abandons its request, so the text shows at the end of the step's
// output, once.
func TestHeldStreamInterrupted(t *testing.T) {
	out := proc.NewSink(0)
	h := heldFarAhead()
	h.watch(out)
	out.Write("stdout", []byte("x\r\n"))
	if !h.end(out, true) || !h.end(out, true) || !h.wasShown() {
		t.Error("not shown when interrupted")
	}
	want := []proc.Chunk{{Stream: "stdout", Data: []byte("x\r\n")}, {Stream: "stderr", Data: []byte("e\n")}}
	if diff := cmp.Diff(want, out.Chunks()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHeldStreamNone: a system request holding nothing needs no watch.
func TestHeldStreamNone(t *testing.T) {
	h := newHeldStream(&systemReq{Cmd: "true"})
	if h != nil {
		t.Fatalf("held %+v for a request without stderr", h)
	}
	out := proc.NewSink(0)
	h.watch(out)
	if h.end(out, true) || h.wasShown() || h.lapse() != nil || out.Text() != "" {
		t.Error("a nil heldStream did something")
	}
}

// TestHeldStreamLapse: a step that never starts (the cell's time was up)
// shows the text at once.
func TestHeldStreamLapse(t *testing.T) {
	h := heldFarAhead()
	if diff := cmp.Diff([]proc.Chunk{{Stream: "stderr", Data: []byte("e\n")}}, h.lapse()); diff != "" || !h.wasShown() {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
