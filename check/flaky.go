package check

import (
	"context"
	"fmt"
	"slices"
)

// A flaky cell is one whose verdict or output changes from run to run
// of its lesson, the lesson's text the same. A Suite finds them two ways:
//
//   - RerunFails (--rerun-fails N): a lesson with failing cells is run
//     again, up to N times, until each of them passed once. A cell that
//     passed the first time passed; one that failed first and passed in
//     a rerun is Flaky; one that failed in every run failed.
//   - Runs (--runs K): each lesson is run K times. A cell whose
//     normalized fresh outputs differ between runs, or that passed in
//     one run and failed in another, is Flaky; for one whose outputs
//     differ, the smallest rule that makes them agree is proposed
//     (rules_propose.go) and, with WriteRules, written to the lesson
//     (rules_write.go). The record is one more observation, where that
//     is safe: a cell that failed against it in every run, its runs
//     agreeing, whose record holds the same lines in another order (the
//     outputs block's, and each console command's, as check compares
//     them) is Flaky too, and any-order is proposed for it; a token that
//     differs from the record alone stays a failure (that is what a
//     regression looks like).
//
// A lesson is always run whole: its cells build on each other. A cell's
// report is its first run's (its diff the first failure's); CellRuns
// holds what the other runs gave.

// CellRuns is what a cell's runs gave, when its lesson ran more than
// once.
type CellRuns struct {
	// N is how many times the cell ran.
	N int
	// Failed are the cell's failing runs, in order, each with its run's
	// number (from 1).
	Failed []RunFailure
	// PassedIn is the number of the first run the cell passed in after a
	// failure (--rerun-fails; 0: none).
	PassedIn int
	// Varied says that its normalized fresh outputs differed between
	// runs (--runs); Rule is then the rule proposed (nil: none found).
	Varied bool
	Rule   *Rule
	// Reordered says that its runs agreed and failed, each against a
	// record that holds the same lines in another order (--runs); Rule
	// is then any-order.
	Reordered bool
	// runs are the cell's reports in every run, the first first (--runs).
	runs []*CellReport
}

// RunFailure is one failing run of a cell.
type RunFailure struct {
	// Run is the run's number, from 1.
	Run int
	// Cell is the cell's report in that run.
	Cell *CellReport
}

// String words what a flaky cell's runs gave: "output differs in run 1,
// passed in run 2", "output differs between runs (3 runs)".
func (r *CellRuns) String() string {
	switch {
	case r.Varied:
		return fmt.Sprintf("flaky: its output differs between runs (%d runs)", r.N)
	case r.Reordered:
		return fmt.Sprintf("flaky: its record holds another order of the same lines (%d runs agree)", r.N)
	case r.PassedIn > 0 && len(r.Failed) > 0:
		f := r.Failed[0]
		return fmt.Sprintf("flaky: %s in run %d, passed in run %d", f.Cell.Reason, f.Run, r.PassedIn)
	case len(r.Failed) > 0:
		return fmt.Sprintf("flaky: failed in %d of %d runs", len(r.Failed), r.N)
	}
	return fmt.Sprintf("ran %d times", r.N)
}

// LessonRerun: a lesson runs again (--rerun-fails, --runs); its CellRan
// events follow, and its verdicts come once its last run is over.
type LessonRerun struct {
	Lesson
	// Run is the run's number (2 for the first rerun).
	Run int
}

func (LessonRerun) event() {}

// runLesson checks a lesson once and then, as s says, runs it again
// (RerunFails or Runs); rep is the first run's report with the verdicts
// of every run.
func (s Suite) runLesson(ctx context.Context, l Lesson, o Options, send func(Event)) (*Report, error) {
	rep, err := Run(ctx, l, o)
	if rep == nil || err != nil || stopped(rep) {
		return rep, err
	}
	rerun := o
	rerun.OnStart = nil // the lesson runs again: no second LessonRunning
	again := func(run int) *Report {
		if ctx.Err() != nil {
			return nil
		}
		send(LessonRerun{l, run})
		r, err := Run(ctx, l, rerun)
		if r == nil || err != nil || stopped(r) || len(r.Cells) != len(rep.Cells) {
			return nil
		}
		rep.Duration += r.Duration
		return r
	}
	switch {
	case s.Runs > 1:
		runTimes(rep, s.Runs, again)
	case s.RerunFails > 0:
		rerunFails(rep, s.RerunFails, again)
	}
	return rep, nil
}

// stopped says whether a stop of labrun cut a run: its verdicts are
// what they are, and it is not run again.
func stopped(r *Report) bool {
	return r.Result == nil || r.Result.Interrupted || r.NotFinished() > 0
}

