package proc

import (
	"context"
	"sync"
	"time"

	"github.com/labrun/labrun/internal/outcome"
)

// Escalation is how a supervised thing is stopped, one stage after the
// other, as os/exec's Cmd.Cancel and Cmd.WaitDelay stop a command:
// Interrupt, then, Grace later, Kill, then, KillWait later, CloseIO.
type Escalation struct {
	// Interrupt is the polite stop (Ctrl-C, KeyboardInterrupt); nil goes
	// straight to Kill.
	Interrupt func()
	// Kill ends the thing for good (SIGKILL to its process group).
	Kill func()
	// CloseIO stops waiting for I/O that something outside the killed
	// group holds open; nil when there is none to close.
	CloseIO func()
}

// Cause says why the supervisor interrupted (internal/outcome's).
type Cause = outcome.Cause

// The causes of an interruption.
const (
	// Timeout: the deadline passed.
	Timeout = outcome.Timeout
	// Stuck: it could never progress (Interruption.Where says where it
	// waited).
	Stuck = outcome.Stuck
	// Cancelled: labrun was interrupted (its context ended).
	Cancelled = outcome.Cancelled
)

// Interruption says why and when the supervisor interrupted; its After
// counts from Policy.Start.
type Interruption = outcome.Interruption

// Policy says when the supervisor interrupts.
type Policy struct {
	// Deadline is when it is interrupted for Timeout; zero is never.
	Deadline time.Time
	// Start is what Interruption.After counts from (the start of the
	// cell a step belongs to); zero is when Supervise is called.
	Start time.Time
	// Grace is how long after Interrupt the thing may take to end before
	// Kill.
	Grace time.Duration
	// Stuck, when set, is asked whether the thing can never progress; it
	// returns where it waits, or, when it is not stuck, after how long
	// it would like to be asked again (zero: when the back-off says). It
	// is asked stuckPollMin after the start and after each output
	// (Changed), then less and less often, up to every stuckPollMax.
	Stuck func() (where string, stuck bool, again time.Duration)
	// Changed, when set, receives when the thing printed (Sink.Changed).
	Changed <-chan struct{}
}

// Supervisor watches one running thing, from Supervise to Stop, and
// escalates when its policy calls for it. Its own goroutine looks at the
// clock and takes the stages; the goroutine that called Supervise waits
// for the thing to end and then calls Stop.
type Supervisor struct {
	esc  Escalation
	pol  Policy
	stop chan struct{}
	done chan struct{}
	// wake makes the supervisor work out again when it must look next:
	// at Release, whose stage may be due, and whose stuck checks resume.
	wake chan struct{}

	mu   sync.Mutex // guards what follows; the stages are taken under it
	held int        // while > 0, no stage is taken
	why  *Interruption
	// heldWhy is set when the cause came while held: the held step took
	// the interruption, and the thing gets a grace to end by itself.
	heldWhy bool
	stage   stage
	next    time.Time // when the next stage is due
}

// stage is how far the escalation went.
type stage int

const (
	watching stage = iota
	deferred       // the held step was interrupted; the thing's turn comes
	interrupted
	killed
	over
)

// Supervise starts supervising under pol, escalating with esc; ctx ending
// is an interruption (Cancelled).
func Supervise(ctx context.Context, esc Escalation, pol Policy) *Supervisor {
	if pol.Start.IsZero() {
		pol.Start = time.Now()
	}
	s := &Supervisor{esc: esc, pol: pol, stop: make(chan struct{}), done: make(chan struct{}),
		wake: make(chan struct{}, 1)}
	go s.run(ctx)
	return s
}

func (s *Supervisor) run(ctx context.Context) {
	defer close(s.done)
	// One timer, set to what is due first: the deadline, the next stage,
	// the next stuck check. Stuck checks back off from stuckPollMin to
	// stuckPollMax while the answer is no, and start over at
	// stuckPollMin when the step printed (Policy.Changed): a step is
	// looked at soon after it fell silent, and rarely while it sleeps on
	// a timer or works.
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	ctxDone := ctx.Done()
	changed := s.pol.Changed
	backoff := stuckPollMin
	nextCheck := time.Now().Add(backoff)
	for {
		s.mu.Lock()
		due := s.dueLocked(nextCheck)
		s.mu.Unlock()
		timer.Reset(time.Until(due))
		cancelled, check := false, false
		var hint time.Duration // when the stuck check asks to look again
		select {
		case <-s.stop:
			return
		case <-s.wake:
			continue
		case <-ctxDone:
			ctxDone, cancelled = nil, true
		case <-changed:
			// Output: the step lives. Look again soon after it stops;
			// further output is not listened to until that look.
			changed, backoff = nil, stuckPollMin
			nextCheck = time.Now().Add(backoff)
			continue
		case <-timer.C:
		}
		now := time.Now()
		if !now.Before(nextCheck) {
			check = true
			changed = s.pol.Changed
		}
		s.mu.Lock()
		if s.why == nil {
			var why *Interruption
			switch {
			case cancelled:
				why = &Interruption{Cause: Cancelled}
			case !s.pol.Deadline.IsZero() && !now.Before(s.pol.Deadline):
				why = &Interruption{Cause: Timeout}
			case check && s.held == 0 && s.pol.Stuck != nil:
				where, ok, again := s.pol.Stuck()
				if ok {
					why = &Interruption{Cause: Stuck, Where: where}
				}
				hint = again
			}
			if why != nil {
				why.After = now.Sub(s.pol.Start)
				s.why, s.heldWhy = why, s.held > 0
			}
		}
		if check {
			backoff = min(2*backoff, stuckPollMax)
			nextCheck = now.Add(backoff)
			if hint > 0 && hint < backoff {
				nextCheck = now.Add(hint)
			}
		}
		s.advance(now)
		s.mu.Unlock()
	}
}

