package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// A cram test file (foo.t) is its own record: its commands' expected
// lines stand after them (lessons.ParseCram). check compares the file
// with its fresh lines as cram 0.7 does (lessons.CramCompare: whole
// lines, no normalization, cram's esc, glob and re matchers), so that
// a command fails where cram's diff touches its lines; a test whose
// shell exits 80 is skipped, every cell of it; --update writes what
// "cram -i -y" leaves (lessons.CramMerge).

// IsCram says the lesson is a cram test file.
func (r *Report) IsCram() bool { return r.cram != nil }

// cramCheck is what a cram test's check keeps for its update.
type cramCheck struct {
	// fresh are the file's fresh lines; ops the comparison's opcodes.
	fresh []string
	ops   []lessons.CramOp
}

// compareCram gives each cell of a cram test, and each of its commands,
// its verdict; res is the fresh run.
func (rep *Report) compareCram(res *transcript.Result) {
	f := rep.rec.Lesson.Cram
	start, runs, cut := render.CramRuns(res)
	fresh, owners := f.Fresh(start, runs)
	ops := lessons.CramCompare(f.Texts(), fresh)
	rep.cram = &cramCheck{fresh: fresh, ops: ops}
	differs := f.Differs(ops, owners)
	runs = append([]lessons.CramRun{start}, runs...) // runs[0] the preamble's, runs[k+1] command k's
	k := 0
	var ended *lessons.ConsoleCommand // the command whose exit ended the shell
	for i, c := range rep.rec.Lesson.Cells {
		cr := res.Cells[i]
		cell := &CellReport{Index: c.Index, Number: c.Index + 1, Line: c.Line, Fence: c.Line, Result: cr, How: How(cr)}
		for _, cmd := range c.Console {
			kr := cramCommand(f, k, runs, differs[k])
			switch {
			case cut[k] != nil:
				kr.Verdict, kr.Reason = Fail, Reason{Kind: Interrupted, Detail: render.InterruptionWords(cut[k])}
			case runs[k+1].Keep:
				kr.Verdict, kr.Reason = Skip, Reason{Kind: NotRun, Detail: "not run: the cell was interrupted"}
			case ended != nil && !runs[k+1].Ran && kr.Verdict == Fail:
				kr.Reason.Detail = render.SessionEndedWords(ended.Line, runs[cramIndex(f, ended)+1].Exit)
			case k == len(f.Commands)-1 && res.CramEndCut != nil:
				kr.Verdict, kr.Reason = Fail, Reason{Kind: Interrupted, Detail: render.CramHeldWords(res.CramEndCut)}
			}
			if runs[k+1].Ended {
				ended = cmd
			}
			cell.Commands = append(cell.Commands, kr)
			k++
		}
		if len(f.Commands) == 0 && differs[0] {
			cramNothing(cell, f, runs[0])
		}
		if rep.only == nil || rep.only[c.Index] {
			rep.Cells = append(rep.Cells, cramVerdict(cell, res))
		}
	}
}

// cramIndex is the index of cmd among a cram test's commands.
func cramIndex(f *lessons.CramFile, cmd *lessons.ConsoleCommand) int {
	return slices.Index(f.Commands, cmd)
}

