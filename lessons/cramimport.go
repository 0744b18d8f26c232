package lessons

import (
	"strings"

	"github.com/labrun/labrun/internal/marker"
)

// labrun import foo.t: a cram test file as a Markdown lesson that runs as
// cram runs the file. Its first line is the directive
// <!-- labrun: cram=foo.t --> (the runner gives its console blocks cram's
// shell, environment and work dir); each prose line is kept as it is,
// and each run of indented lines becomes a console block,
// ```console run no-pty, its lines without the indent. An expected
// output line that stands after prose, which cram reads as the output of
// the command before it, joins that command in its block. A line that a
// console block would read otherwise than cram ("$", a line that starts
// as labrun's markers do) is written escaped, as labrun's console
// records write it (consolerecord.go).

// CramMarkdown converts a cram test file to a Markdown lesson; name is
// the file's path, used in messages and, its base name, in the directive.
func CramMarkdown(name string, src []byte) ([]byte, error) {
	l, err := ParseCram(name, src)
	if err != nil {
		return nil, err
	}
	f := l.Cram
	var b strings.Builder
	b.WriteString(marker.Prefix + " cram=" + l.CramName + " -->\n")
	cells := map[int]*Cell{}
	for _, c := range l.Cells {
		cells[c.Line] = c
	}
	for i, line := range f.Lines {
		if line.Kind == CramProse {
			b.WriteString(line.Text)
		}
		if c := cells[i+1]; c != nil {
			writeCramBlock(&b, f, c)
		}
	}
	return []byte(b.String()), nil
}

// writeCramBlock writes one cell of a cram test as a console block: each
// command's lines, then every expected line of it.
func writeCramBlock(b *strings.Builder, f *CramFile, c *Cell) {
	var lines []string
	for _, cmd := range c.Console {
		k := cramIndex(f, cmd)
		for _, l := range f.Lines {
			if l.Cmd != k || l.Kind == CramProse {
				continue
			}
			body := strings.TrimSuffix(strings.TrimPrefix(l.Text, CramIndent), "\n")
			if l.Kind == CramOutput && (body == "$" || marker.Looks(body)) {
				body = encodeConsoleLine(body, false)
			}
			lines = append(lines, body)
		}
	}
	fence := strings.Repeat("`", 3)
	for _, l := range lines {
		if n := len(l) - len(strings.TrimLeft(l, "`")); n >= len(fence) {
			fence = strings.Repeat("`", n+1)
		}
	}
	b.WriteString(fence + "console run no-pty\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString(fence + "\n")
}

// cramIndex is the index of cmd among the file's commands.
func cramIndex(f *CramFile, cmd *ConsoleCommand) int {
	for k, c := range f.Commands {
		if c == cmd {
			return k
		}
	}
	return -1
}
