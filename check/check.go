// Package check compares a lesson's recorded outputs with fresh ones: it
// reads a recorded transcript (labrun's, or a course README.md) with
// transcript.Parse, which pairs each cell with its recorded outputs and
// maps the skeleton's lines to the transcript's, runs the lesson's
// skeleton with runner.Run, and gives each cell a verdict, with
// a diff of the normalized lines where they differ (see Normalize).
//
// Where things live: one lesson's check (check.go), console blocks
// (console.go: cram's matcher lines through internal/cram), normalization (normalize.go; the volatile values of
// tools: per line in volatile_tools.go and volatile_files.go, tables a
// header starts in volatile_tables.go, read in volatile_readers.go), diffs (diff.go), why a cell failed or was skipped
// (reason.go), the cells a stop of labrun cut (stopped.go), cram test
// files, compared and updated as cram does (cram.go), finding
// lessons (find.go), selecting lessons and cells (select.go:
// lesson.md:LINE, --run, --failed-from), shards by hash or balanced by
// time (shard.go), --update's text (update.go), the recorded lines it
// keeps (merge.go) and its rewrite of the file (rewrite.go); a Suite checks many lessons at once and sends its
// events to a Handler (suite.go), the totals and the exit-code policy
// (totals.go); flaky cells, found by running a lesson again (flaky.go),
// the rule proposed for one (rules_propose.go) and --write-rules's
// rewrite (rules_write.go). The reporters that word the events are
// check/report.
package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/jupyter"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
	"github.com/labrun/labrun/transcript"
)

// Verdict is how a cell's check came out.
type Verdict int

// The verdicts.
const (
	// Pass: the fresh output equals the recorded one after normalization
	// and the cell ended as its rules expect.
	Pass Verdict = iota
	// Fail: the outputs differ, or the cell did not end as expected.
	Fail
	// Skip: not compared (ignore-output, or a cell labrun does not run).
	Skip
	// NotFinished: cut by a signal meant for labrun (stopped.go), so
	// neither passed nor failed; --update leaves it alone.
	NotFinished
	// Flaky: it failed in a run and passed in another, or its fresh
	// outputs differed between runs (flaky.go).
	Flaky
)

// String returns "pass", "fail", "skip", "interrupted" or "flaky".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case NotFinished:
		return "interrupted"
	case Flaky:
		return "flaky"
	}
	return "skip"
}

// Lesson is what to check: a recorded transcript and, for a course pair,
// the skeleton beside it.
type Lesson struct {
	// Path is the recorded transcript (a labrun transcript or a course
	// README.md): what reports name and --update rewrites.
	Path string
	// Skeleton is the lesson to run; "" runs the recorded transcript
	// stripped (transcript.StripAny).
	Skeleton string
	// Line, when set, is a line of the transcript: the whole lesson
	// runs, but only the cell at that line is judged ("lesson.md:LINE").
	Line int
}

// CellReport is one cell's verdict.
type CellReport struct {
	// Index is the cell's index among the lesson's code cells (from 0);
	// Number is Index+1, as reports show it.
	Index, Number int
	// Line is the line of the cell's opening fence in the recorded
	// transcript; for a console block that fails only because commands
	// differ, the line of the first such command. Fence is always the
	// line of the opening fence.
	Line, Fence int
	Verdict
	// Reason says why a cell failed ("output differs", "expected to be
	// interrupted; ended: ok") or was skipped.
	Reason Reason
	// How words how the fresh run of the cell ended when it did not end
	// well ("interrupted after 10.0s: timeout", "exit 139 (SIGSEGV)",
	// "ZeroDivisionError: division by zero"); "" when it ended well.
	How string
	// Diff is the unified diff of the normalized lines, recorded → fresh
	// ("" when they are equal).
	Diff string
	// Recorded and Fresh are the normalized lines.
	Recorded, Fresh []string
	// RawRecorded and RawFresh are the outputs blocks as laid out.
	RawRecorded, RawFresh string
	// Result is the fresh run of the cell.
	Result *transcript.CellResult
	// Commands are the checks of a console block's commands (nil for
	// other cells); Diff then holds their diffs too, after the outputs
	// block's.
	Commands []*CommandReport
	// outputsDiff is the diff of the outputs block alone, when Commands
	// added theirs to Diff.
	outputsDiff string
	// Runs is what the cell's other runs gave (--rerun-fails, --runs;
	// flaky.go); nil when it ran once.
	Runs *CellRuns
}

