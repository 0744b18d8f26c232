package transcript

import (
	"regexp"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// linesOf splits s after each newline; the last line may lack one.
func linesOf(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// region is the output block after a code cell of a course transcript:
// lines[start:end], which the skeleton has as sep (the blank lines
// between cells).
type region struct {
	start, end int
	sep        string
}

// courseRegions finds the output blocks of a course transcript.
func courseRegions(lines []string) []region {
	var regions []region
	for i := 0; i < len(lines); i++ {
		fence := courseFence(lines[i])
		if fence == "" {
			continue
		}
		start := i
		for i++; i < len(lines) && !lessons.ClosesFence(lines[i], fence); i++ {
		}
		if i == len(lines) {
			break // an unclosed fence runs to the end
		}
		if indentOf(lines[start]) > 0 || !opensCell(lines, start) {
			continue // a block of prose (```text, a console block), not a code cell
		}
		src := strings.Join(lines[start+1:i], "")
		end, has := outputEnd(lines, i+1, src)
		if !has {
			continue
		}
		r := region{start: i + 1, end: end}
		// A check rule (or a stack of them) stands right above a cell's
		// fence, written by --write-rules or by hand: the blank lines
		// before it are those before the cell.
		next := pastComments(lines, end)
		switch {
		case end == len(lines):
		case next < len(lines) && opensCell(lines, next):
			r.sep = "\n\n"
		default:
			r.sep = "\n"
		}
		regions = append(regions, r)
		i = end - 1
	}
	return regions
}

// opensCell says whether lines[j] opens a code cell: a fence with an
// info string that runs in the course's dialect (```python, or a %%magic
// on its first line), not a fence of a Markdown cell (```text, ```c).
func opensCell(lines []string, j int) bool {
	fence := courseFence(lines[j])
	if fence == "" || isBareFence(lines[j]) {
		return false
	}
	info := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(lines[j]), fence[:1]))
	first := ""
	if j+1 < len(lines) {
		first = lines[j+1]
	}
	return lessons.CourseCell(info, first)
}

// pastComments returns the index of the first line from j that is not a
// one-line HTML comment.
func pastComments(lines []string, j int) int {
	for j < len(lines) && isOneLineComment(lines[j]) {
		j++
	}
	return j
}

// isOneLineComment says whether line is an HTML comment, whole, on one
// line, indented as a fence may be.
func isOneLineComment(line string) bool {
	t := strings.TrimSpace(line)
	return indentOf(line) <= 3 && strings.HasPrefix(t, "<!--") && strings.HasSuffix(t, "-->") && len(t) >= len("<!---->")
}

// courseFence returns the fence a line opens ("```", "~~~~"), or "".
func courseFence(line string) string {
	t := strings.TrimSpace(line)
	if indentOf(line) > 3 || !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
		return ""
	}
	f := lessons.FenceOf(line)
	if len(f) < 3 || (f[0] != '`' && f[0] != '~') {
		return ""
	}
	if f[0] == '`' && strings.Contains(t[len(f):], "`") {
		return "" // inline code, not a fence
	}
	return f
}

