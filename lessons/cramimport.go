package lessons

import (
	"strings"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/marker"
)

// labrun import foo.t: a cram test file as a Markdown lesson that runs as
// cram runs the file. Its first line is the directive
// <!-- labrun: cram=foo.t --> (the runner gives its console blocks cram's
// shell, environment and work dir); each prose line is kept as it is,
// and each run of indented lines becomes a console block,
// ```console run no-pty, its lines without the indent. An expected
// output line that stands after prose, which cram reads as the output of
// the command before it, joins that command in its block. Each expected
// line is written as a console block records the output it stands for
// (cramRecordLine): the two formats are cram's, but a console block
// escapes a line that would read as something else in Markdown ("$", a
// marker, an output that ends in " (esc)"). An indented line before the
// first command, which is no command's, has no block to stand in: such a
// file is refused.

// CramMarkdown converts a cram test file, its lines indented by indent
// (CramIndentOf), to a Markdown lesson; name is the file's path, used in
// messages and, its base name, in the directive.
func CramMarkdown(name string, src []byte, indent string) ([]byte, error) {
	l, err := ParseCram(name, src, indent)
	if err != nil {
		return nil, err
	}
	f := l.Cram
	var errs ErrorList
	for i, line := range f.Lines {
		switch {
		case line.Cmd >= 0:
		case line.Kind == CramOutput:
			errs.add(name, i+1, "expected output before the first `  $ ` command")
		case line.Kind == CramMore:
			errs.add(name, i+1, "a `  > ` continuation before the first `  $ ` command")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
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
		var out []string
		for _, l := range f.Lines {
			body := strings.TrimSuffix(strings.TrimPrefix(l.Text, f.Indent), "\n")
			switch {
			case l.Cmd != k || l.Kind == CramProse:
			case l.Kind == CramOutput:
				out = append(out, body)
			default:
				lines = append(lines, body)
			}
		}
		for i, l := range out {
			lines = append(lines, cramRecordLine(l, i == len(out)-1))
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

// cramRecordLine is an expected line of a cram test as a console block
// records the same output: a last "[N]", a " (re)" or " (glob)" line as
// it is; the output another line stands for encoded as the block encodes
// it (consolerecord.go). An " (esc)" line stands for its escapes
// decoded, but one without a backslash, which cram writes for output
// that ends so, for itself (cram's esc matcher takes both); " (no-eol)"
// is the output's end without a newline.
func cramRecordLine(l string, last bool) string {
	if last && exitLine.MatchString(l) || strings.HasSuffix(l, cram.ReSuffix) || strings.HasSuffix(l, cram.GlobSuffix) {
		return l
	}
	out := l
	if body, ok := strings.CutSuffix(l, escSuffix); ok && strings.Contains(body, `\`) {
		out = cram.Unescape(body)
	}
	out, noEOL := strings.CutSuffix(out, cram.NoEOLSuffix)
	return encodeConsoleLine(out, noEOL)
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
