package proc

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"
)

// recorder is an Escalation that records its stages.
type recorder struct {
	mu     sync.Mutex
	stages []string
	ended  chan struct{} // closed at the last stage expected
	last   string
}

func newRecorder(last string) *recorder { return &recorder{ended: make(chan struct{}), last: last} }

func (r *recorder) stage(name string) func() {
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stages = append(r.stages, name)
		if name == r.last {
			close(r.ended)
		}
	}
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stages...)
}

func (r *recorder) escalation(polite bool) Escalation {
	e := Escalation{Kill: r.stage("kill"), CloseIO: r.stage("close")}
	if polite {
		e.Interrupt = r.stage("interrupt")
	}
	return e
}

// TestSupervisorStages: a thing that never ends goes through every stage,
// in order, once; without an Interrupt the first stage is Kill.
func TestSupervisorStages(t *testing.T) {
	for _, polite := range []bool{true, false} {
		r := newRecorder("close")
		sv := Supervise(context.Background(), r.escalation(polite), Policy{Deadline: time.Now(), Grace: time.Millisecond})
		<-r.ended
		why := sv.Stop()
		want := []string{"interrupt", "kill", "close"}
		if !polite {
			want = want[1:]
		}
		if got := r.got(); !reflect.DeepEqual(got, want) {
			t.Errorf("polite=%v: stages %v, want %v", polite, got, want)
		}
		if why == nil || why.Cause != Timeout {
			t.Errorf("polite=%v: interruption %+v, want a timeout", polite, why)
		}
		if !sv.Killed() {
			t.Errorf("polite=%v: Killed() false after the kill stage", polite)
		}
	}
}

// TestSupervisorCauses: cancel and stuck are causes of their own; a thing
// that ends before any cause comes is not interrupted.
func TestSupervisorCauses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := newRecorder("interrupt")
	sv := Supervise(ctx, r.escalation(true), Policy{Grace: time.Hour})
	cancel()
	<-r.ended
	if why := sv.Stop(); why == nil || why.Cause != Cancelled {
		t.Errorf("cancelled: %+v", why)
	}

	r = newRecorder("interrupt")
	sv = Supervise(context.Background(), r.escalation(true), Policy{Grace: time.Hour,
		Stuck: func() (string, bool, time.Duration) { return "pipe_read", true, 0 }})
	<-r.ended
	if why := sv.Stop(); why == nil || why.Cause != Stuck || why.Where != "pipe_read" {
		t.Errorf("stuck: %+v", why)
	}

	r = newRecorder("")
	sv = Supervise(context.Background(), r.escalation(true), Policy{Deadline: time.Now().Add(time.Hour)})
	if why := sv.Stop(); why != nil || len(r.got()) != 0 {
		t.Errorf("ended by itself: interruption %+v, stages %v", why, r.got())
	}
}

// TestSupervisorHold: while held, a due interruption is recorded but no
// stage is taken; after Release the thing has a grace, then every stage
// follows.
func TestSupervisorHold(t *testing.T) {
	r := newRecorder("close")
	// Held long before the deadline comes.
	sv := Supervise(context.Background(), r.escalation(true), Policy{Deadline: time.Now().Add(100 * time.Millisecond), Grace: time.Millisecond})
	sv.Hold()
	for sv.Interrupted() == nil {
		time.Sleep(stuckPollMin)
	}
	if got := r.got(); len(got) != 0 {
		t.Fatalf("stages taken while held: %v", got)
	}
	sv.Release()
	<-r.ended
	if got := r.got(); !reflect.DeepEqual(got, []string{"interrupt", "kill", "close"}) {
		t.Errorf("after Release: stages %v", got)
	}
	sv.Stop()
}

// TestSupervisorRenew: a Timeout that came while held is forgotten when
// the held step's thing gets a new window (Renew): Release takes no
// stage, and the thing is interrupted at the new deadline; the second
// Interruption counts from the start. A renewal does not forget a stop
// of labrun (Cancelled).
func TestSupervisorRenew(t *testing.T) {
	r := newRecorder("interrupt")
	start := time.Now()
	sv := Supervise(context.Background(), r.escalation(true), Policy{Deadline: start.Add(20 * time.Millisecond), Start: start, Grace: time.Hour})
	sv.Hold()
	for sv.Interrupted() == nil {
		time.Sleep(stuckPollMin)
	}
	renewed := time.Now().Add(100 * time.Millisecond)
	sv.Renew(renewed)
	if why := sv.Interrupted(); why != nil {
		t.Fatalf("after Renew: interrupted %+v, want none", why)
	}
	sv.Release()
	<-r.ended
	why := sv.Stop()
	if time.Now().Before(renewed) || why == nil || why.Cause != Timeout || why.After < renewed.Sub(start) {
		t.Errorf("interrupted %+v at %v, want a Timeout at the new deadline, %v after the start", why, time.Since(start), renewed.Sub(start))
	}

	ctx, cancel := context.WithCancel(context.Background())
	sv = Supervise(ctx, newRecorder("").escalation(true), Policy{Deadline: time.Now().Add(time.Hour), Grace: time.Hour})
	sv.Hold()
	cancel()
	for sv.Interrupted() == nil {
		time.Sleep(stuckPollMin)
	}
	sv.Renew(time.Now().Add(time.Hour))
	sv.Release()
	if why := sv.Stop(); why == nil || why.Cause != Cancelled {
		t.Errorf("renewed after a stop: interrupted %+v, want Cancelled", why)
	}
}
