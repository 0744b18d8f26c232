package lessons

import (
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
// it is (cram runs it before the first command; labrun does not). Each
// run of indented lines is a console cell of the lesson (Kind Console,
// run through pipes), so that errors and verdicts say foo.t:LINE;
// CramFile keeps what a writer needs to write the file back as cram does
// (cramwrite.go).

// CramIndent is the indent of a cram test's lines.
const CramIndent = "  "

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
}

// ParseCram reads a cram test file into a lesson whose cells are its
// runs of indented lines. name is used in messages. An empty file is a
// lesson without cells.
func ParseCram(name string, src []byte) (*Lesson, error) {
	l := &Lesson{Name: name, Source: src, Dialect: NativeDialect, Cram: &CramFile{}, CramName: filepath.Base(name)}
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
		kind := cramKind(line)
		if kind == CramProse || kind != CramCommand && cur == nil {
			cell = nil
		} else if cell == nil {
			cell = &Cell{Index: len(l.Cells), Info: "console", Line: n, Kind: Console, Attrs: cramAttrs()}
			l.Cells = append(l.Cells, cell)
		}
		if cell != nil {
			cell.EndLine = n
			cell.Source += strings.TrimPrefix(line, CramIndent)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(line, CramIndent), "\n")
		switch kind {
		case CramCommand:
			cur = &ConsoleCommand{Line: n, LastLine: n, OutLine: n + 1, Text: strings.TrimPrefix(body, consolePrompt)}
			cell.Console = append(cell.Console, cur)
			f.Commands = append(f.Commands, cur)
		case CramMore:
			if cur == nil {
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
	for _, c := range l.Cells {
		c.Source = strings.TrimSuffix(c.Source, "\n")
		c.Body = c.Source
	}
	for _, cmd := range f.Commands {
		cmd.Recorded, cmd.Exit = ReadConsoleRecord(cmd.Lines)
	}
	l.Cells = cramCells(l.Cells)
	return l, nil
}

// cramCells are the cells that hold commands, renumbered: a run of
// indented lines holding only output belongs to the command before it.
func cramCells(cells []*Cell) []*Cell {
	var kept []*Cell
	for _, c := range cells {
		if len(c.Console) > 0 {
			c.Index = len(kept)
			kept = append(kept, c)
		}
	}
	return kept
}

// cramKind classifies one line (with its newline) as cram does.
func cramKind(line string) CramLineKind {
	switch {
	case strings.HasPrefix(line, CramIndent+consolePrompt):
		return CramCommand
	case strings.HasPrefix(line, CramIndent+consoleMore):
		return CramMore
	case strings.HasPrefix(line, CramIndent):
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
