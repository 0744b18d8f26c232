package runner

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// TestWorkerStartIsNotTheCells: the time workerFor waits for python3 to
// start moves the cell's deadline by as much (cellRun.extend); a start
// interrupted by labrun's Ctrl-C interrupts the cell instead.
func TestWorkerStartIsNotTheCells(t *testing.T) {
	const startTook = 100 * time.Millisecond
	for _, tc := range []struct {
		name        string
		early       error
		wantErr     error
		interrupted bool
	}{
		{"python3 missing", ErrNoPython, ErrNoPython, false},
		{"interrupted while it started", errWorkerInterrupted, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan startedWorker, 1)
			r := &run{pyEarly: ch, ctx: context.Background()}
			go func() {
				time.Sleep(startTook)
				ch <- startedWorker{err: tc.early}
			}()
			now := time.Now()
			cell := &cellRun{res: &transcript.CellResult{Status: transcript.OK}, start: now, deadline: now.Add(time.Second)}
			before := cell.deadline
			_, ok, err := r.workerFor(cell)
			if ok || !errors.Is(err, tc.wantErr) {
				t.Fatalf("workerFor: ok %v, err %v; want not ok, err %v", ok, err, tc.wantErr)
			}
			if moved := cell.deadline.Sub(before); moved < startTook {
				t.Errorf("the deadline moved %v, want at least the %v the start took", moved, startTook)
			}
			got := cell.res.Status == transcript.Interrupted && cell.res.Interruption != nil && cell.res.Interruption.Cause == transcript.Cancelled
			if got != tc.interrupted {
				t.Errorf("cell interrupted (cancelled): %v, want %v (status %v, %+v)", got, tc.interrupted, cell.res.Status, cell.res.Interruption)
			}
		})
	}
}

// TestTimeUp: a cell whose deadline has passed is interrupted by its
// timeout, after the time since its start; before it, nothing happens.
func TestTimeUp(t *testing.T) {
	start := time.Now()
	cell := &cellRun{res: &transcript.CellResult{Status: transcript.OK}, start: start, deadline: start.Add(time.Second)}
	if cell.timeUp(start.Add(500 * time.Millisecond)) {
		t.Fatal("time up half way to the deadline")
	}
	if cell.res.Status != transcript.OK || cell.res.Interruption != nil {
		t.Fatalf("before the deadline: status %v, %+v", cell.res.Status, cell.res.Interruption)
	}
	cell.extend(time.Second)
	if cell.timeUp(start.Add(1500 * time.Millisecond)) {
		t.Fatal("time up before the extended deadline")
	}
	if !cell.timeUp(start.Add(2500 * time.Millisecond)) {
		t.Fatal("time not up past the extended deadline")
	}
	if why := cell.res.Interruption; cell.res.Status != transcript.Interrupted || why == nil || why.Cause != transcript.Timeout || why.After != 2500*time.Millisecond {
		t.Errorf("past the deadline: status %v, %+v; want interrupted by the timeout after 2.5s", cell.res.Status, why)
	}
}

// TestRenew: a course cell's step interrupted for the timeout or as
// stuck moves the deadline to the interruption plus the timeout, never
// earlier than it was nor past the limit (maxWindows timeouts after the
// start, moved by extend); a stop of labrun, or a native fence (one
// window), does not go on.
func TestRenew(t *testing.T) {
	r := &run{set: Settings{Timeout: time.Second}}
	course := r.newCell(&lessons.Cell{}, &transcript.CellResult{Status: transcript.OK})
	start := course.start
	at := func(cause transcript.Cause, after time.Duration) *transcript.Interruption {
		return &transcript.Interruption{Cause: cause, After: after}
	}
	if !course.renew(at(transcript.Timeout, time.Second)) || course.deadline != start.Add(2*time.Second) {
		t.Fatalf("after a timeout at 1s: deadline %v after the start, want 2s", course.deadline.Sub(start))
	}
	if !course.renew(at(transcript.Stuck, 1500*time.Millisecond)) || course.deadline != start.Add(2500*time.Millisecond) {
		t.Fatalf("after a stuck step at 1.5s: deadline %v after the start, want 2.5s", course.deadline.Sub(start))
	}
	course.extend(time.Second) // the deadline at 3.5s, the limit at 11s
	if !course.renew(at(transcript.Stuck, 2*time.Second)) || course.deadline != start.Add(3500*time.Millisecond) {
		t.Fatalf("a window that would end earlier: deadline %v after the start, want 3.5s", course.deadline.Sub(start))
	}
	if course.renew(at(transcript.Cancelled, 3*time.Second)) || course.renew(nil) || course.deadline != start.Add(3500*time.Millisecond) {
		t.Fatalf("a stop of labrun, or no interruption, went on (deadline %v after the start)", course.deadline.Sub(start))
	}
	if !course.renew(at(transcript.Timeout, 10500*time.Millisecond)) || course.deadline != start.Add(maxWindows*time.Second+time.Second) {
		t.Fatalf("past the limit: deadline %v after the start, want %v", course.deadline.Sub(start), maxWindows*time.Second+time.Second)
	}

	native := r.newCell(&lessons.Cell{Attrs: &lessons.Attrs{}}, &transcript.CellResult{Status: transcript.OK})
	if native.renew(at(transcript.Timeout, time.Second)) || native.deadline != native.start.Add(time.Second) {
		t.Errorf("a native fence went on: deadline %v after the start, want 1s", native.deadline.Sub(native.start))
	}
}
