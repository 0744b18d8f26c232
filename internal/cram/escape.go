package cram

import (
	"fmt"
	"strconv"
	"strings"
)

// OutputLines returns the lines cram records for a command's output and
// exit status (_test.py: test, the making of postout), without indent:
// the output cut into lines as Python's bytes.splitlines cuts it (after
// "\n", "\r\n" or a lone "\r"); a line that does not end in "\n" (a
// lone "\r" ended it, or the output's end) with " (no-eol)" after it;
// each written as Escape writes it; then "[N]" when exit is not 0.
func OutputLines(output string, exit int) []string {
	var lines []string
	for output != "" {
		end := lineEnd(output)
		l, eol := strings.CutSuffix(output[:end], "\n")
		if !eol {
			l += NoEOLSuffix
		}
		lines = append(lines, Escape(l))
		output = output[end:]
	}
	if exit != 0 {
		lines = append(lines, fmt.Sprintf("[%d]", exit))
	}
	return lines
}

// lineEnd is the end of s's first line, its line end included, as
// Python's bytes.splitlines cuts lines: at "\n", "\r" or "\r\n"; s's
// length when it has none.
func lineEnd(s string) int {
	end := strings.IndexAny(s, "\r\n")
	switch {
	case end < 0:
		return len(s)
	case strings.HasPrefix(s[end:], "\r\n"):
		return end + 2
	}
	return end + 1
}

// Escape returns an output line (without its newline) as cram writes it
// (_test.py: _needescape, _escape): as it is, unless it holds a byte
// 0x00-0x09, 0x0b-0x1f or 0x7f-0xff; then with "\\" for a backslash,
// "\r", "\t", "\xNN" for each such byte, and " (esc)" after it.
func Escape(l string) string {
	if !needEscape(l) {
		return l
	}
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String() + EscSuffix
}

// needEscape says whether a line holds a byte cram escapes.
func needEscape(l string) bool {
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < 0x20 && c != '\n' || c >= 0x7f {
			return true
		}
	}
	return false
}

// Unescape undoes Python's string escapes, as cram's esc matcher does
// (codecs.escape_decode): \\ \' \" \a \b \f \n \r \t \v, \xNN and octal
// \NNN; an unknown escape stays as written (where Python would refuse a
// "\x" without two hex digits, it stays too).
func Unescape(s string) string {
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
