package main

// The generator of TestCramDiff's cram test files: from a seed, a .t
// file of prose and blocks of commands (printf and echo of text with
// escapes and bytes past ASCII, outputs without a last newline, exit
// statuses, multi-line commands, functions and variables used by later
// commands, commands with no output, an exit or an exit 80 now and
// then, commands left open (an "if" or "for" closed by a later command
// or never, a heredoc, a quote, a last backslash, "&&" or "|": cram's
// shell reads the next commands, markers and all, into them)), each
// command's expected lines right, wrong or matchers (re,
// glob, esc, no-eol), [N] lines right and wrong, blank lines, prose and
// indented lines that are no command between them, trailing spaces, CRLF
// lines; now and then a file that is empty, only prose, of indented lines
// and no command, with "> " lines before the first command (a preamble,
// which cram runs first), ending with a job left in the background
// whose output comes after the shell's end, or without a last newline;
// and now and then
// one indented by other than two spaces, run with cram's --indent
// (cramGenIndent). The expected lines are made from what the generator
// knows a command prints, written as cram writes it
// (internal/cram.OutputLines), then changed at random.

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/labrun/labrun/internal/cram"
)

// cramGen makes one file.
type cramGen struct {
	r     *rand.Rand
	b     strings.Builder
	crlf  bool              // some lines that are no command end in CRLF
	funcs map[string]string // defined functions: what each prints
	vars  map[string]string // set variables: their values
	ended bool              // an exit was written: nothing after it runs
	open  string            // the command that closes one left open ("": none)
}

// genCramFile makes the file of a seed, and the indent it is to be read
// with (cram's --indent).
func genCramFile(seed uint64) ([]byte, int) {
	g := &cramGen{r: rand.New(rand.NewPCG(seed, 0x6372616d)), funcs: map[string]string{}, vars: map[string]string{}}
	src := g.file()
	indent := cramGenIndent[0]
	if g.r.IntN(6) == 0 {
		indent = cramGenIndent[g.r.IntN(len(cramGenIndent))]
	}
	return reindent(src, indent), indent
}

// cramGenIndent are the indents files are made with: cram's default
// first.
var cramGenIndent = []int{2, 4, 1, 3, 0}

// reindent is a file made with an indent of two spaces made with indent
// spaces: each line's first two spaces become indent spaces.
func reindent(src []byte, indent int) []byte {
	if indent == 2 {
		return src
	}
	lines := strings.SplitAfter(string(src), "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "  "); ok {
			lines[i] = strings.Repeat(" ", indent) + rest
		}
	}
	return []byte(strings.Join(lines, ""))
}

// file makes the file's bytes, indented by two spaces.
func (g *cramGen) file() []byte {
	switch n := g.r.IntN(100); {
	case n < 2:
		return nil // empty
	case n < 5:
		// only prose, now and then with indented lines and no command
		// (expected output of nothing: cram fails the file) or "> "
		// lines (a preamble with no command after it)
		for i := 0; i < 1+g.r.IntN(4); i++ {
			g.prose()
		}
		if g.r.IntN(2) == 0 {
			g.preamble()
		}
		return []byte(g.b.String())
	}
	g.crlf = g.r.IntN(8) == 0
	if g.r.IntN(25) == 0 {
		g.line("  stray indented line before any command") // output before the first command
	}
	if g.r.IntN(15) == 0 {
		g.preamble()
	}
	blocks := 1 + g.r.IntN(5)
	for i := 0; i < blocks; i++ {
		if i > 0 || g.r.IntN(2) == 0 {
			for j := 0; j < 1+g.r.IntN(3); j++ {
				g.prose()
			}
		}
		for j := 0; j < 1+g.r.IntN(4); j++ {
			g.command()
		}
	}
	if g.r.IntN(12) == 0 {
		// a last command that leaves a job in the background, holding
		// the output after the shell's end: cram reads it to its end
		out := g.output()
		g.line("  $ (sleep 0.2; " + printfOf(out) + ") &")
		if g.r.IntN(2) == 0 {
			g.expect(cram.OutputLines(out, 0))
		}
	}
	if g.r.IntN(3) == 0 {
		g.prose()
	}
	s := g.b.String()
	if g.r.IntN(8) == 0 {
		s = strings.TrimSuffix(s, "\n") // no last newline
	}
	return []byte(s)
}

