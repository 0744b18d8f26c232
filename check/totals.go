package check

import (
	"fmt"

	"github.com/labrun/labrun/render"
)

// Totals counts verdicts over the lessons of a suite.
type Totals struct {
	Passed, Failed, Skipped int
	// NotFinished counts cells a signal meant for labrun cut (neither
	// passed nor failed).
	NotFinished int
	// Flaky counts cells that failed in a run and passed in another, or
	// whose outputs differed between runs (flaky.go); FailOnFlaky makes
	// them fail the check (--fail-on-flaky).
	Flaky       int
	FailOnFlaky bool
	// Updated counts failing cells whose outputs --update rewrote (not
	// counted as failed).
	Updated int
	// Broken counts lessons that could not be checked; BadInput those of
	// them whose error is about their text or settings, not their run.
	Broken, BadInput int
	// NotUpdated counts lessons --update left alone because their run
	// was interrupted.
	NotUpdated int
	// Stopped counts lessons not checked because one failed before them
	// (Suite.FailFast); Cut those not checked because labrun was
	// stopped before them.
	Stopped, Cut int
}

// Add counts a lesson's verdicts.
func (t *Totals) Add(r *Report) {
	p, f, s := r.Counts()
	t.Passed += p
	t.Failed += f
	t.Skipped += s
	t.NotFinished += r.NotFinished()
	t.Flaky += r.Flaky()
}

// count counts a lesson's end: its verdicts, its error, what --update did.
func (t *Totals) count(e LessonEnded) {
	if e.Report != nil {
		t.Add(e.Report)
	}
	if e.Err != nil {
		t.Broken++
		if isBadInput(e.Err) {
			t.BadInput++
		}
	}
	switch e.Update.Kind {
	case UpdateWritten:
		t.Failed -= e.Update.Mended
		t.Updated += e.Update.Mended
	case UpdateInterrupted:
		t.NotUpdated++
	}
}

// notChecked counts a lesson the suite did not take.
func (t *Totals) notChecked(e LessonNotChecked) {
	if e.FailFast {
		t.Stopped++
	} else {
		t.Cut++
	}
}

// LessonTotals counts one lesson's end as a suite's totals count it:
// its verdicts, its error, what --update did.
func LessonTotals(e LessonEnded) Totals {
	var t Totals
	t.count(e)
	return t
}

// Line is the line of a check's totals, the last one, which CI tools
// read, and of each lesson's: "N passed, N failed", then ", N flaky",
// ", N skipped", ", N not finished" and ", N updated" when not 0.
func (t Totals) Line() string {
	s := fmt.Sprintf("%d passed, %d failed", t.Passed, t.Failed)
	if t.Flaky > 0 {
		s += fmt.Sprintf(", %d flaky", t.Flaky)
	}
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.Skipped)
	}
	if t.NotFinished > 0 {
		s += fmt.Sprintf(", %d not finished", t.NotFinished)
	}
	if t.Updated > 0 {
		s += fmt.Sprintf(", %d updated", t.Updated)
	}
	if t.Broken > 0 {
		s += ", " + render.Count(t.Broken, "lesson", "lessons") + " could not be checked"
	}
	if t.Stopped > 0 {
		s += ", " + render.Count(t.Stopped, "lesson", "lessons") + " not checked (--fail-fast)"
	}
	if t.Cut > 0 {
		s += ", " + render.Count(t.Cut, "lesson", "lessons") + " not checked (labrun was stopped)"
	}
	return s
}

// Status is how a whole check came out, for its exit status.
type Status int

// The statuses, from best to worst.
const (
	// StatusOK: every cell passed (or --update mended it, or it was
	// flaky without FailOnFlaky).
	StatusOK Status = iota
	// StatusFailed: a cell failed (--update did not mend it, or
	// --dry-run would have changed it) or did not finish, a lesson could
	// not run, --update left a lesson alone, or a cell was flaky under
	// FailOnFlaky.
	StatusFailed
	// StatusBadInput: a lesson could not be checked for its text or its
	// settings.
	StatusBadInput
)

// Status is the check's status: the exit-code policy of "labrun check",
// decided here alone.
func (t Totals) Status() Status {
	switch {
	case t.BadInput > 0:
		return StatusBadInput
	case t.Failed > 0 || t.NotFinished > 0 || t.Broken > 0 || t.NotUpdated > 0 || t.FailOnFlaky && t.Flaky > 0:
		return StatusFailed
	}
	return StatusOK
}
