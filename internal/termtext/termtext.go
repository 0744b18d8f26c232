// Package termtext shows program output as a terminal would show it.
//
// Programs print more than text: colour codes (SGR), window titles and
// hyperlinks (OSC, as gcc prints around its warning options), carriage
// returns that rewrite a progress line, backspaces that overstrike (man
// pages), clear-screen and cursor sequences, and stray control bytes such
// as NUL. Parse resolves all of that into styled segments: the text a
// person saw, with the colours it had. Plain gives the text alone.
//
// Rules: "\r" moves to the start of the line and later characters
// overwrite earlier ones; "\b" moves one column left (so "X\bX" and
// "_\bX" show X, bold or underlined); "\n" ends the line; "\t" is kept;
// CSI sequences are dropped except SGR (colours, kept as styles), erase
// in line (EL) and horizontal cursor moves (CUF, CUB, CHA), which edit the
// line; OSC, DCS, APC, PM and SOS strings and other escape sequences are
// dropped; NUL is dropped too: a terminal shows nothing for it, and so did
// Jupyter and the course's recorded transcripts (C lessons often write a
// string's terminating NUL: "Hello from C!\n\0"); any other C0 or C1
// control (BEL, VT, FF, DEL, ...) is shown as a visible escape such as
// \x07. Invalid UTF-8 shows as U+FFFD.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Segment is a run of text in one style. Text may hold newlines and tabs
// but no other control characters.
type Segment struct {
	Text  string
	Style Style
}

// Plain returns s as a terminal shows it, without styles.
func Plain(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, seg := range Parse(s) {
		b.WriteString(seg.Text)
	}
	return b.String()
}

// Parse returns s as a terminal shows it, as styled segments in order.
// Consecutive segments have different styles.
func Parse(s string) []Segment {
	if clean(s) {
		if s == "" {
			return nil
		}
		return []Segment{{Text: s}}
	}
	t := &term{}
	t.feed(s)
	t.endLine(false)
	t.flush()
	return t.segs
}

// clean reports whether s is valid UTF-8 holding no control character
// other than tab and newline: it shows as it is.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f || c == 0xc2 {
			return false // 0xc2 leads the UTF-8 encoding of every C1 control
		}
	}
	return utf8.ValidString(s)
}

// cell is one column of the current line.
type cell struct {
	r  rune
	st Style
}

// term is the state of the small terminal Parse emulates: the current
// line, the cursor column and the pen's style.
type term struct {
	line []cell
	col  int
	pen  Style
	segs []Segment
	cur  strings.Builder // the text of the last segment, not yet in segs
	st   Style           // its style
}

// put writes r at the cursor with style st and moves right. Writing over
// a character with a backspace between is overstrike: the same character
// again is bold, an underscore under (or over) it underlines it.
func (t *term) put(r rune, st Style, overstrike bool) {
	for len(t.line) < t.col {
		t.line = append(t.line, cell{' ', t.pen})
	}
	if t.col < len(t.line) {
		old := t.line[t.col]
		if overstrike {
			switch {
			case old.r == r:
				st.Bold = true
			case old.r == '_':
				st.Underline = true
			case r == '_':
				r, st = old.r, old.st
				st.Underline = true
			}
		}
		t.line[t.col] = cell{r, st}
	} else {
		t.line = append(t.line, cell{r, st})
	}
	t.col++
}

// putString writes a visible escape such as \x00.
func (t *term) putString(s string) {
	for _, r := range s {
		t.put(r, t.pen, false)
	}
}

// endLine appends the current line (and a newline if nl) to the segments
// and starts a new one.
func (t *term) endLine(nl bool) {
	var run []rune
	for i, c := range t.line {
		run = append(run, c.r)
		if i == len(t.line)-1 || t.line[i+1].st != c.st {
			t.emit(string(run), c.st)
			run = run[:0]
		}
	}
	if nl {
		t.emit("\n", Style{}) // a newline has no colour of its own
	}
	t.line, t.col = t.line[:0], 0
}

// emit adds text in style st, growing the current segment while the
// style stays the same (linear in the output's size).
func (t *term) emit(s string, st Style) {
	if st != t.st && t.cur.Len() > 0 {
		t.flush()
	}
	t.st = st
	t.cur.WriteString(s)
}

// flush closes the current segment.
func (t *term) flush() {
	if t.cur.Len() > 0 {
		t.segs = append(t.segs, Segment{Text: t.cur.String(), Style: t.st})
		t.cur.Reset()
	}
}

