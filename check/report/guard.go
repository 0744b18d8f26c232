package report

import (
	"errors"
	"sync"

	"github.com/labrun/labrun/check"
)

// Guard hands events to a handler until it is frozen, and may finish it
// from another goroutine than the suite's: labrun quitting at once (a
// second Ctrl-C) freezes the JUnit file's handler, so that nothing the
// run does as its processes are killed enters the report, and then
// writes the file for what finished. Its lock is for that one crossing;
// the suite's events alone need none.
type Guard struct {
	mu     sync.Mutex
	h      check.Handler
	frozen bool
}

// NewGuard guards h.
func NewGuard(h check.Handler) *Guard { return &Guard{h: h} }

// Handle hands the event on, unless the guard is frozen.
func (g *Guard) Handle(ev check.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.frozen {
		g.h.Handle(ev)
	}
}

// Freeze hands no more events on; it waits for one being handed on.
func (g *Guard) Freeze() {
	g.mu.Lock()
	g.frozen = true
	g.mu.Unlock()
}

// Finish finishes the handler (when it is a Finisher, or each of a
// Multi's that is one) with what it was handed.
func (g *Guard) Finish(t check.Totals) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch h := g.h.(type) {
	case Multi:
		var errs []error
		h.Finish(t, func(err error) { errs = append(errs, err) })
		return errors.Join(errs...)
	case Finisher:
		return h.Finish(t)
	}
	return nil
}