// rerunFails runs a lesson with failing cells again, up to n times
// (again(run) is run number run's report, nil when it could not run),
// until each of them passed once: those are then Flaky.
func rerunFails(rep *Report, n int, again func(int) *Report) {
	var failing []*CellReport
	for _, c := range rep.Cells {
		if c.Verdict == Fail {
			c.Runs = &CellRuns{N: 1, Failed: []RunFailure{{Run: 1, Cell: c}}}
			failing = append(failing, c)
		}
	}
	for run := 2; run <= n+1 && len(failing) > 0; run++ {
		r := again(run)
		if r == nil {
			return
		}
		byIndex := map[int]*CellReport{} // the cells judged may be a few (Lesson.Line)
		for _, x := range r.Cells {
			byIndex[x.Index] = x
		}
		failing = slices.DeleteFunc(failing, func(c *CellReport) bool {
			now := byIndex[c.Index]
			if now == nil {
				return true
			}
			c.Runs.N++
			if now.Verdict == Pass {
				c.Verdict, c.Runs.PassedIn = Flaky, run
				return true
			}
			c.Runs.Failed = append(c.Runs.Failed, RunFailure{Run: run, Cell: now})
			return false
		})
	}
}

// runTimes runs a lesson k times in all (again as for rerunFails) and
// gives each cell whose outputs or verdicts differ between runs the
// verdict Flaky, with the rule proposed for its outputs (a cram test's
// cell: whose verdicts differ); so too a cell whose runs agree, each
// failing against a record that holds its lines in another order.
func runTimes(rep *Report, k int, again func(int) *Report) {
	runs := [][]*CellReport{rep.Cells}
	for run := 2; run <= k; run++ {
		r := again(run)
		if r == nil {
			break
		}
		runs = append(runs, r.Cells)
	}
	if len(runs) < 2 {
		return
	}
	for i, c := range rep.Cells {
		var all []*CellReport
		for _, cells := range runs {
			all = append(all, cells[i])
		}
		cr := &CellRuns{N: len(all), runs: all}
		passed := 0
		for n, x := range all {
			switch x.Verdict {
			case Pass:
				passed++
			case Fail:
				cr.Failed = append(cr.Failed, RunFailure{Run: n + 1, Cell: x})
			default: // skipped or not finished in a run: its verdict stands
				passed = -len(all)
			}
		}
		if passed < 0 {
			continue
		}
		c.Runs = cr
		// A cram test's outputs are matched by its own lines ((re),
		// (glob)): only its verdicts tell a flaky command.
		cr.Varied = !rep.IsCram() && !sameFresh(all)
		if cr.Varied || passed > 0 && len(cr.Failed) > 0 {
			c.Verdict = Flaky
		}
		if cr.Varied {
			cr.Rule = rep.propose(c, all)
		}
		if !cr.Varied && passed == 0 && !rep.IsCram() {
			if cr.Rule = rep.proposeOrder(c, all); cr.Rule != nil {
				cr.Reordered, c.Verdict = true, Flaky
			}
		}
	}
}

// sameFresh says whether the cell's runs printed the same normalized
// outputs (its outputs block's and each console command's).
func sameFresh(all []*CellReport) bool {
	first := freshLines(all[0])
	for _, c := range all[1:] {
		if !slices.Equal(first, freshLines(c)) {
			return false
		}
	}
	return true
}

// freshLines are a cell's normalized fresh lines, then each console
// command's after a line that names it.
func freshLines(c *CellReport) []string {
	lines := slices.Clone(c.Fresh)
	for i, k := range c.Commands {
		lines = append(lines, commandLine(i, k))
		lines = append(lines, k.Fresh...)
	}
	return lines
}

// commandLine stands for a console command among a cell's fresh lines.
func commandLine(i int, k *CommandReport) string {
	return fmt.Sprintf("$ %s (command %d)", firstLine(k.Command.Text), i+1)
}

// Flaky counts the cells that are flaky.
func (r *Report) Flaky() int { return r.count(Flaky) }

// Diff is the diff that shows how cell c (its first run's report) is
// flaky: of its first failure (recorded → fresh; for a Reordered cell,
// the order its record holds → the one its runs agree on) or, when its outputs
// differed between runs, of its first run's and the first that differs
// ("run 1" → "run N").
func (r *CellRuns) Diff(c *CellReport) string {
	if !r.Varied {
		if len(r.Failed) > 0 {
			return r.Failed[0].Cell.Diff
		}
		return ""
	}
	for n, x := range r.runs[1:] {
		if d := UnifiedDiff("run 1", fmt.Sprintf("run %d", n+2), freshLines(c), freshLines(x)); d != "" {
			return d
		}
	}
	return ""
}