// Report is a lesson's check.
type Report struct {
	Lesson
	// Cells are the verdicts, in cell order.
	Cells []*CellReport
	// Result is the fresh run (nil when the lesson could not run).
	Result *transcript.Result
	// Duration is the check's wall time.
	Duration time.Duration
	// rec is the recorded transcript as read, for Updated; snapshot the
	// file as read: --update writes only over that.
	rec      *transcript.Transcript
	snapshot atomicfile.Snapshot
	// only are the cells judged (nil: every cell; see Lesson.Line).
	only map[int]bool
	// lessonRules are the lesson's normalize rules (for rules_propose.go).
	lessonRules []lessons.Normalize
	// cram is a cram test's comparison (cram.go), nil for a Markdown
	// lesson.
	cram *cramCheck
}

// Counts returns how many cells passed, failed and were skipped (those
// not finished: NotFinished); an empty cram test counts as one skipped.
func (r *Report) Counts() (pass, fail, skip int) {
	for _, c := range r.Cells {
		switch c.Verdict {
		case Pass:
			pass++
		case Fail:
			fail++
		case Skip:
			skip++
		}
	}
	if r.cram != nil && len(r.rec.Source) == 0 {
		skip++ // an empty cram test, which cram skips
	}
	return
}

// Options control a check of one lesson.
type Options struct {
	// Runner are the run's options (OnCell included).
	Runner runner.Options
	// OnStart, when set, is called with the lesson about to run.
	OnStart func(*lessons.Lesson)
	// OnNote, when set, is called with what the user is to know of the
	// lesson's settings: notebooks beside it of which none or several is
	// its own (jupyter.Sibling.Note).
	OnNote func(string)
}

// Run checks one lesson: it runs the skeleton and compares every cell.
// An error means the lesson could not be checked (bad input: a
// *lessons.Error or lessons.ErrorList; or the run failed); a report may
// come with it, holding what ran.
func Run(ctx context.Context, l Lesson, o Options) (*Report, error) {
	start := time.Now()
	rec, snap, err := readRecorded(l, o.Runner.CramIndent)
	if err != nil {
		return nil, err
	}
	rep := &Report{Lesson: l, rec: rec, snapshot: snap}
	lesson, err := lessonToRun(l, rec)
	if err != nil {
		return nil, err
	}
	sib := jupyter.FindSibling(lesson.Name, lesson)
	o.Runner.NotebookMagics = sib.Magics
	// The transcript is the record being checked, not an input: a cell
	// listing its folder would see it, and every --update changes it.
	if abs, err := filepath.Abs(l.Path); err == nil {
		o.Runner.LeaveOut = append(slices.Clip(o.Runner.LeaveOut), abs)
	}
	if note := sib.Note(o.Runner.Course); note != "" && o.OnNote != nil {
		o.OnNote(note)
	}
	runErr := rep.run(ctx, lesson, o)
	if rep.Result == nil {
		return nil, runErr
	}
	rep.Duration = time.Since(start)
	return rep, runErr
}

// run runs the lesson and gives each recorded cell its verdict under the
// check rules Parse gave it; rep.Result stays nil when the lesson did not
// run.
func (rep *Report) run(ctx context.Context, lesson *lessons.Lesson, o Options) error {
	var err error
	if rep.only, err = rep.judged(rep.cellSpans(rep.rec.Lesson.Cells, rep.rec.Line)); err != nil {
		return err
	}
	if o.OnStart != nil {
		o.OnStart(lesson)
	}
	res, runErr := runner.Run(ctx, lesson, filepath.Dir(lesson.Name), o.Runner)
	if res != nil {
		rep.judge(res)
	}
	return runErr
}

// judge gives each recorded cell (each judged one: rep.only) its verdict
// against res, the fresh run of the lesson.
func (rep *Report) judge(res *transcript.Result) {
	rep.Result = res
	rep.lessonRules = rep.rec.Lesson.Normalize
	if rep.rec.Lesson.Cram != nil {
		rep.compareCram(res)
		rep.markNotFinished()
		return
	}
	for i, c := range rep.rec.Lesson.Cells {
		if rep.only != nil && !rep.only[c.Index] {
			continue
		}
		rep.Cells = append(rep.Cells, rep.compareCell(c, res.Cells[i]))
	}
	rep.markNotFinished()
}

