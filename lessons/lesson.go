package lessons

import (
	"fmt"
	"time"

	"github.com/labrun/labrun/internal/limits"
)

// Kind says what a code cell does when it runs.
type Kind int

// The kinds of code cell.
const (
	// Python is Python code, possibly with shell escapes and line magics.
	Python Kind = iota
	// File writes its body to a file with a comment header, then runs
	// the cell's %run lines (%%cpp, %%asm, %%save_file, %%cmake, %%makefile).
	File
	// WriteFile writes its body verbatim (%%writefile, %%file).
	WriteFile
	// Script feeds its body to a shell on stdin (%%bash, %%sh, %%script
	// bash, %%script sh).
	Script
	// Setup is the course's set-up one-liner; labrun provides its
	// behaviour natively and skips it.
	Setup
	// Skipped is a cell labrun knows but does not run (%%sql,
	// %%save_cell_as_string).
	Skipped
	// Console is a console block: `$ command` lines run in the lesson's
	// shell session (or the one session= names), each followed by its
	// recorded output.
	Console
	// Background starts its command in the background (native
	// `name=NAME background`).
	Background
)

var kindNames = [...]string{"python", "file", "writefile", "script", "setup", "skipped", "console", "background"}

// String returns the kind's name as used in annotations.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Lesson is a parsed lesson: its source and its code cells in order.
type Lesson struct {
	// Name is the file name used in messages (e.g. "lesson.md").
	Name string
	// Source is the lesson's bytes, exactly as read.
	Source []byte
	// Cells are the fenced blocks that run (dialect.go), in order.
	Cells []*Cell
	// Timeout, when non-zero, is the default step timeout the lesson
	// declares (<!-- labrun timeout=30s -->).
	Timeout time.Duration
	// Limits are the resource limits the lesson declares
	// (<!-- labrun cpu=60 procs=64 fsize=10M nofile=256 as=2G -->); zero
	// fields are left to labrun's defaults; cpu, fsize and as may be
	// unlimited (limits.Unlimited: no limit set, the inherited one stays).
	Limits limits.Limits
	// LimitsLine is the line of the last directive that set a limit, for
	// messages about them; 0 when none did.
	LimitsLine int
	// Dialect says which fences run by default (dialect.go).
	Dialect Dialect
	// ConsoleRun runs every console block (<!-- labrun: console=run -->).
	ConsoleRun bool
	// NotRun are the fences that are not cells, with the reason.
	NotRun []NotRun
	// After are the directives that follow the last cell; they run
	// after it.
	After []*Directive
	// Normalize are the check rules for every cell: the normalize rules
	// that stand before no code cell, in order (checkrules.go; each
	// cell's own rules are its Rules).
	Normalize []Normalize
	// RuleErrors are the check rules, other than normalize, that stand
	// before no code cell: labrun check refuses the lesson for them
	// (labrun run has no use for check rules).
	RuleErrors ErrorList
	// Magics is the version of the course's magics the lesson's
	// directive asks for (<!-- labrun magics=2019 -->); "" leaves it to
	// the levels below (runner.SettingsOf).
	Magics string
	// SetupMagics is the version the lesson's own set-up cell defines
	// (SetupMagics), "" without one.
	SetupMagics string
	// Cram, for a lesson read from a cram test file (ParseCram), is what
	// it keeps of the file to write it back; nil for a Markdown lesson.
	Cram *CramFile
	// CramName, when set, is the base name of the cram test file whose
	// run the lesson's is (runner: cram's environment and work dir): the
	// file's own for one read by ParseCram, the directive's for a
	// Markdown lesson (<!-- labrun: cram=foo.t -->, labrun import).
	CramName string
	// Warnings are cells that will fail as the course's magics failed
	// (a magic line argparse refuses: see Cell.MagicExit), by line.
	Warnings ErrorList
}

