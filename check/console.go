package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// A console block records its outputs inside the block: the lines after
// each "$ command" line (lessons.ConsoleCommand). check compares each
// command's recorded lines with what it printed in the fresh run, both
// normalized as cell outputs are (Normalize, with the block's rules); a
// command that differs fails its cell at the command's line, and
// --update rewrites the lines of those commands only.
//
// A recorded line may be one of cram's matchers, " (re)" or " (glob)"
// (internal/cram). It is matched as cram matches it: against the fresh
// line as the block would record it (escaped, " (no-eol)"), before any
// normalizer, the record aligned with the fresh lines as cram's diff
// aligns them. A fresh line a matcher line matches stands as that
// matcher line on both sides; the other lines are compared normalized,
// as in a record without matchers (a rule or a built-in normalizer
// applies to the text of a matcher line alike on both sides, so it never
// makes a matching line differ). --update writes what "cram -i -y"
// writes for a command that differs: the recorded lines that match stay
// (matcher lines among them), the fresh lines replace the others; then,
// as in an outputs block (merge.go), a fresh line that compares equal
// to a recorded one normalized is that recorded line (commandUpdate).

// CommandReport is the check of one command of a console block.
type CommandReport struct {
	// Command is the recorded command; its lines are the transcript's
	// skeleton's (for Update).
	Command *lessons.ConsoleCommand
	// Line is the line of its "$ " line in the recorded transcript.
	Line int
	// Verdict is Skip for a command that did not run after its block
	// was interrupted (its record stays), Fail for one an exit left not
	// run (Reason SessionEnded) and one that differs (OutputDiffers).
	Verdict
	Reason
	// Diff is the unified diff of the normalized lines, recorded → fresh.
	Diff string
	// Recorded and Fresh are the normalized lines, with " (no-eol)" on
	// the last one of output that ends without a newline and "[N]" after
	// them; in Fresh, a line a matcher line of the record matches is
	// that matcher line (as cram's diff shows it).
	Recorded, Fresh []string
	// RawRecorded is the recorded output as the command printed it (the
	// block's escapes decoded); RawFresh the fresh output as the block
	// would hold it.
	RawRecorded, RawFresh string
	// Update is what --update writes in place of the recorded lines of a
	// command that differs: cram's patch (cram.Patch), the recorded
	// lines that still match kept.
	Update string
}

// compareConsole compares each command of a console cell that ran, its
// output and its exit status (a "[N]" line when it is not 0); a command
// that differs fails the cell (at the first such command's line when the
// cell failed for nothing else), and so does a command an exit left not
// run, ignore-output or not. rec is the recorded cell, with its rules,
// lesson the lesson's normalize rules; line maps a line of the
// transcript's skeleton to the transcript's.
func compareConsole(c *CellReport, rec *lessons.Cell, cr *transcript.CellResult, lesson []lessons.Normalize, line func(int) int) {
	cellRules := &rec.Rules
	if rec.Kind != lessons.Console || c.Verdict == Skip && c.Reason.Kind != IgnoredOutput {
		return
	}
	var diffs []string
	first, why := 0, Reason{}
	ended := (*transcript.ConsoleOutput)(nil)
	if len(cr.Console) > 0 {
		ended = cr.Console[0].EndedBefore // an exit of an earlier block ended the session
	}
	for i, cmd := range rec.Console {
		k := &CommandReport{Command: cmd, Line: line(cmd.Line), Verdict: Skip, RawRecorded: cmd.Recorded}
		c.Commands = append(c.Commands, k)
		switch {
		case i < len(cr.Console) && cr.Console[i].Ran && !cellRules.IgnoreOutput:
			compareCommand(k, cr.Console[i], lesson, cellRules)
			if k.Verdict == Fail {
				diffs = append(diffs, k.Diff)
			}
		case ended != nil && i < len(cr.Console) && !cr.Console[i].Ran:
			k.Verdict, k.Reason = Fail, Reason{Kind: SessionEnded, Detail: render.SessionEndedWords(line(ended.Command.Line), ended.Exit)}
		}
		if i < len(cr.Console) && cr.Console[i].Ended {
			ended = &cr.Console[i]
		}
		if k.Verdict == Fail && first == 0 {
			first, why = k.Line, k.Reason
		}
	}
	if first == 0 {
		return
	}
	c.outputsDiff = c.Diff
	c.Diff = strings.Join(append([]string{c.Diff}, diffs...), "")
	if c.Verdict != Fail {
		c.Verdict, c.Reason, c.Line = Fail, why, first
	}
}

// compareCommand compares a command's recorded lines with its fresh
// output, each normalized, and a "[N]" line after them for an exit
// status that is not 0.
func compareCommand(k *CommandReport, co transcript.ConsoleOutput, lesson []lessons.Normalize, cellRules *lessons.CellRules) {
	rec, fresh := k.Command.Lines, lessons.ConsoleRecordLines(render.ConsoleText(co), co.Exit)
	k.RawFresh = string(joinLines(fresh))
	k.Recorded, k.Fresh = commandCompared(rec, fresh, lesson, cellRules)
	name := firstLine(k.Command.Text)
	k.Diff = UnifiedDiff("recorded: $ "+name, "fresh: $ "+name, k.Recorded, k.Fresh)
	k.Verdict = Pass
	if k.Diff != "" {
		k.Verdict, k.Reason = Fail, Reason{Kind: OutputDiffers}
		k.Update = string(joinLines(commandUpdate(rec, fresh, lesson, cellRules)))
	}
}

