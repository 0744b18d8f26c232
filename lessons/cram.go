package lessons

import (
	"cmp"
	"path/filepath"
	"strings"
)

// A cram test file (foo.t) is read as cram 0.7 reads one (_test.py):
// every line that starts with two spaces is the test's, every other line
// is prose, kept as it is. Of the indented lines, "  $ CMD" starts a
// command and "  > MORE" continues the current one; any other indented
// line ("  ", "  $" and "  [1]" among them) is expected output of the
// command before it, even when prose stands between them, and a last
// "[N]" is its exit status. A file whose last line has no newline is
// read as if it had one. An indented line before the first command is
// no command's (Cmd -1), as in cram: an output line there is in no
// fresh output, so the file fails at its first command (and an update
// drops the line, as "cram -i -y" does); a "  > " line there stays where
// it is, and its text runs before the first command (Preamble), as cram
// runs it: its output comes first in the fresh lines. A file with
// indented lines and no command has one cell and no command (its lines
// are expected output of nothing: cram fails the file; the cell runs the
// preamble). Each run of indented lines is a console cell of the lesson
// (Kind Console, run through pipes), so that errors and verdicts say
// foo.t:LINE; CramFile keeps what a writer needs to write the file back
// as cram does (cramwrite.go). The indent is cram's --indent: two spaces
// by default (DefaultCramIndent), any number of them (CramIndentOf).

// DefaultCramIndent is the indent of a cram test's lines without
// --indent: cram's default, two spaces.
const DefaultCramIndent = 2

// CramIndentOf is the indent of n spaces, as cram's --indent=n reads it:
// 0 is the default (DefaultCramIndent, so that a zero value of an option
// reads as cram's default), and a negative n no indent at all (cram's
// --indent=0: every line that is no command is expected output).
func CramIndentOf(n int) string {
	switch {
	case n == 0:
		n = DefaultCramIndent
	case n < 0:
		n = 0
	}
	return strings.Repeat(" ", n)
}

// CramExt is the extension of a cram test file.
const CramExt = ".t"

// IsCram says whether path names a cram test file (by its extension).
func IsCram(path string) bool { return filepath.Ext(path) == CramExt }

// CramLineKind says what a line of a cram test file is.
type CramLineKind int

// The kinds of cram line.
const (
	// CramProse is a line that does not start with the indent.
	CramProse CramLineKind = iota
	// CramCommand is "  $ CMD".
	CramCommand
	// CramMore is "  > MORE", continuing the current command.
	CramMore
	// CramOutput is any other indented line: expected output.
	CramOutput
)

// CramLine is one line of a cram test file.
type CramLine struct {
	Kind CramLineKind
	// Text is the line with its "\n" (one added to a last line without).
	Text string
	// Cmd is the index, among the file's commands, of the command the
	// line belongs to: the one it starts or continues, or whose output
	// or following prose it is; -1 before the first command.
	Cmd int
}

// CramFile is what a lesson read from a cram test file keeps of it.
type CramFile struct {
	// Lines are the file's lines, classified.
	Lines []CramLine
	// NoEOL says the file's last line has no newline.
	NoEOL bool
	// Commands are the file's commands in order (those of its cells).
	Commands []*ConsoleCommand
	// Indent is the indent of the file's lines (CramIndentOf).
	Indent string
	// Preamble is the text of the "> " lines before the first command,
	// joined by newlines: cram runs it first, before the first command
	// ("" for none).
	Preamble string
	// PreambleLine is the line of the preamble's first line (0: none).
	PreambleLine int
}

// ParseCram reads a cram test file into a lesson whose cells are its
// runs of indented lines, indent the spaces of cram's --indent
// (CramIndentOf). name is used in messages. An empty file is a lesson
// without cells.
func ParseCram(name string, src []byte, indent string) (*Lesson, error) {
	l := &Lesson{Name: name, Source: src, Dialect: NativeDialect, Cram: &CramFile{Indent: indent}, CramName: filepath.Base(name)}
	f := l.Cram
	text := string(src)
	f.NoEOL = text != "" && !strings.HasSuffix(text, "\n")
	var cell *Cell
	var cur *ConsoleCommand
	for i, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			break
		}
		n := i + 1
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		kind := cramKind(line, indent)
		if kind == CramProse || kind != CramCommand && cur == nil {
			cell = nil
		} else if cell == nil {
			cell = &Cell{Index: len(l.Cells), Info: "console", Line: n, Kind: Console, Attrs: cramAttrs()}
			l.Cells = append(l.Cells, cell)
		}
		if cell != nil {
			cell.EndLine = n
			cell.Source += strings.TrimPrefix(line, indent)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(line, indent), "\n")
		switch kind {
		case CramCommand:
			cur = &ConsoleCommand{Line: n, LastLine: n, OutLine: n + 1, Text: strings.TrimPrefix(body, consolePrompt)}
			cell.Console = append(cell.Console, cur)
			f.Commands = append(f.Commands, cur)
		case CramMore:
			if cur == nil {
				f.Preamble += strings.TrimPrefix(body, consoleMore) + "\n"
				f.PreambleLine = cmp.Or(f.PreambleLine, n)
				break
			}
			cur.Text += "\n" + strings.TrimPrefix(body, consoleMore)
			cur.LastLine = n
		case CramOutput:
			if cur == nil {
				break
			}
			if cur.OutLines == 0 {
				cur.OutLine = n
			}
			cur.OutLines++
			cur.Lines = append(cur.Lines, body)
		}
		f.Lines = append(f.Lines, CramLine{Kind: kind, Text: line, Cmd: len(f.Commands) - 1})
	}
	f.Preamble = strings.TrimSuffix(f.Preamble, "\n")
	for _, c := range l.Cells {
		c.Source = strings.TrimSuffix(c.Source, "\n")
		c.Body = c.Source
	}
	for _, cmd := range f.Commands {
		cmd.Recorded, cmd.Exit = ReadConsoleRecord(cmd.Lines)
	}
	l.Cells = cramCells(l.Cells, f)
	return l, nil
}

// cramCells are the cells that hold commands, renumbered: a run of
// indented lines holding only output belongs to the command before it.
// A file with indented lines and no command has one cell, with no
// command, at its first indented line: cram runs the file (its
// preamble) and compares those lines with what it printed.
func cramCells(cells []*Cell, f *CramFile) []*Cell {
	var kept []*Cell
	for _, c := range cells {
		if len(c.Console) > 0 {
			c.Index = len(kept)
			kept = append(kept, c)
		}
	}
	if len(f.Commands) > 0 {
		return kept
	}
	for i, l := range f.Lines {
		if l.Kind != CramProse {
			return []*Cell{{Info: "console", Line: i + 1, EndLine: i + 1, Kind: Console, Attrs: cramAttrs()}}
		}
	}
	return kept
}

// cramKind classifies one line (with its newline) as cram does, by the
// file's indent.
func cramKind(line, indent string) CramLineKind {
	switch {
	case strings.HasPrefix(line, indent+consolePrompt):
		return CramCommand
	case strings.HasPrefix(line, indent+consoleMore):
		return CramMore
	case strings.HasPrefix(line, indent):
		return CramOutput
	}
	return CramProse
}

// cramAttrs are a cram cell's attributes: it runs, through pipes (cram
// runs its shell so, stderr merged).
func cramAttrs() *Attrs {
	pty := false
	return &Attrs{Run: true, Pty: &pty}
}