// cramCommand is the check of command k of a cram test: its expected
// lines (as the file holds them) and its fresh ones (as cram writes
// them), failing where cram's comparison found it different; runs[0] is
// the preamble's run, runs[k+1] the command's. The first command's lines
// begin with the indented lines before it, no command's, which cram
// finds different, and its fresh ones with what the preamble printed;
// the last one's fresh lines end with what the shell printed as it ended
// (lessons.CramFile.Fresh).
func cramCommand(f *lessons.CramFile, k int, runs []lessons.CramRun, differs bool) *CommandReport {
	cmd, run := f.Commands[k], runs[k+1]
	rec := cramRecorded(f, k)
	var lines []string
	if k == 0 && runs[0].Ran {
		lines = runs[0].Lines(f.Indent)
	}
	lines = append(lines, f.OwnLines(k, runs[1:])...)
	if k == len(f.Commands)-1 && len(runs) > k+2 && run.Ran && !run.Ended {
		lines = append(lines, runs[k+2].Lines(f.Indent)...)
	}
	fresh := cramBodies(f, lines)
	rep := &CommandReport{Command: cmd, Line: cmd.Line, Verdict: Pass, Recorded: rec, Fresh: fresh, RawRecorded: cmd.Recorded}
	if run.Ran {
		rep.RawFresh = strings.Join(fresh, "\n") + "\n"
	}
	switch {
	case !differs:
	case !run.Ran:
		rep.Verdict, rep.Reason = Fail, Reason{Kind: SessionEnded, Detail: "not run: the shell ended before it"}
	default:
		name := firstLine(cmd.Text)
		rep.Verdict, rep.Reason = Fail, Reason{Kind: OutputDiffers}
		rep.Diff = UnifiedDiff("expected: $ "+name, "fresh: $ "+name, rec, fresh)
		if rep.Diff == "" { // the same lines, which cram's diff of the whole file lines up otherwise
			rep.Diff = fmt.Sprintf("--- expected: $ %s\n+++ fresh: $ %s\n(the same lines, but not where cram writes them: all of a command's output follows it, before any prose)\n", name, name)
		}
	}
	return rep
}

// cramRecorded are the expected lines of command k (the lines before the
// first command with the first's), without their indent.
func cramRecorded(f *lessons.CramFile, k int) []string {
	var rec []string
	for _, l := range f.Lines {
		if (l.Cmd == k || k == 0 && l.Cmd < 0) && l.Kind == lessons.CramOutput {
			rec = append(rec, l.Text)
		}
	}
	return cramBodies(f, rec)
}

// cramBodies are lines of a cram test without the file's indent and
// their newline.
func cramBodies(f *lessons.CramFile, lines []string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(l, f.Indent), "\n"))
	}
	return out
}

// cramNothing fails the cell of a cram test of no command whose lines
// differ from what cram writes (start: its preamble's run): they are
// expected output of nothing, as cram reads them.
func cramNothing(c *CellReport, f *lessons.CramFile, start lessons.CramRun) {
	var fresh []string
	if start.Ran {
		fresh = cramBodies(f, start.Lines(f.Indent))
	}
	c.Verdict, c.Reason = Fail, Reason{Kind: OutputDiffers}
	c.Diff = UnifiedDiff("expected: no command", "fresh: no command", cramRecorded(f, 0), fresh)
}

// cramVerdict is a cram cell's verdict from its commands': skipped when
// the test skipped itself, failing at the first failing command's line.
func cramVerdict(c *CellReport, res *transcript.Result) *CellReport {
	if res.CramSkipped > 0 {
		c.Verdict, c.Reason = Skip, Reason{Kind: NotRun, Detail: fmt.Sprintf("%s (line %d)", render.CramSkippedWords, res.CramSkipped)}
		for _, k := range c.Commands {
			k.Verdict, k.Reason, k.Diff = Skip, c.Reason, ""
		}
		return c
	}
	if len(c.Commands) == 0 {
		return c // a file of no command (cramNothing)
	}
	var diffs []string
	for _, k := range c.Commands {
		if k.Verdict != Fail {
			continue
		}
		if c.Verdict != Fail {
			c.Verdict, c.Reason, c.Line = Fail, k.Reason, k.Line
		}
		diffs = append(diffs, k.Diff)
	}
	c.Diff = strings.Join(diffs, "")
	return c
}

// updatedCram is the cram test with fresh lines where cram's comparison
// found them different, as "cram -i -y" leaves it
// (lessons.CramFile.Update; the commands an interruption cut keep their
// lines, and so do those of a hunk cram's patch rejects); unchanged when
// nothing failed.
func (r *Report) updatedCram() (text []byte, changed bool) {
	_, failed, _ := r.Counts()
	if failed == 0 {
		return r.rec.Source, false
	}
	out, _ := r.rec.Lesson.Cram.Update(r.cram.fresh, r.cram.ops)
	return out, string(out) != string(r.rec.Source)
}

// cramCut says whether a cram test's cell has an interrupted command: an
// update leaves it failing.
func cramCut(c *CellReport) bool {
	return slices.ContainsFunc(c.Commands, func(k *CommandReport) bool { return k.Reason.Kind == Interrupted })
}
