package check

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/runner"
	"github.com/labrun/labrun/transcript"
)

// Suite checks lessons, several at once, and tells a Handler what
// happens as it goes; the reporters of package check/report are
// handlers.
type Suite struct {
	// Jobs is how many lessons are checked at once (at least 1).
	Jobs int
	// Runner are every lesson's run options; Course, when nil, is each
	// lesson's labrun.toml (config.ForLesson), and OnCell is the suite's.
	Runner runner.Options
	// Update rewrites the outputs of failing cells with the fresh ones;
	// with DryRun it only works out the diff it would apply.
	Update, DryRun bool
	// FailFast stops taking lessons once one failed (LessonEnded.Failed);
	// the running ones finish, the others are not checked
	// (LessonNotChecked; Totals.Stopped counts them).
	FailFast bool
	// RerunFails runs a lesson with failing cells again, up to this many
	// times; Runs runs each lesson this many times (at least 2 to do
	// anything); WriteRules writes the rules Runs proposes for flaky
	// cells to their lessons; FailOnFlaky makes a flaky cell fail the
	// check (flaky.go).
	RerunFails, Runs        int
	WriteRules, FailOnFlaky bool
	// OnNote, when set, is called with what the user is to know of a
	// lesson's settings (Options.OnNote), from the goroutine checking it.
	OnNote func(string)
}

// Handler receives a suite's events. The suite calls it from the
// goroutine that called Run, one event at a time and holding no lock,
// so a handler needs no lock of its own for them. The events of a lesson
// come in this order: LessonStarted; LessonRunning, when the lesson was
// read and its run begins; a CellRan for each cell run; then, once the
// whole lesson ran, a CellChecked for each cell and LessonEnded, with no
// other lesson's event between them. The events of lessons checked at
// once interleave otherwise.
type Handler interface {
	Handle(Event)
}

// Event is one of LessonStarted, LessonRunning, CellRan, LessonRerun,
// CellChecked, LessonEnded and LessonNotChecked.
type Event interface{ event() }

// LessonStarted: the suite took a lesson, before reading it.
type LessonStarted struct{ Lesson }

// LessonRunning: a lesson was read, and the run of Run, its skeleton,
// begins.
type LessonRunning struct {
	Lesson
	Run *lessons.Lesson
}

// CellRan: a cell of a running lesson has run (its verdict comes once
// the whole lesson ran).
type CellRan struct {
	Lesson
	Result *transcript.CellResult
}

// CellChecked is a cell's verdict.
type CellChecked struct {
	Lesson
	Cell *CellReport
	// Mended says that --update rewrote the cell's outputs: it failed,
	// and counts as updated, not failed (LessonEnded.Mended).
	Mended bool
}

// LessonEnded: a lesson's check is over.
type LessonEnded struct {
	// Index is the lesson's index in the lessons given to Run.
	Index int
	Lesson
	// Report is the check (nil when the lesson could not run).
	Report *Report
	// Err says why the lesson could not be checked, or not wholly (a
	// Report may come with it, holding what ran).
	Err error
	// Update is what --update did.
	Update UpdateResult
	// Rules is what --write-rules did (rules_write.go).
	Rules RulesResult
}

// LessonNotChecked: the suite did not take a lesson, the only event that
// names it: a lesson failed before it under FailFast, or a stop of
// labrun (ctx done) came first. Its lesson did not pass: the reports
// say so, and --failed-from takes it again.
type LessonNotChecked struct {
	// Index is the lesson's index in the lessons given to Run.
	Index int
	Lesson
	// FailFast: a lesson failed before it (Suite.FailFast); otherwise
	// labrun was stopped before it.
	FailFast bool
}

// Why words why the lesson was not checked, as the reports say it.
func (e LessonNotChecked) Why() string {
	if e.FailFast {
		return "not checked: a lesson failed before it (--fail-fast)"
	}
	return "not checked: labrun was stopped before it"
}