// feed interprets s.
func (t *term) feed(s string) {
	overstrike := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			t.put(utf8.RuneError, t.pen, overstrike)
			overstrike = false
			i++
			continue
		}
		switch {
		case r == '\n':
			t.endLine(true)
		case r == '\r':
			t.col = 0
		case r == '\b':
			if t.col > 0 {
				t.col--
				overstrike = true
				i += size
				continue
			}
		case r == '\t':
			t.put('\t', t.pen, false)
		case r == 0:
			// NUL: nothing, as on a terminal.
		case r == 0x1b:
			i += t.escape(s[i+1:])
		case r == 0x9b: // C1 CSI
			i += t.csi(s[i+size:])
		case r == 0x9d, r == 0x90, r == 0x98, r == 0x9e, r == 0x9f: // C1 OSC, DCS, SOS, PM, APC
			i += skipString(s[i+size:])
		case r < 0x20 || r == 0x7f:
			t.putString(fmt.Sprintf(`\x%02x`, r))
		case r >= 0x80 && r < 0xa0:
			t.putString(fmt.Sprintf(`\u%04x`, r))
		default:
			t.put(r, t.pen, overstrike)
		}
		overstrike = false
		i += size
	}
}

// escape interprets the sequence after an ESC in s and returns how many
// bytes of s it used.
func (t *term) escape(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		return 1 + t.csi(s[1:])
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: strings up to BEL or ST
		return 1 + skipString(s[1:])
	}
	// nF: intermediates 0x20-0x2F then a final byte (charset selection);
	// Fp, Fe, Fs: one byte (ESC 7, ESC =, ESC c, ...).
	n := 0
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
		return n + 1
	}
	return n // a broken sequence: drop the ESC and its intermediates
}

// skipString returns the length of a control string's body and its
// terminator (BEL, ESC \ or C1 ST). A newline ends an unterminated string
// (and is kept), so that a stray OSC cannot swallow the rest of the output.
func skipString(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\n':
			return i
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
	}
	return len(s)
}

// csi interprets a control sequence's parameters, intermediates and final
// byte at the start of s and returns how many bytes it used.
func (t *term) csi(s string) int {
	i := 0
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	params := s[:i]
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i >= len(s) || s[i] < 0x40 || s[i] > 0x7e {
		return i // unterminated or broken: dropped
	}
	final := s[i]
	private := params != "" && (params[0] < '0' || params[0] > ';')
	if private {
		return i + 1
	}
	switch final {
	case 'm':
		t.pen = sgr(t.pen, params)
	case 'K':
		switch firstParam(params, 0) {
		case 0:
			if t.col < len(t.line) {
				t.line = t.line[:t.col]
			}
		case 1:
			for j := 0; j <= t.col && j < len(t.line); j++ {
				t.line[j] = cell{' ', t.pen}
			}
		case 2:
			t.line = t.line[:0]
		}
	case 'C':
		t.col = t.clampCol(t.col + max(firstParam(params, 1), 1))
	case 'D':
		t.col = max(t.col-max(firstParam(params, 1), 1), 0)
	case 'G':
		t.col = t.clampCol(max(firstParam(params, 1), 1) - 1)
	}
	return i + 1
}

// width is the terminal width cursor moves stop at (pexpect's 80
// columns), unless the line is already longer.
const width = 80

// clampCol keeps a cursor move on the screen, as a terminal does.
func (t *term) clampCol(col int) int {
	return min(col, max(len(t.line), width-1))
}

// firstParam returns the first numeric parameter, or def when absent.
func firstParam(params string, def int) int {
	p, _, _ := strings.Cut(params, ";")
	if p == "" {
		return def
	}
	n := 0
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return def
		}
		n = min(n*10+int(c-'0'), 1<<16)
	}
	return n
}

// Inert returns s as text that does nothing to a terminal and stays on
// one line, for what labrun quotes of a program's output in a line of
// its own (a summary, a report's raw block): every control character
// is a visible escape, newline and carriage return too ("\n", "\r"),
// C0 and DEL as \x1b, C1 as \u009b; so are the characters that reorder
// the text a terminal shows (bidirectional overrides and isolates,
// U+202A-U+202E, U+2066-U+2069) and each byte of invalid UTF-8 (\xff).
// A tab stays. Unlike Parse it interprets nothing: what it returns
// spells out every byte that was printed.
func Inert(s string) string {
	if clean(s) && !strings.ContainsAny(s, "\n\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		return s
	}
	return SpellOut(s, inertRune)
}

// inertRune says whether Inert spells r out: a control character but
// tab, or one that reorders the text a terminal shows.
func inertRune(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// SpellOut returns s with every rune spell says yes to, and every byte of
// invalid UTF-8, written as a visible escape: newline and carriage return
// as \n and \r, another rune below U+0080 and an invalid byte as \x1b,
// \xff, any other as \u009b. The rest stays as it is.
func SpellOut(s string, spell func(rune) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !spell(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// InertText is Inert line by line: newlines stay, every other control
// character is spelled out. It is for a document labrun shows on a
// terminal whole (a transcript on standard output).
func InertText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Inert(l)
	}
	return strings.Join(lines, "\n")
}