// preamble writes "> " lines before any command, which cram runs before
// the first: a printf, a variable later commands read, a status, and
// now and then the expected lines of what they print (which cram writes
// before them, so that they differ), or prose between them.
func (g *cramGen) preamble() {
	for i := 0; i < 1+g.r.IntN(3); i++ {
		switch g.r.IntN(4) {
		case 0:
			out := g.output()
			g.line("  > " + printfOf(out))
			if g.r.IntN(2) == 0 {
				g.expect(cram.OutputLines(out, 0))
			}
		case 1:
			g.vars["v9"] = "pre"
			g.line("  > v9=pre")
		case 2:
			g.line("  > " + []string{"false", "(exit 3)", "true"}[g.r.IntN(3)])
		default:
			g.prose()
		}
	}
}

// line writes a line of the file, now and then with CRLF (but for a
// command's, which the shell would read with its CR).
func (g *cramGen) line(l string) {
	g.b.WriteString(l)
	if g.crlf && g.r.IntN(3) == 0 && !strings.HasPrefix(l, "  $ ") && !strings.HasPrefix(l, "  > ") {
		g.b.WriteString("\r")
	}
	g.b.WriteString("\n")
}

var cramProse = []string{
	"", "Some prose.", "Prose with a trailing space ", " one space: still prose", "\tA tab: prose",
	"$ not a command: no indent", "More text about the test:", "  ", "   three spaces", "  $", "  >",
}

// prose writes a line that is not a command (most are prose; some are
// indented, and so are expected output of the command before).
func (g *cramGen) prose() {
	g.line(cramProse[g.r.IntN(len(cramProse))])
}

// cramChars are what outputs are made of: plain text, the characters
// matchers read, bytes cram escapes.
var cramChars = []string{
	"a", "b", "c", "x", "y", "z", "foo", "bar", "1", "42", " ", " ", "-", "_", ".", ",", ":", "/",
	"*", "?", "\\", "(", ")", "[", "]", "|", "$", "^", "{", "}", "+", "'", "\"", "%", "#",
	"\t", "\r", "\x01", "\x1b", "\x7f", "\xff", "\x00", "é",
}

// cramEndings are line ends an output may carry that read as annotations.
var cramEndings = []string{" (esc)", " (re)", " (glob)", " (no-eol)", " ", "\\"}