// commandCompared are the compared lines of a command's recorded lines
// rec and of its fresh lines (as the block would record them): each
// read back as output and exit status (lessons.ReadConsoleRecord) and
// normalized (comparedLines), a fresh line a matcher line of rec
// matches first that matcher line (cram.Matched).
func commandCompared(rec, fresh []string, lesson []lessons.Normalize, cellRules *lessons.CellRules) (recorded, freshLines []string) {
	shown := fresh
	if slices.ContainsFunc(rec, cram.IsMatcher) {
		shown = cram.Matched(rec, fresh)
	}
	recText, recExit := lessons.ReadConsoleRecord(rec)
	text, exit := lessons.ReadConsoleRecord(shown)
	return comparedLines(recText, recExit, lesson, cellRules), comparedLines(text, exit, lesson, cellRules)
}

// commandUpdate is what --update writes in place of a command's
// recorded lines rec for its fresh lines: what "cram -i -y" writes
// (cram.Patch: the recorded lines that match stay, matcher lines too;
// the fresh lines without a matcher line in rec), then, of the lines
// that come from the fresh run, each that compares as a recorded line
// does is that recorded line (keepRecorded), when the record so made
// passes against the fresh lines.
func commandUpdate(rec, fresh []string, lesson []lessons.Normalize, cellRules *lessons.CellRules) []string {
	patched := fresh
	if slices.ContainsFunc(rec, cram.IsMatcher) {
		patched = cram.Patch(rec, fresh)
	}
	merged := keepRecorded(rec, patched, consoleSource(lesson, cellRules), nil, consoleKeeps)
	if !slices.Equal(merged, patched) {
		if r, f := commandCompared(merged, fresh, lesson, cellRules); !slices.Equal(r, f) {
			return patched
		}
	}
	return merged
}

// comparedLines are the compared lines of a command's output and exit
// status: the output normalized, " (no-eol)" on its last line when it
// does not end in a newline (cram tells "x" from "x (no-eol)"), and
// cram's "[N]" line after them when the exit status is not 0.
func comparedLines(output string, exit int, lesson []lessons.Normalize, cellRules *lessons.CellRules) []string {
	lines, _ := comparedLinesFrom(output, exit, 0, lesson, cellRules)
	return lines
}

// comparedLinesFrom is comparedLines with, for each compared line, the
// line of output (from 0) it comes from (-1: not known); the "[N]" line
// comes from line exitLine.
func comparedLinesFrom(output string, exit, exitLine int, lesson []lessons.Normalize, cellRules *lessons.CellRules) ([]string, []int) {
	lines, from := normalizeTextFrom(output, lesson, cellRules)
	if n := len(lines); n > 0 && output != "" && !strings.HasSuffix(output, "\n") {
		lines[n-1] += cram.NoEOLSuffix
	}
	if exit == 0 {
		return lines, from
	}
	return append(lines, fmt.Sprintf("[%d]", exit)), append(from, exitLine)
}

// FailingCommands are a cell's console commands that failed: that
// differ, or that an exit left not run.
func (c *CellReport) FailingCommands() []*CommandReport {
	var f []*CommandReport
	for _, k := range c.Commands {
		if k.Verdict == Fail {
			f = append(f, k)
		}
	}
	return f
}

// rewritesBlock says whether an update of a failing cell rewrites its
// outputs block: not when only its console commands differ (their lines
// are rewritten in the block, the outputs block stays as it was).
func (c *CellReport) rewritesBlock() bool {
	k := c.Reason.Kind
	return k != OutputDiffers && k != SessionEnded && k != Interrupted || len(c.FailingCommands()) == 0 || c.outputsDiff != ""
}

// OwnFailure says whether a failing cell fails for more than its console
// commands that differ (its outputs block, or how it ended): reports then
// show that failure at the cell's line, besides each command's.
func (c *CellReport) OwnFailure() bool {
	return len(c.FailingCommands()) == 0 || c.rewritesBlock()
}

// BlockDiff is the diff of the cell's outputs block alone (Diff holds
// its console commands' diffs too).
func (c *CellReport) BlockDiff() string {
	if len(c.FailingCommands()) > 0 {
		return c.outputsDiff
	}
	return c.Diff
}

// consoleEdits says how Updated rewrites the console commands that
// differ, by line of the transcript's skeleton (render.ConsoleEdits);
// cells are the recorded cells.
func consoleEdits(failing map[int]*CellReport, cells []*lessons.Cell) *render.ConsoleEdits {
	e := render.NewConsoleEdits()
	for _, c := range cells {
		if f := failing[c.Index]; f != nil {
			for _, k := range f.FailingCommands() {
				if k.Reason.Kind == OutputDiffers {
					e.Rewrite(c, k.Command, k.Update)
				}
			}
		}
	}
	return e
}

// consoleRecords says whether a lesson has a console block: a console
// block is its own record (each command's lines after it, none for a
// command that prints nothing), so such a lesson is a transcript of
// itself, even when none of its commands prints anything.
func consoleRecords(cells []*lessons.Cell) bool {
	for _, c := range cells {
		if c.Kind == lessons.Console {
			return true
		}
	}
	return false
}

// firstLine is a text's first line that is not blank, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}