// dueLocked is when the supervisor must look next: the deadline, the next
// stage, the next stuck check (nextCheck), whichever comes first; the
// caller holds s.mu. While held there is neither a stage nor a stuck
// check to take: Release wakes the supervisor.
func (s *Supervisor) dueLocked(nextCheck time.Time) time.Time {
	due := time.Now().Add(time.Hour)
	earlier := func(t time.Time) {
		if t.Before(due) {
			due = t
		}
	}
	if s.why == nil {
		if !s.pol.Deadline.IsZero() {
			earlier(s.pol.Deadline)
		}
		if s.pol.Stuck != nil && s.held == 0 {
			earlier(nextCheck)
		}
	} else if s.stage < over && s.held == 0 {
		earlier(s.next)
	}
	return due
}

// advance takes the stage that is due, if any; the caller holds s.mu.
// While held, no stage is taken: a step within the thing is supervised on
// its own, under the same deadline, and the stage is taken once it is
// over (at Release). When the cause came while held, the held step took
// the interruption (as IPython's system() swallows a KeyboardInterrupt
// after passing Ctrl-C to its program), so the thing gets a grace to end
// by itself before its own Interrupt.
func (s *Supervisor) advance(now time.Time) {
	if s.held > 0 || s.why == nil {
		return
	}
	switch {
	case s.stage == watching && s.heldWhy:
		s.stage, s.next = deferred, now.Add(s.pol.Grace)
	case s.stage == watching || (s.stage == deferred && (!s.heldWhy || !now.Before(s.next))):
		s.stage, s.next = interrupted, now
		if s.esc.Interrupt != nil {
			s.esc.Interrupt()
			s.next = now.Add(s.pol.Grace)
		}
	case s.stage == interrupted && !now.Before(s.next):
		s.esc.Kill()
		s.stage, s.next = killed, now.Add(KillWait)
	case s.stage == killed && !now.Before(s.next):
		if s.esc.CloseIO != nil {
			s.esc.CloseIO()
		}
		s.stage = over
	}
}

// Hold keeps the supervisor from taking any stage until Release: a step
// the thing runs (a Python cell's shell step) is supervised by a
// Supervisor of its own, under the same deadline, and interrupting the
// thing meanwhile would interrupt it mid-request.
func (s *Supervisor) Hold() {
	s.mu.Lock()
	s.held++
	s.mu.Unlock()
}

// Release ends a Hold, taking at once the stage that came due meanwhile.
func (s *Supervisor) Release() {
	s.mu.Lock()
	s.held--
	s.advance(time.Now())
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// Expedite gives up the grace a thing gets after its held step took the
// interruption: it goes on as if it had not seen it (a Python cell that
// asks for another step past its deadline), so its own Interrupt is due
// at the next Release.
func (s *Supervisor) Expedite() {
	s.mu.Lock()
	s.heldWhy = false
	s.mu.Unlock()
}

// Renew gives the thing a new window, up to deadline, while a step of it
// is held: the held step was interrupted and the thing goes on with it
// (IPython's system() swallows the KeyboardInterrupt), as nbclient waits
// the cell's timeout again after each interrupt (client.py,
// _async_poll_for_reply: get_msg(timeout=new_timeout) after
// _async_handle_timeout). A Timeout the held step took meanwhile is
// forgotten, so the thing is interrupted at deadline, not at Release;
// any other interruption stands.
func (s *Supervisor) Renew(deadline time.Time) {
	s.mu.Lock()
	s.pol.Deadline = deadline
	if s.why != nil && s.heldWhy && s.why.Cause == Timeout && s.stage == watching {
		s.why, s.heldWhy = nil, false
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// Interrupted returns why the supervisor interrupted so far, or nil.
func (s *Supervisor) Interrupted() *Interruption {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.why
}

// Killed reports whether the supervisor had to Kill.
func (s *Supervisor) Killed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stage >= killed
}

// Stop ends the supervision (the thing ended) and returns why it was
// interrupted, or nil when it ended by itself. No stage is taken after
// Stop returns.
func (s *Supervisor) Stop() *Interruption {
	close(s.stop)
	<-s.done
	return s.Interrupted()
}
