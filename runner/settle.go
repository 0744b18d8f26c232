package runner

import (
	"strings"
	"time"
)

// settleLimit bounds the wait for background steps to block or exit.
const settleLimit = time.Second

// settlePollMin and settlePollMax bound the back-off between two looks of
// settle: the first look comes at once, the next settlePollMin later, each
// one after twice as late, at most settlePollMax; output of a background
// step starts the back-off over.
const (
	settlePollMin = time.Millisecond
	settlePollMax = 8 * time.Millisecond
)

// settleQuiet is how long a resting step has printed nothing.
const settleQuiet = 5 * time.Millisecond

// settle waits (at most settleLimit) until every live background step
// is asleep or has exited and printed nothing for a moment, at two looks
// in a row between which none of their processes ran, so that the next step sees the order the lesson shows, not
// the scheduler's.
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
	timer := time.NewTimer(settleLimit)
	defer timer.Stop()
	wait := settlePollMin
	prev := ""
	for time.Now().Before(deadline) {
		look, asleep := b.look()
		if asleep && look == prev {
			return
		}
		prev = ""
		if asleep {
			prev = look
		}
		timer.Reset(wait)
		select {
		case <-b.changed:
			// Look again once it may have rested (timer.Reset drops a
			// tick not received: go 1.23).
			prev = ""
			timer.Reset(settleQuiet)
			<-timer.C
			wait = settlePollMin
		case <-timer.C:
			wait = min(2*wait, settlePollMax)
		}
	}
	// A step that never rests (a busy loop, a stream of output) would cost
	// every later settle its full bound: later settles do not wait for it.
	for _, s := range b.steps {
		if s.done != nil && !s.exited() && !resting(s, b) {
			s.busy = true
		}
	}
}

// resting reports whether every process of the step sleeps, it printed
// nothing in the last few milliseconds and has no input waiting; look is
// what was seen (Session.GroupLook).
func (s *bgStep) resting(b *background) (look string, ok bool) {
	if s.quietFor() < settleQuiet || s.stdin.Pending() {
		return "", false
	}
	return b.sess.GroupLook(s.pid)
}

// look reports whether every process of every live background step is
// sleeping (or gone) and none printed in the last few milliseconds; two
// equal looks in a row say none of them ran in between.
func (b *background) look() (look string, asleep bool) {
	var all strings.Builder
	for _, s := range b.steps {
		if s.done == nil || s.busy || s.exited() {
			continue
		}
		l, ok := s.resting(b)
		if !ok {
			return "", false
		}
		all.WriteString(l)
	}
	return all.String(), true
}

func resting(s *bgStep, b *background) bool {
	_, ok := s.resting(b)
	return ok
}
