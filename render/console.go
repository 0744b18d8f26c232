package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// ConsoleEdits say how a transcript rewrites console blocks, by lesson
// line: the recorded output lines of a command whose fresh output
// differs are left out (skip) and the fresh ones written after the
// command's last line (insert), in the block's record format
// (lessons.ConsoleRecord); a block whose fresh lines hold a run of its
// fence's character as long as its fence gets longer fences (fence: the
// length of the run on that line), so that no output closes it. A block
// whose every command printed what it records is kept byte for byte.
type ConsoleEdits struct {
	skip   map[int]bool
	insert map[int]string
	fence  map[int]int
}

// NewConsoleEdits returns edits that change nothing.
func NewConsoleEdits() *ConsoleEdits {
	return &ConsoleEdits{skip: map[int]bool{}, insert: map[int]string{}, fence: map[int]int{}}
}

// Rewrite records that command cmd of console cell c gets the lines
// fresh (ConsoleFresh's) in place of its recorded ones.
func (e *ConsoleEdits) Rewrite(c *lessons.Cell, cmd *lessons.ConsoleCommand, fresh string) {
	for n := cmd.OutLine; n < cmd.OutLine+cmd.OutLines; n++ {
		e.skip[n] = true
	}
	e.insert[cmd.LastLine] = fresh
	fence := c.Fence
	if fence == "" {
		fence = "```" // a cell made by hand, not read from a fence
	}
	ch := fence[:1]
	if need := longestRun(fresh, ch) + 1; need > len(fence) {
		n := max(need, longestRun(c.Source, ch)+1, e.fence[c.Line])
		e.fence[c.Line], e.fence[c.EndLine] = n, n
	}
}

// Write writes lesson line n (text, with its line end) as edited.
func (e *ConsoleEdits) Write(b io.StringWriter, n int, text string) {
	if e.skip[n] {
		return
	}
	if l, ok := e.fence[n]; ok {
		text = lengthenFence(text, l)
	}
	b.WriteString(text)
	b.WriteString(e.insert[n])
}

// Skipped says whether line n is left out.
func (e *ConsoleEdits) Skipped(n int) bool { return e.skip[n] }

// longestRun is the longest run of ch that starts a line of text (after
// any blanks), as a fence would.
func longestRun(text, ch string) int {
	longest := 0
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(l, " \t")
		longest = max(longest, len(l)-len(strings.TrimLeft(l, ch)))
	}
	return longest
}

// lengthenFence writes a fence line's run of backticks or tildes n long.
func lengthenFence(line string, n int) string {
	t := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(t)]
	if t == "" {
		return line
	}
	rest := strings.TrimLeft(t, t[:1])
	return indent + strings.Repeat(t[:1], n) + rest
}

// consoleEdits says how the transcript rewrites the console blocks that
// ran: the commands whose fresh output differs from their record.
func consoleEdits(res *transcript.Result) *ConsoleEdits {
	e := NewConsoleEdits()
	for _, cr := range res.Cells {
		for _, co := range cr.Console {
			if fresh, ok := ConsoleFresh(co); ok {
				e.Rewrite(cr.Cell, co.Command, fresh)
			}
		}
	}
	return e
}

// ConsoleFresh returns the lines a console command's fresh output puts
// in its block (lessons.ConsoleRecord), and whether they differ from the
// recorded ones (a command that did not run keeps its record). A record
// that holds cram's matcher lines (" (re)", " (glob)") is kept while
// its lines match the fresh ones as cram matches them (internal/cram);
// when they do not, the block gets what "cram -i -y" writes: the lines
// that still match stay, the fresh ones replace the others.
func ConsoleFresh(co transcript.ConsoleOutput) (string, bool) {
	if !co.Ran {
		return "", false
	}
	fresh := ConsoleText(co)
	if rec := co.Command.Lines; slices.ContainsFunc(rec, cram.IsMatcher) {
		lines := lessons.ConsoleRecordLines(fresh, co.Exit)
		if slices.Equal(cram.Matched(rec, lines), rec) {
			return "", false
		}
		var b strings.Builder
		for _, l := range cram.Patch(rec, lines) {
			b.WriteString(l + "\n")
		}
		return b.String(), true
	}
	return lessons.ConsoleRecord(fresh, co.Exit), fresh != co.Command.Recorded || co.Exit != co.Command.Exit
}

// SessionEndedWords says why a console command after an exit did not
// run; line is the line of the command that ended the session.
func SessionEndedWords(line, exit int) string {
	return fmt.Sprintf("not run: the shell session ended at line %d (exit %d)", line, exit)
}

// consoleNotes words what a console cell's commands add to its ending:
// the commands that were interrupted, by line, and the commands an exit
// left not run, from the first one's line.
func consoleNotes(cr *transcript.CellResult) []string {
	var out []string
	for i, co := range cr.Console {
		if co.Interruption != nil {
			out = append(out, fmt.Sprintf("line %d: %s", co.Command.Line, InterruptionWords(co.Interruption)))
		}
		if e := co.EndedBefore; e != nil && i == 0 {
			return append(out, fmt.Sprintf("line %d on: %s", co.Command.Line, SessionEndedWords(e.Command.Line, e.Exit)))
		}
		if co.Ended && i+1 < len(cr.Console) {
			next := cr.Console[i+1].Command
			return append(out, fmt.Sprintf("line %d on: %s", next.Line, SessionEndedWords(co.Command.Line, co.Exit)))
		}
	}
	return out
}

// ConsoleText is what a console command printed as a terminal showed it
// (termtext), a missing final newline kept (its record says
// " (no-eol)"): the output its record reads back as
// (lessons.ConsoleCommand.Recorded).
func ConsoleText(co transcript.ConsoleOutput) string {
	return termtext.Plain(co.Output)
}
