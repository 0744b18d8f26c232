package check

import (
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// Normalization turns an outputs block (recorded or fresh, as a
// transcript lays it out) into the lines that are compared, in three
// stages, in this order:
//
//  1. layout: the text as a terminal shows it (colours, OSC hyperlinks,
//     \r rewrites, backspace overstrikes resolved: termtext); the
//     block's layout gone (Layout: the fences and <pre> around a log, the
//     four-space indent of stream text); trailing spaces and blank lines
//     dropped; in displays, fence lines, <pre>, <code>, <details>,
//     <summary> and whole-line HTML comments dropped and HTML entities
//     and "\#" unescaped; what a step printed is kept, whatever it
//     looks like (a log's text is what it printed: transcript.ParseOutputs
//     unescapes a <pre> log's entities, once, and a fenced log's none);
//  2. built-in volatile values: the tables and reports of tools that a
//     header starts (maskTables: lsof, df, perf stat, time -v), then on
//     each line the formats of tools (toolFormats) and the generic
//     values (Volatile);
//  3. the lesson's normalize rules, then the cell's, each on every line
//     (a line a rule makes empty is dropped); with any-order, the lines
//     sorted.
//
// Stages 1 and 2 do what ../shared/tools/lesson_score.py does for
// "strict", then more: outputs the scorer finds equal are equal here.

// layoutDrop matches lines that are layout, not output.
var layoutDrop = regexp.MustCompile(`^\s*(` + "```" + `\w*|~~~\w*|</?pre>|</?code>|</?details>|<summary>.*</summary>|<!--.*-->)\s*$`)

// ansi matches terminal sequences termtext did not see as such: a colour
// code whose escape byte was already lost ("[0;31m").
var ansi = regexp.MustCompile(`\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[A-Za-z]|\[[0-9;]*m(\[K)?|\[K`)

// Layout returns the lines of an outputs block after stage 1. The block
// is read back as the outputs it lays out (transcript.ParseOutputs), so that
// only the lines of the layout go (the fences and <pre> lines around a
// log, the blank lines between outputs, the indent of stream text): the
// lines of a stream or a log are what a step printed, and stay whatever
// they hold (an HTML comment, a fence, <pre>, "&amp;"); the HTML layout
// lines above are dropped, and entities unescaped, in displays only (a
// <pre> log's entities ParseOutputs unescaped: its text is what was
// printed, as a fenced log's is).
func Layout(block string) []string {
	lines, _ := layoutFrom(block)
	return lines
}

// layoutFrom is Layout with, for each line, the line of block (from 0)
// it comes from; -1 where that is not known (terminal sequences that
// moved text across lines).
func layoutFrom(block string) (kept []string, from []int) {
	plain := termtext.Plain(block)
	outs, src := transcript.ParseOutputsFrom(plain)
	known := strings.Count(plain, "\n") == strings.Count(block, "\n")
	for i, o := range outs {
		s := src[i]
		if !known {
			s = nil
		}
		display := o.Kind != transcript.Stream && o.Kind != transcript.Log
		kept, from = appendLines(kept, from, o.Text, s, display)
	}
	return kept, from
}

// appendLines appends the lines of an output's text after stage 1:
// terminal sequences and trailing blanks gone, blank lines dropped; for
// a display, the HTML layout lines dropped and HTML entities and "\#"
// unescaped. It appends to from, for each
// line kept, src's entry for its line of text (-1 past src's end).
func appendLines(kept []string, from []int, text string, src []int, display bool) ([]string, []int) {
	for k, l := range strings.Split(text, "\n") {
		l = ansi.ReplaceAllString(strings.ReplaceAll(strings.TrimRight(l, " \t\r\n\v\f"), "\r", ""), "")
		if strings.TrimSpace(l) == "" || display && layoutDrop.MatchString(l) {
			continue
		}
		if display {
			l = strings.ReplaceAll(html.UnescapeString(l), `\#`, "#")
		}
		kept = append(kept, l)
		from = append(from, -1)
		if k < len(src) {
			from[len(from)-1] = src[k]
		}
	}
	return kept, from
}

// volatile are the built-in volatile values, replaced in order.
var volatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	// the scorer's, first
	{regexp.MustCompile(`(?i)\b(pid\s*[=:]?\s*)\d+`), "${1}<PID>"},
	{regexp.MustCompile(`(?i)\b((?:pid\)?|tid)\s*(?:is|=|:)?\s*)\d+`), "${1}<PID>"},
	{regexp.MustCompile(`0x[0-9a-fA-F]+`), "0x<H>"},
	{regexp.MustCompile(`\b[0-9a-f]{8,}\b`), "<H?>"}, // a hex run with a digit and a letter: a hash
	{regexp.MustCompile(`\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b`), "<T>"},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`), "<D>"},
	{regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b[^\n]*?\d{4}`), "<D>"},
	// a temp path whole, with what the masks above made of a part of its
	// name (gcc's /tmp/ccXXXXXX.o may hold a "0x" or a hex run): so it
	// masks whatever the scorer's masks as it does, and more
	{regexp.MustCompile(`/tmp/(?:[\w.\-/]|<H>|<T>|<D>)+`), "/tmp/<P>"},
	{regexp.MustCompile(`(^|[^\w/])/usr/bin/sh\b`), "${1}/bin/sh"},
	// then labrun's own
	{regexp.MustCompile(`~?(?:/[\w.+\-]+)+/(?:dist|site)-packages/`), "<PYLIB>/"},
	{regexp.MustCompile(`~?(?:/[\w.+\-]+)*/lib(?:64)?/python\d\.\d+/`), "<PYSTD>/"},
	{regexp.MustCompile(`\b\d+m\d+(\.\d+)?s\b`), "<DUR>"},
	{regexp.MustCompile(`\b\d+(\.\d+)?\s?(ns|us|µs|ms|s|sec|secs|seconds)\b`), "<DUR>"},
	// ps aux / ps u: USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND
	{regexp.MustCompile(`^\S+\s+(?:\d+|<PID>)\s+\d+\.\d+\s+\d+\.\d+\s+\d+\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$`), "<ps> ${1}"},
	// ps -ef: UID PID PPID C STIME TTY TIME CMD
	{regexp.MustCompile(`^\S+\s+\d+\s+\d+\s+\d+\s+\S+\s+\S+\s+(?:<T>|\d+:\d+:\d+)\s+(.*)$`), "<ps> ${1}"},
	// ps: PID TTY TIME CMD
	{regexp.MustCompile(`^\s*\d+\s+\S+\s+(?:<T>|\d+:\d+:\d+)\s+(.*)$`), "<ps> ${1}"},
	// top: PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND
	{regexp.MustCompile(`^\s*\d+\s+\S+\s+(?:-?\d+|rt)\s+-?\d+\s+[\d.]+[kmgt]?\s+[\d.]+[kmgt]?\s+[\d.]+[kmgt]?\s+\S\s+[\d.]+\s+[\d.]+\s+\S+\s+(.*)$`), "<ps> ${1}"},
}