// Failed says whether the lesson failed: it could not be checked, or a
// cell failed that --update did not mend.
func (e LessonEnded) Failed() bool {
	if e.Err != nil {
		return true
	}
	if e.Report == nil {
		return false
	}
	_, f, _ := e.Report.Counts()
	if e.Update.Kind == UpdateWritten {
		f -= e.Update.Mended
	}
	return f > 0
}

// Mended says whether --update mended the failing cell c of the lesson:
// it rewrote the lesson's file, and c failed for its outputs (not for an
// expectation, nor cut by an interruption, which a rewrite does not
// mend). Every report counts such a cell as updated, not failed.
func (e LessonEnded) Mended(c *CellReport) bool {
	return e.Update.Kind == UpdateWritten && e.Report != nil && c.Verdict == Fail && e.Report.mends(c)
}

func (LessonStarted) event()    {}
func (LessonRunning) event()    {}
func (CellRan) event()          {}
func (CellChecked) event()      {}
func (LessonEnded) event()      {}
func (LessonNotChecked) event() {}

// Run checks the lessons, s.Jobs at a time, and returns the totals (see
// Totals.Status for the check's status). Once ctx is done the lessons
// not yet taken are not checked (a LessonNotChecked each) and the
// running ones end as their runs do.
func (s Suite) Run(ctx context.Context, ls []Lesson, h Handler) Totals {
	events := make(chan Event)
	work := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Bool // a lesson failed, under FailFast
	for range min(max(s.Jobs, 1), max(len(ls), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				switch {
				case failed.Load():
					events <- LessonNotChecked{Index: i, Lesson: ls[i], FailFast: true}
				case ctx.Err() != nil:
					events <- LessonNotChecked{Index: i, Lesson: ls[i]}
				default:
					s.check(ctx, i, ls[i], func(e Event) {
						if end, ok := e.(LessonEnded); ok && s.FailFast && end.Failed() {
							failed.Store(true) // before the end is told: -j 1 stops at once
						}
						events <- e
					})
				}
			}
		}()
	}
	go func() {
		for i := range ls {
			work <- i
		}
		close(work)
		wg.Wait()
		close(events)
	}()
	t := Totals{FailOnFlaky: s.FailOnFlaky}
	for e := range events {
		if nc, ok := e.(LessonNotChecked); ok {
			t.notChecked(nc)
		}
		if end, ok := e.(LessonEnded); ok {
			t.count(end)
			if end.Report != nil {
				for _, c := range end.Report.Cells {
					h.Handle(CellChecked{Lesson: end.Lesson, Cell: c, Mended: end.Mended(c)})
				}
			}
		}
		h.Handle(e)
	}
	return t
}

// check checks the lesson ls[i] and sends its events (Run hands on each
// cell's verdict just before its end, so that they come together).
func (s Suite) check(ctx context.Context, i int, l Lesson, send func(Event)) {
	send(LessonStarted{l})
	o := Options{Runner: s.Runner, OnNote: s.OnNote}
	var err error
	if o.Runner.Course == nil {
		if o.Runner.Course, err = config.ForLesson(l.Path, ""); err != nil {
			err = badConfig{err}
		}
	}
	o.OnStart = func(run *lessons.Lesson) { send(LessonRunning{l, run}) }
	o.Runner.OnCell = func(cr *transcript.CellResult) { send(CellRan{l, cr}) }
	var rep *Report
	if err == nil {
		rep, err = s.runLesson(ctx, l, o, send)
	}
	end := LessonEnded{Index: i, Lesson: l, Report: rep, Err: err}
	if rep != nil && s.Update {
		end.Update = rewrite(rep, s.DryRun)
	}
	if rep != nil && s.WriteRules {
		end.Rules = writeRules(rep)
	}
	send(end)
}

// isBadInput says whether a lesson's error is about its text or its
// settings, not about running it.
func isBadInput(err error) bool {
	var le *lessons.Error
	var ll lessons.ErrorList
	var bc badConfig
	return errors.As(err, &le) || errors.As(err, &ll) || errors.As(err, &bc) || errors.Is(err, runner.ErrBadLimits)
}

// badConfig is a labrun.toml that could not be read: bad input.
type badConfig struct{ error }

func (b badConfig) Unwrap() error { return b.error }