func isBareFence(line string) bool {
	f := courseFence(line)
	return f != "" && strings.TrimSpace(line) == f
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// logLine matches a line of a background log as the course's launcher
// wrote it ("L | Process started. PID = 8402", "O | Hello").
var logLine = regexp.MustCompile(`^[LOEI] \| |^Process (started|finished)`)

// outputEnd scans the outputs that follow a code cell of source src from
// line j and returns the index of the first line after them and whether
// there were any. Blank lines between outputs belong to them; trailing
// blank lines up to the next cell are counted in the region too.
func outputEnd(lines []string, j int, src string) (int, bool) {
	has := false
	blanks := 0      // blank lines just before j
	display := false // the line before j is a display's
	for j < len(lines) {
		l := strings.TrimRight(lines[j], "\n")
		shown := false
		switch {
		case strings.TrimSpace(l) == "" && len(l) < 4:
			blanks++
			j++
			continue
		case display && blanks == 0:
			// A display's next line, indented or not: nbconvert ends
			// every output with blank lines, so a line right under a
			// display's is its own (a %p value of more lines than
			// one). One blank line under it may be the skeleton's (an
			// update's layout).
			j, shown = j+1, true
		case strings.HasPrefix(l, "    "):
			j++
		case blanks > 0 && logEnd(lines, j) > 0:
			j = logEnd(lines, j)
		case blanks > 0 && htmlBlock(l, src) != "":
			end, ok := htmlBlockEnd(lines, j, htmlBlock(l, src))
			if !ok {
				return j, has
			}
			j, shown = end, true
		case blanks > 0 && isDisplay(l, src):
			// A fence or a <pre> that holds no log is one too, when
			// the cell says so (display(Markdown('```\n...'))).
			j, shown = j+1, true
		default:
			return j, has
		}
		has, display = true, shown
		blanks = 0
	}
	return j, has
}

// logEnd returns the index of the line after the background log that
// opens at line j, a bare fence or a <pre> block of log lines, or 0 when
// none does (a display may be a fence or a <pre> too).
func logEnd(lines []string, j int) int {
	l := strings.TrimRight(lines[j], "\n")
	closing := func(s string) bool { return strings.TrimSpace(s) == "</pre>" }
	switch {
	case isBareFence(l):
		fence := courseFence(l)
		closing = func(s string) bool { return lessons.ClosesFence(s, fence) }
	case strings.TrimSpace(l) != "<pre>":
		return 0
	}
	if end, ok := logBlock(lines, j, closing); ok {
		return end
	}
	return 0
}

// logBlock reads a block opened at line j and closed by the first line
// for which closing is true; it must hold a background log. It returns
// the index of the line after the block.
func logBlock(lines []string, j int, closing func(string) bool) (int, bool) {
	seen := false
	for k := j + 1; k < len(lines); k++ {
		l := strings.TrimRight(lines[k], "\n")
		if closing(l) {
			return k + 1, seen
		}
		if l == "" {
			continue
		}
		if !logLine.MatchString(l) {
			return 0, false
		}
		seen = true
	}
	return 0, false
}

// htmlBlock returns the closing tag of the HTML display that line l
// opens in the outputs of a cell with source src, or "": a %run line's
// output under --under-spoiler-threshold ("<pre><code>...</code></pre>",
// or the same inside "<details> <summary> output </summary>"), an
// IFrame's (or YouTubeVideo's) "<iframe ...></iframe>". Their lines are
// what a program printed or what the display's arguments say, so they
// are told by how the display opens and read on to its closing tag.
func htmlBlock(l, src string) string {
	t := strings.TrimSpace(l)
	switch {
	case (strings.HasPrefix(t, "<pre><code>") || strings.HasPrefix(t, "<details> <summary> output </summary> <pre><code>")) && hasMagicLine(src, "%run "):
		return "</code></pre>"
	case strings.HasPrefix(t, "<iframe") && (strings.Contains(src, "IFrame") || strings.Contains(src, "YouTubeVideo") || strings.Contains(src, "<iframe")):
		return "</iframe>"
	}
	return ""
}

// htmlBlockEnd returns the index of the line after the HTML display that
// opens at line j and ends with the first line holding closing.
func htmlBlockEnd(lines []string, j int, closing string) (int, bool) {
	for k := j; k < len(lines); k++ {
		if strings.Contains(lines[k], closing) {
			return k + 1, true
		}
	}
	return 0, false
}

// hasMagicLine says whether src has a line starting with prefix ("%run ").
func hasMagicLine(src, prefix string) bool {
	return strings.HasPrefix(src, prefix) || strings.Contains(src, "\n"+prefix)
}

// headingPrefix starts the display the current magics give a file cell's
// comment line ("%// text" shows as \#\#\#\# `text`).
const headingPrefix = `\#\#\#\# ` + "`"

// isDisplay says whether line l can be a display output of a cell with
// source src: "Run: `CMD`" for one of its %run lines, the heading of one
// of its comment lines (%// or %#), the value of one of its %p
// expressions, or text that the cell itself holds (%MD text, "%p # text",
// display(HTML('...'))).
func isDisplay(l, src string) bool {
	if strings.HasPrefix(l, "Run: `") {
		// Any %run line: a recording may predate an edit of the command.
		return hasMagicLine(src, "%run ")
	}
	if strings.HasPrefix(l, headingPrefix) && strings.HasSuffix(l, "`") {
		// Any comment line, as for %run.
		return hasMagicLine(src, "%//") || hasMagicLine(src, "%#")
	}
	for _, sl := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sl), "%p ")
		if !ok {
			continue
		}
		expr, _, _ := strings.Cut(rest, " #")
		expr = strings.TrimSpace(expr)
		if expr != "" && (strings.HasPrefix(l, "`"+expr+" = ") || strings.HasPrefix(l, expr+" = ")) {
			return true
		}
	}
	t := strings.TrimSpace(l)
	return len([]rune(t)) >= 3 && strings.Contains(src, t)
}
