package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labrun/labrun/internal/cram"
	"github.com/labrun/labrun/internal/marker"
)

// How a console block records a command's output, so that whatever the
// command printed reads back as exactly that output and nothing else:
// each output line is written as it is, but for a line that would read
// as something else, which is written as cram writes output it escapes:
// its text with Python-style escapes and " (esc)" after it. Such a line
// is one that
//
//   - would read as a command or a continuation ("$ ...", "$", "> ..."),
//     or as an exit status ("[1]");
//   - ends in " (esc)", " (re)", " (glob)" or " (no-eol)", as cram's
//     matchers do;
//   - starts as one of labrun's marker lines do ("<!-- labrun:");
//   - holds a character that is not printable (a control, a format
//     character such as U+202E, invalid UTF-8).
//
// The escapes are cram's (_test.py's _escape): "\\" for a backslash,
// "\t", "\r", and "\xNN" for other bytes; the first byte of a line that
// would read as a prompt, a status or a marker is written "\xNN" too
// ("\x24 touch x (esc)" is the output line "$ touch x"), and so is the
// "(" of a final " (no-eol)" ("x \x28no-eol) (esc)"). Output that does
// not end in a newline has " (no-eol)" after its last line, as cram
// writes it ("x (no-eol)", "\x01 (no-eol) (esc)"). A command whose
// exit status is not 0 has "[N]" after its output, as in cram.
//
// A recorded line may also be one of cram's matchers (internal/cram): a
// line ending in " (re)" is a regular expression, one ending in
// " (glob)" a glob pattern, that the fresh line must match as a whole;
// check compares them so (check/console.go). Read back, they are output
// lines like any other.
//
// The block's fence is no line of output: render writes the fence longer
// than any run of its character that starts a line of the block.

// escSuffix ends an escaped line.
const escSuffix = cram.EscSuffix

// matcherSuffix matches the endings of cram's matcher lines.
var matcherSuffix = regexp.MustCompile(` \((esc|re|glob|no-eol)\)$`)

// exitLine matches a recorded exit status line, "[N]".
var exitLine = regexp.MustCompile(`^\[([0-9]+)\]$`)

// ConsoleRecord returns the lines a console block records for a
// command's output (text as a terminal showed it) and its exit status,
// ConsoleRecordLines's, each ended by "\n".
func ConsoleRecord(output string, exit int) string {
	var b strings.Builder
	for _, l := range ConsoleRecordLines(output, exit) {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// ConsoleRecordLines returns the lines (without their newlines) a
// console block records for a command's output and exit status: each
// output line encoded; the last one, when the output does not end in a
// newline, with " (no-eol)" after it (before " (esc)" on an escaped
// line, as cram writes it); "[N]" after them when exit is not 0.
func ConsoleRecordLines(output string, exit int) []string {
	var lines []string
	if output != "" {
		body, eol := strings.CutSuffix(output, "\n")
		split := strings.Split(body, "\n")
		for i, l := range split {
			lines = append(lines, encodeConsoleLine(l, i == len(split)-1 && !eol))
		}
	}
	if exit != 0 {
		lines = append(lines, fmt.Sprintf("[%d]", exit))
	}
	return lines
}

// ReadConsoleRecord returns the output and exit status a command's
// recorded lines stand for (ConsoleRecordLines's inverse): "[N]" as the
// last line is the exit status (0 without one); escaped lines are
// decoded; a last output line that ends in " (no-eol)" (or
// " (no-eol) (esc)") is the output's end, without a newline; every
// other line is output as it is, " (re)" and " (glob)" lines too.
func ReadConsoleRecord(lines []string) (output string, exit int) {
	exit, lines = consoleExit(lines)
	var b strings.Builder
	for i, l := range lines {
		if i == len(lines)-1 {
			if body, ok := strings.CutSuffix(l, cram.NoEOLSuffix+escSuffix); ok {
				b.WriteString(cram.Unescape(body))
				break
			}
			if body, ok := strings.CutSuffix(l, cram.NoEOLSuffix); ok {
				b.WriteString(body)
				break
			}
		}
		b.WriteString(decodeConsoleLine(l) + "\n")
	}
	return b.String(), exit
}

// encodeConsoleLine writes one output line as a console block records
// it; noEOL: the output's last, without a newline (" (no-eol)" after it,
// before " (esc)" on an escaped line, as cram writes it).
func encodeConsoleLine(l string, noEOL bool) string {
	shown := l
	if noEOL {
		shown += cram.NoEOLSuffix
	}
	lead := strings.HasPrefix(shown, consolePrompt) || shown == "$" || strings.HasPrefix(shown, consoleMore) ||
		exitLine.MatchString(shown) || marker.Looks(shown)
	if !lead && !matcherSuffix.MatchString(l) && printable(l) {
		return shown
	}
	var b strings.Builder
	for i := 0; i < len(l); {
		r, n := utf8.DecodeRuneInString(l[i:])
		switch {
		case i == 0 && lead:
			fmt.Fprintf(&b, `\x%02x`, l[0])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError && n == 1 || !unicode.IsGraphic(r):
			for _, c := range []byte(l[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.WriteString(l[i : i+n])
		}
		i += n
	}
	body := b.String()
	if t, ok := strings.CutSuffix(body, cram.NoEOLSuffix); ok {
		// not to read as the output's end without a newline
		body = t + ` \x28no-eol)`
	}
	if noEOL {
		body += cram.NoEOLSuffix
	}
	return body + escSuffix
}

// printable says whether a line holds only printable characters (and
// tabs).
func printable(l string) bool {
	for _, r := range l {
		if r != '\t' && (r == utf8.RuneError || !unicode.IsGraphic(r)) {
			return false
		}
	}
	return utf8.ValidString(l)
}

// decodeConsoleLine returns the output line a recorded line stands for:
// an escaped line decoded, any other as it is.
func decodeConsoleLine(l string) string {
	body, ok := strings.CutSuffix(l, escSuffix)
	if !ok {
		return l
	}
	return cram.Unescape(body)
}

// consoleExit returns the exit status a command's recorded lines give
// (their last line "[N]"; 0 without one) and the lines before it.
func consoleExit(lines []string) (exit int, out []string) {
	if n := len(lines); n > 0 {
		if m := exitLine.FindStringSubmatch(lines[n-1]); m != nil {
			if v, err := strconv.Atoi(m[1]); err == nil {
				return v, lines[:n-1]
			}
		}
	}
	return 0, lines
}