// readRecorded reads a lesson's recorded transcript, and what the file
// was then (for --update to write only over that), refusing one whose
// check rules are wrong and a course transcript that records nothing;
// cramIndent is a cram test file's indent (runner.Options.CramIndent).
func readRecorded(l Lesson, cramIndent int) (*transcript.Transcript, atomicfile.Snapshot, error) {
	src, err := lessons.ReadFile(l.Path)
	if err != nil {
		return nil, atomicfile.Snapshot{}, err
	}
	snap, err := atomicfile.Take(l.Path, src)
	if err != nil {
		return nil, atomicfile.Snapshot{}, &lessons.Error{Name: l.Path, Msg: errors.Unwrap(err).Error()}
	}
	if lessons.IsCram(l.Path) {
		lesson, err := lessons.ParseCram(l.Path, src, lessons.CramIndentOf(cramIndent))
		if err != nil {
			return nil, atomicfile.Snapshot{}, err
		}
		return &transcript.Transcript{Name: l.Path, Source: src, Lesson: lesson}, snap, nil
	}
	rec, err := transcript.Parse(l.Path, src)
	if err != nil {
		return nil, atomicfile.Snapshot{}, err
	}
	if len(rec.Lesson.RuleErrors) > 0 {
		return nil, atomicfile.Snapshot{}, rec.At(rec.Lesson.RuleErrors)
	}
	if rec.Course && !rec.HasOutputs() && !consoleRecords(rec.Lesson.Cells) {
		return nil, atomicfile.Snapshot{}, &lessons.Error{Name: l.Path, Msg: "no recorded outputs: a lesson, not a transcript (make one with \"labrun run LESSON.md -o TRANSCRIPT.md\")"}
	}
	return rec, snap, nil
}

// lessonToRun is the lesson a check runs: the recorded transcript's
// skeleton, or the skeleton beside a course transcript, which must hold
// the same cells.
func lessonToRun(l Lesson, rec *transcript.Transcript) (*lessons.Lesson, error) {
	name, src := l.Path, rec.Lesson.Source
	if rec.Lesson.Cram != nil {
		return rec.Lesson, nil // a cram test is its own lesson
	}
	if l.Skeleton != "" {
		var err error
		if src, err = lessons.ReadFile(l.Skeleton); err != nil {
			return nil, err
		}
		name = l.Skeleton
	}
	lesson, err := lessons.Parse(name, src)
	if err != nil {
		return nil, err
	}
	if err := sameCells(l, rec, lesson); err != nil {
		return nil, err
	}
	return lesson, nil
}

// compareCell gives recorded cell c, whose fresh run is cr, its verdict
// under its rules (c.Rules, and the lesson's normalize rules).
func (r *Report) compareCell(c *lessons.Cell, cr *transcript.CellResult) *CellReport {
	p := r.rec.Recorded(c.Index)
	recorded := ""
	if p != nil {
		recorded = p.Outputs
	}
	normalize := r.rec.Lesson.Normalize
	cell := compare(c.Index, r.rec.Line(c.Line), recorded, cr, normalize, &c.Rules)
	if p != nil && !r.rec.Course && cell.Verdict == Pass && c.Rules.Expect == nil {
		endedAsRecorded(cell, p)
	}
	compareConsole(cell, c, cr, normalize, r.rec.Line)
	return cell
}

// compare gives one cell its verdict under the lesson's normalize rules
// and the cell's own rules.
func compare(index, line int, recorded string, cr *transcript.CellResult, lesson []lessons.Normalize, cellRules *lessons.CellRules) *CellReport {
	c := &CellReport{Index: index, Number: index + 1, Line: line, Fence: line, Result: cr, RawRecorded: recorded, How: How(cr)}
	c.RawFresh = render.Outputs(cr.Outputs)
	if cr.Status == transcript.Skipped {
		c.Verdict, c.Reason = Skip, Reason{Kind: NotRun, Detail: strings.Join(render.Notes(cr), "; ")}
		return c
	}
	c.Recorded = Normalize(recorded, lesson, cellRules)
	c.Fresh = Normalize(c.RawFresh, lesson, cellRules)
	if e := cellRules.Expect; e != nil && !cr.Ending().Meets(*e) {
		c.Verdict, c.Reason = Fail, unexpected(*e, c.How)
		return c
	}
	if cellRules.IgnoreOutput {
		if cellRules.Expect != nil {
			c.Verdict = Pass
		} else {
			c.Verdict, c.Reason = Skip, Reason{Kind: IgnoredOutput}
		}
		return c
	}
	c.Diff = UnifiedDiff("recorded", "fresh", c.Recorded, c.Fresh)
	if c.Diff != "" {
		c.Verdict, c.Reason = Fail, Reason{Kind: OutputDiffers}
	}
	return c
}

