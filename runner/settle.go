package runner

import (
	"time"

	"github.com/labrun/labrun/internal/proc"
)

// settleLimit bounds the wait for background steps to block or exit.
const settleLimit = time.Second

// settle waits (at most settleLimit) until every live background step
// is asleep or has exited and printed nothing for a moment, so that the
// next step sees the order the lesson shows, not the scheduler's.
func (b *background) settle() {
	live := false
	for _, s := range b.steps {
		if s.done != nil && !s.busy && !s.exited() {
			live = true
		}
	}
	if !live {
		return
	}
	deadline := time.Now().Add(settleLimit)
	calm := 0
	for time.Now().Before(deadline) {
		if b.asleep() {
			calm++
			if calm >= 2 {
				return
			}
		} else {
			calm = 0
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A step that never rests (a busy loop, a stream of output) would cost
	// every later settle its full bound: later settles do not wait for it.
	for _, s := range b.steps {
		if s.done != nil && !s.exited() && !s.resting() {
			s.busy = true
		}
	}
}

// resting reports whether every process of the step sleeps and it printed
// nothing in the last few milliseconds.
func (s *bgStep) resting() bool {
	if s.quietFor() < 5*time.Millisecond {
		return false
	}
	return proc.GroupAsleep(s.pid)
}

// asleep reports whether every process of every live background step is
// sleeping (or gone) and none printed in the last few milliseconds.
func (b *background) asleep() bool {
	for _, s := range b.steps {
		if s.done == nil || s.busy || s.exited() {
			continue
		}
		if !s.resting() {
			return false
		}
	}
	return true
}
