// Package check compares a lesson's recorded outputs with fresh ones: it
// reads a recorded transcript (labrun's, or a course README.md), runs the
// lesson's skeleton with runner.Run, and gives each cell a verdict, with
// a diff of the normalized lines where they differ (see Normalize).
//
// Where things live: one lesson's check (check.go), console blocks
// (console.go), normalization (normalize.go; the volatile values of
// tools: per line in volatile_tools.go, tables a header starts in
// volatile_tables.go), diffs (diff.go), why a cell failed or was skipped
// (reason.go), the cells a stop of labrun cut (stopped.go), finding
// lessons (find.go), selecting lessons and cells (select.go:
// lesson.md:LINE, --run, --failed-from), shards by hash or balanced by
// time (shard.go), --update's text (update.go) and its rewrite of the
// file (rewrite.go); a Suite checks many lessons at once and sends its
// events to a Handler (suite.go), the totals and the exit-code policy
// (totals.go). The reporters that word the events are check/report.
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/internal/marker"
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
)

// String returns "pass", "fail", "skip" or "interrupted".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case NotFinished:
		return "interrupted"
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
	// differ, the line of the first such command.
	Line int
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
	// transcript is the recorded transcript as read, and parts its
	// pieces, for Update.
	transcript []byte
	snapshot   atomicfile.Snapshot // the file as read: --update writes only over that
	parts      []transcript.Part
	// partOf maps a cell index to its part holding outputs (-1: none).
	partOf   map[int]int
	recCells []*lessons.Cell
	course   bool
	// only are the cells judged (nil: every cell; see Lesson.Line).
	only map[int]bool
}

// Counts returns how many cells passed, failed and were skipped (those
// not finished: NotFinished).
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
	return
}

// Options control a check of one lesson.
type Options struct {
	// Runner are the run's options (OnCell included).
	Runner runner.Options
	// OnStart, when set, is called with the lesson about to run.
	OnStart func(*lessons.Lesson)
}

// Run checks one lesson: it runs the skeleton and compares every cell.
// An error means the lesson could not be checked (bad input: a
// *lessons.Error or lessons.ErrorList; or the run failed); a report may
// come with it, holding what ran.
func Run(ctx context.Context, l Lesson, o Options) (*Report, error) {
	start := time.Now()
	rep := &Report{Lesson: l, partOf: map[int]int{}}
	rec, snap, err := readRecorded(l.Path)
	if err != nil {
		return nil, err
	}
	rep.transcript, rep.snapshot = rec, snap
	rep.course = !isLabrunTranscript(rec)
	rep.parts = transcript.SplitTranscript(rec)

	// The recorded transcript's skeleton, as its parts give it, with the
	// line each part starts on in the transcript and in that skeleton.
	var skel strings.Builder
	recStart := make([]int, len(rep.parts))
	skelStart := make([]int, len(rep.parts))
	recLine, skelLine := 1, 1
	for i, p := range rep.parts {
		recStart[i], skelStart[i] = recLine, skelLine
		n := strings.Count(p.Skeleton, "\n")
		skel.WriteString(p.Skeleton)
		recLine += n + strings.Count(p.Outputs, "\n")
		if p.HasOutputs && !rep.course {
			recLine += 2 // the markers
		}
		skelLine += n
	}
	recLesson, err := lessons.Parse(l.Path, []byte(skel.String()))
	if err != nil {
		return nil, err
	}
	if len(recLesson.RuleErrors) > 0 {
		return nil, recLesson.RuleErrors
	}
	if rep.course && !hasOutputs(rep.parts) && !consoleRecords(recLesson.Cells) {
		return nil, &lessons.Error{Name: l.Path, Msg: "no recorded outputs: a lesson, not a transcript (make one with \"labrun run LESSON.md -o TRANSCRIPT.md\")"}
	}
	rep.recCells = recLesson.Cells
	byEnd := map[int]*lessons.Cell{}
	for _, c := range recLesson.Cells {
		byEnd[c.EndLine] = c
	}
	for i, p := range rep.parts {
		end := skelStart[i] + strings.Count(p.Skeleton, "\n") - 1
		if c := byEnd[end]; c != nil && p.HasOutputs {
			rep.partOf[c.Index] = i
		}
	}
	recordedLine := func(line int) int {
		for i := len(rep.parts) - 1; i >= 0; i-- {
			if skelStart[i] <= line {
				return recStart[i] + line - skelStart[i]
			}
		}
		return line
	}

	// The lesson to run.
	runName, runSrc := l.Path, transcript.StripAny(rec)
	if l.Skeleton != "" {
		if runSrc, err = readFile(l.Skeleton); err != nil {
			return nil, err
		}
		runName = l.Skeleton
	}
	lesson, err := lessons.Parse(runName, runSrc)
	if err != nil {
		return nil, err
	}
	if err := sameCells(l, recLesson, lesson); err != nil {
		return nil, err
	}
	runErr := rep.run(ctx, lesson, filepath.Dir(runName), recLesson, recordedLine, o)
	if rep.Result == nil {
		return nil, runErr
	}
	rep.Duration = time.Since(start)
	return rep, runErr
}