// Cell is one fenced code block with an info string.
type Cell struct {
	// Index is the cell's number among the lesson's code cells, from 0.
	Index int
	// Info is the fence's info string, e.g. "cpp" or
	// `cpp file=a.c run="gcc a.c"`.
	Info string
	// Line is the 1-based line of the opening fence.
	Line int
	// EndLine is the 1-based line of the closing fence.
	EndLine int
	// Fence is the run of backticks or tildes that opens it ("```").
	Fence string
	// Source is the text between the fences, without the final newline.
	Source string
	// Kind says what the cell does.
	Kind Kind
	// Magic is the cell magic without %% ("cpp", "bash", ...), or "" for
	// Python cells and native-dialect cells.
	Magic string
	// Args is the cell magic's argument string, as written.
	Args string
	// Body is what the cell holds below its %% magic line: what a file
	// cell writes, what a script cell feeds its shell. It is the whole
	// Source when the cell has no magic line (Python cells, the native
	// dialect).
	Body string
	// Shell is the shell a Script cell feeds its body to: "bash" or "sh".
	Shell string
	// File describes the file a File or WriteFile cell writes.
	File *FileSpec
	// Timeout, when non-zero, overrides the step timeout for this cell
	// (native dialect: timeout=2s).
	Timeout time.Duration
	// Attrs are the attributes of a native fence; nil for a course cell.
	Attrs *Attrs
	// Console holds a console block's commands (Kind Console).
	Console []*ConsoleCommand
	// Before are the directives between the previous cell and this one,
	// run before it.
	Before []*Directive
	// Rules are the check rules that govern the cell (checkrules.go).
	Rules CellRules
	// MagicExit, when set, is all the cell does: a course-dialect file
	// cell whose magic line the course's argparse refused.
	MagicExit *MagicExit
	// MagicExit2019 is what the cell does under the 2019 magics, whose
	// save_file parser lacks --under-spoiler-threshold: set where that
	// parser refuses the arguments (MagicExitUnder chooses).
	MagicExit2019 *MagicExit
}

// Pos returns "name:line" for the cell's opening fence.
func (c *Cell) Pos(name string) string { return fmt.Sprintf("%s:%d", name, c.Line) }

// BodyLine returns the 1-based lesson line of the cell's body line i
// (0-based).
func (c *Cell) BodyLine(i int) int { return c.Line + 1 + i }

// CommandKind says what a %-line of a file cell does.
type CommandKind int

// The kinds of file-cell command.
const (
	// Run runs a shell command after the file is written (%run CMD).
	Run CommandKind = iota
	// Markdown shows text in the transcript (%MD text).
	Markdown
	// Comment is a comment line (%// in %%cpp and %%asm, %# in the
	// others): written to the file commented; the course's current
	// magics also show it as a level-4 heading, the 2019 ones do not.
	Comment
)

// Command is one %-line of a file cell, in the order written.
type Command struct {
	Kind CommandKind
	// Text is the command or the text to show, trimmed.
	Text string
	// Line is the 1-based lesson line it stands on (the fence line in
	// the native dialect).
	Line int
}

// FileSpec is what a file cell writes.
type FileSpec struct {
	// Name is the path relative to the work directory; empty for a
	// native cell that only runs commands.
	Name string
	// Comment starts a line comment in the file's language ("//" or "#").
	// Empty for verbatim writes.
	Comment string
	// Header is the argument string repeated in the first line
	// ("<comment> %%cpp ARGS").
	Header string
	// Tabs turns every run of four spaces into a tab (%%makefile).
	Tabs bool
	// EjudgeStyle strips trailing spaces and ends the file with
	// "<comment> line without \n".
	EjudgeStyle bool
	// SpoilerThreshold, when positive, puts a command's output longer
	// than that many lines under <details>.
	SpoilerThreshold int
	// Verbatim writes the body as it is, with no header (%%writefile and
	// the native dialect).
	Verbatim bool
	// Commands are the cell's %run, %MD and comment lines, in order.
	Commands []Command
}

// MagicExitUnder is what the cell's magic line did under the course's
// magics version magics (MagicsCurrent, Magics2019): nil when that
// version's save_file took its arguments.
func (c *Cell) MagicExitUnder(magics string) *MagicExit {
	if magics == Magics2019 {
		return c.MagicExit2019
	}
	return c.MagicExit
}