// Volatile replaces the built-in volatile values of one line: first the
// values of everyday tools in their own formats (toolFormats), then pids
// and tids ("pid=N", "PID = N", "pid is N", "tid N"), hex addresses and
// hashes, clock times, dates, temp paths (/tmp/...), /usr/bin/sh (the
// same shell as /bin/sh), where Python packages are installed (the folder
// up to dist-packages/ or site-packages/: IPython's own files in its
// warnings and tracebacks, Debian's /usr/lib/python3/dist-packages/ as
// labrun writes them, pip's or a venv's in a recording), where Python's
// standard library is (the folder up to lib/python3.X/: a stdlib frame of
// a traceback, /usr/lib/python3.11/json/decoder.py beside pyenv's
// ~/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py; the file's
// own name and line stay), durations
// ("0.25s", "12 ms", "0m0.003s"), and
// the volatile columns of ps and top rows (all but the command). A ps
// row of a kernel thread, which comes and goes with the machine's load,
// becomes "" (Normalize drops it).
func Volatile(l string) string {
	l = maskTools(l)
	for _, v := range volatile {
		if v.repl == "<H?>" {
			l = v.re.ReplaceAllStringFunc(l, func(m string) string {
				if strings.ContainsAny(m, "0123456789") && strings.ContainsAny(m, "abcdef") {
					return "<H>"
				}
				return m
			})
			continue
		}
		l = v.re.ReplaceAllString(l, v.repl)
	}
	if kernelThread.MatchString(l) {
		return ""
	}
	return l
}

// Normalize returns the compared lines of an outputs block: Layout, then
// Volatile, then the lesson's rules and the cell's (cell may be nil).
func Normalize(block string, lesson []lessons.Normalize, cell *lessons.CellRules) []string {
	lines, _ := normalizeFrom(block, lesson, cell)
	return lines
}

// normalizeFrom is Normalize with, for each compared line, the line of
// block (from 0) it comes from (-1: not known; layoutFrom).
func normalizeFrom(block string, lesson []lessons.Normalize, cell *lessons.CellRules) ([]string, []int) {
	lines, from := layoutFrom(block)
	return normalizeLines(lines, from, lesson, cell)
}

// NormalizeText returns the compared lines of what a step printed, as a
// terminal showed it (a console command's output): as Normalize does
// with a stream's lines.
func NormalizeText(text string, lesson []lessons.Normalize, cell *lessons.CellRules) []string {
	lines, _ := normalizeTextFrom(text, lesson, cell)
	return lines
}

// normalizeTextFrom is NormalizeText with, for each compared line, the
// line of text (from 0) it comes from (-1: not known).
func normalizeTextFrom(text string, lesson []lessons.Normalize, cell *lessons.CellRules) ([]string, []int) {
	plain := termtext.Plain(text)
	var src []int
	if n := strings.Count(text, "\n"); n == strings.Count(plain, "\n") {
		src = make([]int, n+1)
		for i := range src {
			src[i] = i
		}
	}
	lines, from := appendLines(nil, nil, plain, src, false)
	return normalizeLines(lines, from, lesson, cell)
}

// normalizeLines applies stages 2 and 3 to the lines of stage 1; from
// goes along with them (the line each comes from).
func normalizeLines(lines []string, from []int, lesson []lessons.Normalize, cell *lessons.CellRules) ([]string, []int) {
	lines, from = maskTables(lines, from)
	kept, keptFrom := lines[:0], from[:0]
	for i, l := range lines {
		if l = Volatile(l); l == "" {
			continue // a row that vanishes as a whole
		}
		for _, n := range lesson {
			l = n.Re.ReplaceAllString(l, n.Repl)
		}
		if cell != nil {
			for _, n := range cell.Normalize {
				l = n.Re.ReplaceAllString(l, n.Repl)
			}
		}
		if l != "" { // a rule may drop a line: it made it empty
			kept, keptFrom = append(kept, l), append(keptFrom, from[i])
		}
	}
	if cell != nil && cell.AnyOrder {
		sortAlong(kept, keptFrom)
	}
	return kept, keptFrom
}

// sortAlong sorts lines, and from along with them (a stable sort: equal
// lines keep their order).
func sortAlong(lines []string, from []int) {
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(lines[a], lines[b]) })
	l, f := slices.Clone(lines), slices.Clone(from)
	for i, k := range idx {
		lines[i], from[i] = l[k], f[k]
	}
}