// run runs the lesson in dir and gives each recorded cell (rec's) its
// verdict under the check rules Parse gave it (rec.Normalize for every
// cell, each cell's Rules); rep.Result stays nil when the lesson did not
// run. recordedLine maps a line of the recorded skeleton to the
// transcript's.
func (rep *Report) run(ctx context.Context, lesson *lessons.Lesson, dir string, rec *lessons.Lesson, recordedLine func(int) int, o Options) error {
	var err error
	if rep.only, err = rep.judged(rep.cellSpans(rec.Cells, recordedLine)); err != nil {
		return err
	}
	if o.OnStart != nil {
		o.OnStart(lesson)
	}
	res, runErr := runner.Run(ctx, lesson, dir, o.Runner)
	rep.Result = res
	if res == nil {
		return runErr
	}
	for i, c := range rec.Cells {
		if rep.only != nil && !rep.only[c.Index] {
			continue
		}
		cr := res.Cells[i]
		cell := compare(c.Index, recordedLine(c.Line), rep.recordedBlock(c.Index), cr, rec.Normalize, &c.Rules)
		if i, ok := rep.partOf[c.Index]; ok && !rep.course && cell.Verdict == Pass && c.Rules.Expect == nil {
			endedAsRecorded(cell, rep.parts[i].Annotation)
		}
		compareConsole(cell, c, cr, rec.Normalize, recordedLine)
		rep.Cells = append(rep.Cells, cell)
	}
	rep.markNotFinished()
	return runErr
}

// recordedBlock returns the recorded outputs of a cell ("" when none).
func (r *Report) recordedBlock(index int) string {
	if i, ok := r.partOf[index]; ok {
		return r.parts[i].Outputs
	}
	return ""
}

// compare gives one cell its verdict under the lesson's normalize rules
// and the cell's own rules.
func compare(index, line int, recorded string, cr *transcript.CellResult, lesson []lessons.Normalize, cellRules *lessons.CellRules) *CellReport {
	c := &CellReport{Index: index, Number: index + 1, Line: line, Result: cr, RawRecorded: recorded, How: How(cr)}
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
		parts = append(parts, "exit "+render.ExitWord(cr.Exit))
	}
	if cr.Status != transcript.Skipped {
		parts = append(parts, render.Notes(cr)...)
	}
	return strings.Join(parts, "; ")
}

// sameCells refuses a course pair whose skeleton does not hold the
// transcript's cells (bad input: a *lessons.Error).
func sameCells(l Lesson, rec, run *lessons.Lesson) error {
	if len(rec.Cells) != len(run.Cells) {
		return &lessons.Error{Name: l.Path, Msg: fmt.Sprintf("%d code cells, but %s has %d: %s", len(rec.Cells), run.Name, len(run.Cells), notPair)}
	}
	for i, c := range rec.Cells {
		if c.Info != run.Cells[i].Info || !sameSource(c, run.Cells[i]) {
			return &lessons.Error{Name: l.Path, Line: c.Line, Msg: fmt.Sprintf("cell %d differs from %s:%d: %s", i+1, run.Name, run.Cells[i].Line, notPair)}
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

// isLabrunTranscript says whether a transcript is labrun's (it has
// output markers), not a course's.
func isLabrunTranscript(b []byte) bool {
	s := string(b)
	return strings.HasPrefix(s, marker.Open) || strings.Contains(s, "\n"+marker.Open)
}

// maxTranscriptBytes bounds what check reads as a transcript.
const maxTranscriptBytes = 64 << 20

// readRecorded reads the recorded transcript and what the file was then,
// for --update to write only over that.
func readRecorded(path string) ([]byte, atomicfile.Snapshot, error) {
	rec, err := readFile(path)
	if err != nil {
		return nil, atomicfile.Snapshot{}, err
	}
	snap, err := atomicfile.Take(path, rec)
	if err != nil {
		return nil, atomicfile.Snapshot{}, &lessons.Error{Name: path, Msg: errors.Unwrap(err).Error()}
	}
	return rec, snap, nil
}

// readFile reads a transcript or a skeleton, refusing what is not a
// regular file of lesson size.
func readFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, &lessons.Error{Name: path, Msg: errors.Unwrap(err).Error()}
	case !info.Mode().IsRegular():
		return nil, &lessons.Error{Name: path, Msg: "not a regular file; a lesson is a Markdown file"}
	case info.Size() > maxTranscriptBytes:
		return nil, &lessons.Error{Name: path, Msg: fmt.Sprintf("%d MiB: too big to be a lesson", info.Size()>>20)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &lessons.Error{Name: path, Msg: errors.Unwrap(err).Error()}
	}
	return b, nil
}

// endingFields are the fields of a labrun annotation that say how a cell
// ended.
var endingFields = regexp.MustCompile(`\b(status|exit)=(\S+)`)

// endedAsRecorded fails a cell of a labrun transcript whose status or
// exit differs from its recorded annotation's (a cell that now hangs, or
// now exits 1, with the same output).
func endedAsRecorded(c *CellReport, recorded string) {
	fresh := render.Annotation(c.Result)
	if rec, now := ending(recorded), ending(fresh); rec != now {
		c.Verdict, c.Reason = Fail, Reason{Kind: EndedOtherwise, Detail: fmt.Sprintf("recorded %s, now %s", rec, now)}
	}
}

// ending is an annotation's status and exit fields; the exit of an
// interrupted cell (SIGINT, or SIGKILL after the grace) is not its own.
func ending(annotation string) string {
	var parts []string
	for _, m := range endingFields.FindAllStringSubmatch(annotation, -1) {
		if m[0] == "status=interrupted" {
			return m[0]
		}
		parts = append(parts, m[0])
	}
	return strings.Join(parts, " ")
}

// hasOutputs says whether a transcript's parts record any output.
func hasOutputs(parts []transcript.Part) bool {
	for _, p := range parts {
		if p.HasOutputs {
			return true
		}
	}
	return false
}