// text is one line's text (without newline).
func (g *cramGen) text() string {
	var b strings.Builder
	n := g.r.IntN(10)
	for i := 0; i < n; i++ {
		c := cramChars[g.r.IntN(len(cramChars))]
		if g.r.IntN(3) > 0 && len(c) == 1 && c[0] >= 0x20 && c[0] < 0x7f && !strings.Contains(`*?\()[]|$^{}+'"%#`, c) {
			// mostly plain text
		} else if g.r.IntN(2) == 0 {
			c = "v" // (not "w": a wrong line "$ w" would run w(1), whose output changes)
		}
		b.WriteString(c)
	}
	if g.r.IntN(15) == 0 {
		b.WriteString(cramEndings[g.r.IntN(len(cramEndings))])
	}
	s := b.String()
	if strings.Contains(s, `\`) && strings.HasSuffix(s, " (esc)") {
		// cram3 fails with a ValueError on a line such as "a\xq (esc)"
		// or "a\ (esc)": escape_decode refuses it
		s = strings.TrimSuffix(s, " (esc)")
	}
	if body, ok := strings.CutSuffix(s, " (glob)"); ok && strings.HasSuffix(body, `\`) {
		s = body // and a glob that ends in "\" with an IndexError
	}
	return s
}

// output is what a printf prints: 0 to 3 lines, the last now and then
// without newline.
func (g *cramGen) output() string {
	var b strings.Builder
	n := g.r.IntN(4)
	for i := 0; i < n; i++ {
		b.WriteString(g.text())
		b.WriteString("\n")
	}
	s := b.String()
	if g.r.IntN(5) == 0 {
		s += g.text() // no last newline
	}
	return s
}

// printfOf is a printf command printing s.
func printfOf(s string) string {
	var b strings.Builder
	b.WriteString("printf '")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			b.WriteString("%%")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\'' || c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("'")
	return b.String()
}

// command writes a command and its expected lines.
func (g *cramGen) command() {
	if g.open != "" && g.r.IntN(3) == 0 || g.r.IntN(40) == 0 {
		g.openCommand()
		return
	}
	var lines []string // the command's lines: "$ " first, "> " after
	out, exit := "", 0
	switch k := g.r.IntN(100); {
	case k < 30:
		out = g.output()
		lines = []string{printfOf(out)}
	case k < 38:
		w := strings.Repeat(string(rune('a'+g.r.IntN(26))), 1+g.r.IntN(5))
		out = w + "\n"
		lines = []string{"echo " + w}
		if g.r.IntN(3) == 0 {
			lines[0] += " >&2"
		}
	case k < 46:
		exit = []int{1, 2, 3, 127, 255}[g.r.IntN(5)]
		switch g.r.IntN(3) {
		case 0:
			lines, exit = []string{"false"}, 1
		case 1:
			lines = []string{fmt.Sprintf("(exit %d)", exit)}
		default:
			out = g.output()
			lines = []string{fmt.Sprintf("%s; (exit %d)", printfOf(out), exit)}
		}
	case k < 52:
		lines = []string{[]string{"true", ":", "cd .", "x=1", "# a comment"}[g.r.IntN(5)]}
	case k < 58:
		name := fmt.Sprintf("v%d", g.r.IntN(3))
		val := strings.Repeat("q", 1+g.r.IntN(4))
		g.vars[name] = val
		lines = []string{name + "=" + val}
	case k < 64 && len(g.vars) > 0:
		for name, val := range g.vars {
			lines, out = []string{`echo "$` + name + `"`}, val+"\n"
			break
		}
	case k < 70:
		name := fmt.Sprintf("f%d", g.r.IntN(3))
		body := g.output()
		g.funcs[name] = body
		lines = []string{name + "() {", "  " + printfOf(body), "}"}
	case k < 78 && len(g.funcs) > 0:
		for name, body := range g.funcs {
			lines, out = []string{name}, body
			break
		}
	case k < 84:
		a, b := g.output(), g.output()
		lines, out = []string{"if true; then", "  " + printfOf(a), "else", "  " + printfOf(b), "fi"}, a
	case k < 88:
		a := g.output()
		lines, out = []string{printfOf(a) + " \\", "  | cat"}, a
	case k < 90 && !g.ended:
		out = g.output()
		exit = []int{0, 1, 3}[g.r.IntN(3)]
		lines = []string{fmt.Sprintf("%s; exit %d", printfOf(out), exit)}
		g.ended = true
	case k < 91:
		lines = []string{"exit 80"}
		g.ended = true
	default:
		lines, out, exit = g.shellCommand()
	}
	for i, l := range lines {
		if i == 0 {
			g.line("  $ " + l)
		} else {
			g.line("  > " + l)
		}
	}
	if g.r.IntN(20) == 0 && len(lines) > 1 {
		g.line("  > ") // an empty continuation
	}
	g.expect(cram.OutputLines(out, exit))
}

// openCommand writes a command left open, which reads the lines after
// it in cram's script (its markers, the next commands) into itself, or
// the command that closes the one left open before: an "if" (true or
// false), a "for" (whose body, markers and all, runs twice), a heredoc
// (whose body prints the markers it took, their $? expanded), a double
// quote, a single quote whose string is not printed (a printed one
// would print a marker's "$?" as it is, and cram stops with a
// traceback), a last backslash, "&&" or "|". The expected lines are a
// guess (what the command would print closed), changed at random.
func (g *cramGen) openCommand() {
	w := strings.Repeat(string(rune('a'+g.r.IntN(26))), 1+g.r.IntN(4))
	if g.open != "" {
		g.line("  $ " + g.open)
		g.open = ""
		g.expect(nil)
		return
	}
	opens := []struct{ cmd, closer, out string }{
		{"if true; then", "fi", ""},
		{"if false; then", "fi", ""},
		{"for i in 1 2; do", "done", ""},
		{"cat <<EOF", "EOF", ""},
		{`echo "` + w, w + `"`, w + "\n"},
		{": '" + w, w + "'", ""},
		{"echo " + w + ` \`, "", w + "\n"},
		{"echo " + w + " &&", "", w + "\n"},
		{"echo " + w + " |", "", w + "\n"},
	}
	o := opens[g.r.IntN(len(opens))]
	g.line("  $ " + o.cmd)
	g.open = o.closer
	g.expect(cram.OutputLines(o.out, 0))
}

// shellCommand is one of a few commands whose output is the shell's
// own: heredocs, echo -n, a set -e that ends the shell, a trap on EXIT,
// $LINENO, the work dir's name, files made in it, a command not found,
// a printf of 200 lines and more, or a syntax error.
func (g *cramGen) shellCommand() (lines []string, out string, exit int) {
	w := strings.Repeat(string(rune('a'+g.r.IntN(26))), 1+g.r.IntN(4))
	switch g.r.IntN(13) {
	case 0:
		return []string{"cat <<EOF", w, "  " + w, "EOF"}, w + "\n  " + w + "\n", 0
	case 1:
		return []string{"echo -n " + w}, w, 0
	case 2:
		return []string{"printf '%s\\n' " + w + " " + w}, w + "\n" + w + "\n", 0
	case 3:
		if !g.ended {
			g.ended = true
			return []string{"set -e; false"}, "", 1
		}
	case 4:
		return []string{"trap 'echo trapped' EXIT"}, "", 0
	case 5:
		return []string{`echo "line $LINENO"`}, "line ?\n", 0
	case 6:
		return []string{`basename "$PWD"`}, "?\n", 0
	case 7:
		return []string{"touch " + w + "; ls"}, w + "\n", 0
	case 8:
		return []string{"nosuch" + w}, "/bin/sh: ?: nosuch" + w + ": not found\n", 127
	case 9:
		return []string{" " + printfOf(w+"\n")}, w + "\n", 0 // "  $  printf"
	case 10:
		return []string{"f() { return 3; }; f"}, "", 3
	case 11:
		// 200 lines or more: difflib's autojunk leaves out of its index
		// the lines that come more often than 1% + 1 times
		var b strings.Builder
		for i := 0; i < 200+g.r.IntN(60); i++ {
			if g.r.IntN(3) == 0 {
				fmt.Fprintf(&b, "n%d\n", i) // a line of its own
			} else {
				b.WriteString([]string{"same\n", "\n", "x\n"}[g.r.IntN(3)]) // popular lines
			}
		}
		out = b.String()
		return []string{printfOf(out)}, out, 0
	case 12:
		// a syntax error (the shell exits with its message, line and
		// all), now and then after a line that runs
		if !g.ended {
			g.ended = true
			bad := []string{"fi", ")", "done", "if then", "echo a; }", ";;", "}", "case x in"}[g.r.IntN(8)]
			if g.r.IntN(3) == 0 {
				return []string{"echo " + w, bad}, w + "\n/bin/sh: ?: Syntax error\n", 2
			}
			return []string{bad}, "/bin/sh: ?: Syntax error\n", 2
		}
	}
	out = g.output()
	return []string{printfOf(out)}, out, 0
}

// expect writes a command's expected lines from the lines cram would
// write, each now and then changed.
func (g *cramGen) expect(fresh []string) {
	if g.r.IntN(12) == 0 {
		return // nothing recorded
	}
	for i, l := range fresh {
		switch k := g.r.IntN(100); {
		case k < 55:
			g.line("  " + l)
		case k < 60:
			// dropped
		case k < 65:
			g.line("  " + l)
			g.line("  " + g.text()) // an extra line
		case k < 70:
			g.line("  " + g.text()) // wrong
		case k < 73:
			g.line("  " + l + " ") // a trailing space
		case k < 76 && i > 0:
			g.prose() // prose within the output
			g.line("  " + l)
		case k < 86:
			g.line("  " + g.re(l))
		case k < 94:
			g.line("  " + g.glob(l))
		default:
			g.line("  " + g.escNoEOL(l))
		}
	}
	if g.r.IntN(15) == 0 {
		g.line("  [" + []string{"0", "1", "2", "80"}[g.r.IntN(4)] + "]")
	}
}

// pyQuote escapes what Python's re reads specially, as re.escape does.
func pyQuote(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if strings.IndexByte(`\.^$*+?{}[]|()`, c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// re is a " (re)" line for l: most match it, some do not.
func (g *cramGen) re(l string) string {
	q := pyQuote(l)
	switch g.r.IntN(12) {
	case 0:
		return q + " (re)"
	case 1:
		return ".* (re)"
	case 2:
		return "^" + q + "$ (re)"
	case 3:
		return q + "|nomatch (re)"
	case 4:
		return "nomatch|" + q + " (re)"
	case 5:
		return "[[:alpha:]]+ (re)"
	case 6:
		return `[a-z0-9 ]* (re)`
	case 7:
		return `\S+ (re)`
	case 8:
		return `.{0,3} (re)`
	case 9:
		return `( (re)` // does not compile
	case 10:
		if len(l) > 0 {
			i := g.r.IntN(len(l))
			return pyQuote(l[:i]) + "." + pyQuote(l[min(i+1, len(l)):]) + " (re)"
		}
		return ` (re)`
	default:
		return `(?i)` + strings.ToUpper(q) + " (re)"
	}
}

// glob is a " (glob)" line for l.
func (g *cramGen) glob(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch k := g.r.IntN(10); {
		case k == 0:
			b.WriteByte('?')
		case k == 1:
			b.WriteByte('*')
			i += g.r.IntN(3)
		case c == '\\' && i == len(l)-1, strings.IndexByte(`*?\`, c) >= 0 && k < 8:
			// (a last lone "\" makes cram3 fail with an IndexError)
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String() + " (glob)"
}

// escNoEOL is l with " (esc)" or " (no-eol)" added, dropped or
// changed.
func (g *cramGen) escNoEOL(l string) string {
	switch g.r.IntN(5) {
	case 0:
		if strings.Contains(l, `\`) && !strings.HasSuffix(l, " (esc)") {
			return l // escape_decode could refuse it (cram3 fails)
		}
		return l + " (esc)"
	case 1:
		if s, ok := strings.CutSuffix(l, " (esc)"); ok {
			return cram.Unescape(s)
		}
		return l + " (no-eol)"
	case 2:
		if s, ok := strings.CutSuffix(l, " (no-eol)"); ok {
			return s
		}
		return strings.ReplaceAll(l, " (no-eol) (esc)", " (esc)")
	case 3:
		var b strings.Builder
		for _, c := range []byte(l) {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
		return b.String() + " (esc)"
	default:
		return strings.ReplaceAll(l, `\t`, "\t")
	}
}