// unexpected is the reason of a cell that did not end as its rule
// expects; how words how it ended ("" for well).
func unexpected(e lessons.Expect, how string) Reason {
	if how == "" {
		how = "ok"
	}
	switch e.Kind {
	case lessons.ExpectInterrupted:
		return Reason{Kind: ExpectedInterrupted, Detail: how}
	case lessons.ExpectFail:
		return Reason{Kind: ExpectedFail, Detail: how}
	}
	return Reason{Kind: ExpectedExit, Code: e.Code, Detail: how}
}

// How words how a cell ended when it did not end well, in render's
// words: "interrupted after 10.0s: timeout", "exit 139 (SIGSEGV)",
// "ZeroDivisionError: division by zero"; "" for a cell that ended well.
func How(cr *transcript.CellResult) string {
	var parts []string
	if e := cr.Exception; e != nil {
		parts = append(parts, strings.TrimSuffix(e.Name+": "+e.Message, ": "))
	}
	if cr.Steps > 0 && cr.Exit.Code != 0 && cr.Interruption == nil {
		parts = append(parts, "exit "+cr.Exit.String())
	}
	if cr.Status != transcript.Skipped {
		parts = append(parts, render.Notes(cr)...)
	}
	return strings.Join(parts, "; ")
}

// sameCells refuses a course pair whose skeleton does not hold the
// transcript's cells (bad input: a *lessons.Error).
func sameCells(l Lesson, t *transcript.Transcript, run *lessons.Lesson) error {
	rec := t.Lesson
	if len(rec.Cells) != len(run.Cells) {
		return &lessons.Error{Name: l.Path, Msg: fmt.Sprintf("%d code cells, but %s has %d: %s", len(rec.Cells), run.Name, len(run.Cells), notPair)}
	}
	for i, c := range rec.Cells {
		if c.Info != run.Cells[i].Info || !sameSource(c, run.Cells[i]) {
			return &lessons.Error{Name: l.Path, Line: t.Line(c.Line), Msg: fmt.Sprintf("cell %d differs from %s:%d: %s", i+1, run.Name, run.Cells[i].Line, notPair)}
		}
	}
	return nil
}

// sameSource says whether a recorded cell and the skeleton's hold the
// same code: for a console block, the same commands (the lines after
// them are the record, the transcript's own).
func sameSource(rec, run *lessons.Cell) bool {
	if rec.Kind != lessons.Console || run.Kind != lessons.Console {
		return rec.Source == run.Source
	}
	if len(rec.Console) != len(run.Console) {
		return false
	}
	for i, c := range rec.Console {
		if c.Text != run.Console[i].Text {
			return false
		}
	}
	return true
}

// notPair ends the message about a skeleton that is not the transcript's.
const notPair = "the skeleton is not this transcript's"

// endedAsRecorded fails a cell of a labrun transcript whose status or
// exit differs from what its recorded marker says (a cell that now hangs,
// or now exits 1, with the same output), or whose marker does not say.
func endedAsRecorded(c *CellReport, p *transcript.Part) {
	fresh := render.Annotation(c.Result)
	if !p.OutcomeRead() {
		c.Verdict, c.Reason = Fail, Reason{Kind: EndedOtherwise, Detail: fmt.Sprintf("recorded %q, now %s", p.AnnotationText(), fresh.Outcome())}
		return
	}
	if !p.Annotation.SameOutcome(fresh) {
		c.Verdict, c.Reason = Fail, Reason{Kind: EndedOtherwise, Detail: fmt.Sprintf("recorded %s, now %s", p.Annotation.Outcome(), fresh.Outcome())}
	}
}
