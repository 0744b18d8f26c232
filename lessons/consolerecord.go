package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
// ("\x24 touch x (esc)" is the output line "$ touch x"). A command whose
// exit status is not 0 has "[N]" after its output, as in cram.
//
// The block's fence is no line of output: render writes the fence longer
// than any run of its character that starts a line of the block.

// escSuffix ends an escaped line.
const escSuffix = " (esc)"

// matcherSuffix matches the endings of cram's matcher lines.
var matcherSuffix = regexp.MustCompile(` \((esc|re|glob|no-eol)\)$`)

// exitLine matches a recorded exit status line, "[N]".
var exitLine = regexp.MustCompile(`^\[([0-9]+)\]$`)

// ConsoleRecord returns the lines a console block records for a
// command's output (text as a terminal showed it) and its exit status:
// every line ends in "\n" (output without a final newline gets one), and
// "[N]" follows when exit is not 0.
func ConsoleRecord(output string, exit int) string {
	var b strings.Builder
	if output != "" {
		for _, l := range strings.Split(strings.TrimSuffix(output, "\n"), "\n") {
			b.WriteString(encodeConsoleLine(l) + "\n")
		}
	}
	if exit != 0 {
		fmt.Fprintf(&b, "[%d]\n", exit)
	}
	return b.String()
}

// encodeConsoleLine writes one output line as a console block records it.
func encodeConsoleLine(l string) string {
	lead := strings.HasPrefix(l, consolePrompt) || l == "$" || strings.HasPrefix(l, consoleMore) ||
		exitLine.MatchString(l) || marker.Looks(l)
	if !lead && !matcherSuffix.MatchString(l) && printable(l) {
		return l
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
	return b.String() + escSuffix
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
	return unescape(body)
}

// unescape undoes Python's string escapes, as cram's esc matcher does
// (codecs.escape_decode): \\ \' \" \a \b \f \n \r \t \v, \xNN and octal
// \NNN; an unknown escape stays as written.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		c := s[i+1]
		if r, ok := simpleEscapes[c]; ok {
			b.WriteByte(r)
			i++
			continue
		}
		switch {
		case c == 'x' && i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]):
			v, _ := strconv.ParseUint(s[i+2:i+4], 16, 8)
			b.WriteByte(byte(v))
			i += 3
		case '0' <= c && c <= '7':
			j := i + 1
			for j < len(s) && j < i+4 && '0' <= s[j] && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 16)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// simpleEscapes are Python's one-letter escapes.
var simpleEscapes = map[byte]byte{'\\': '\\', '\'': '\'', '"': '"', 'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// isHex says whether c is a hex digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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
