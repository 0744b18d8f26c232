package lessons

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// LineKind says what a line of a Python cell is to the IPython layer
// above Python: code, or a shell escape or a line magic that the worker
// turns into a call before Python sees the cell.
type LineKind int

// The kinds of Python line. The Python worker (runner/worker/*.py,
// _logical_lines) classifies lines by the same rules; a test runs both
// over the corpus and over random cells and compares.
const (
	// PyCode is Python code, run as written.
	PyCode LineKind = iota
	// PyText starts inside a string that spans lines: text, not code.
	PyText
	// PyShell is a shell escape: !CMD (or !!CMD, which shows the lines).
	PyShell
	// PyShellAssign captures a command's lines: TARGET = !CMD.
	PyShellAssign
	// PyMagic is a line magic: %NAME ARGS.
	PyMagic
	// PyMagicAssign keeps a line magic's value: TARGET = %NAME ARGS.
	PyMagicAssign
	// PyContinued is joined to the escape or magic above it, whose line
	// ends with a backslash.
	PyContinued
)

var lineKindNames = [...]string{"code", "text", "shell", "shell-assign", "magic", "magic-assign", "continued"}

// String returns the kind's name ("shell-assign"), as the worker names it.
func (k LineKind) String() string {
	if int(k) < len(lineKindNames) {
		return lineKindNames[k]
	}
	return fmt.Sprintf("linekind(%d)", int(k))
}

// PyLine is one line of a Python cell as the IPython layer reads it.
type PyLine struct {
	// Kind says what the line is.
	Kind LineKind
	// Target is what an assignment assigns to (PyShellAssign,
	// PyMagicAssign), trimmed.
	Target string
	// Magic is the line magic's name (PyMagic, PyMagicAssign): the text
	// after % up to the first space, as IPython splits it.
	Magic string
	// Text is the command of a shell escape (after ! or !!) or the
	// magic's argument string, with continued lines joined.
	Text string
}

// lineMagics are the line magics a Python cell may use: the course's
// (p, MD, bash_async), and those of IPython's the worker has: its default
// aliases on Linux (IPython/core/alias.py, default_aliases), pwd and env
// (IPython/core/magics/osm.py), time and timeit (IPython/core/magics/
// execution.py). In a cell of one line, a line magic's name
// not shadowed by a Python name calls it without "%" (automagic: the
// worker decides, as it knows the namespace).
var lineMagics = map[string]bool{
	"p": true, "MD": true, "bash_async": true,
	"mkdir": true, "rmdir": true, "mv": true, "rm": true, "cp": true, "cat": true,
	"ls": true, "ll": true, "lf": true, "lk": true, "ldir": true, "lx": true,
	"pwd": true, "env": true, "time": true, "timeit": true,
}

// LineMagics returns the names of the line magics a Python cell may use
// (%p, %MD, %bash_async, IPython's aliases, %pwd, %env, %time,
// %timeit), sorted.
func LineMagics() []string {
	names := make([]string, 0, len(lineMagics))
	for n := range lineMagics {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// PythonLines reads a Python cell's lines as IPython's input transformers
// do, one entry a line of src (split on "\n"):
//
//   - a line that starts inside a string spanning lines (InString) is text;
//   - after the indent (spaces and tabs): "!" starts a shell escape; "%%"
//     is code (a cell magic out of place, which Parse refuses); "%" starts
//     a line magic named by what follows up to the first space;
//   - TARGET = !CMD and TARGET = %NAME ARGS, where TARGET is the text
//     before the first "=" and holds only letters, digits and "_.,[] \t",
//     assign a command's lines or a magic's value;
//   - an escape or magic line that ends with a backslash goes on with the
//     next line, whatever that holds, and so on while a line ends with
//     one; the next line is PyContinued. As IPython assembles them, each
//     line loses its backslash, the last its trailing blanks, and they
//     are joined with a space.
//
// Every other line is code.
func PythonLines(src string) []PyLine {
	lines := strings.Split(src, "\n")
	inString := InString(src)
	out := make([]PyLine, len(lines))
	for i := 0; i < len(lines); i++ {
		if inString[i] {
			out[i].Kind = PyText
			continue
		}
		if pyLine(lines[i]).Kind == PyCode {
			continue
		}
		first := i
		parts := []string{lines[i]}
		for strings.HasSuffix(lines[i], `\`) && i+1 < len(lines) {
			i++
			out[i].Kind = PyContinued
			parts = append(parts, lines[i])
		}
		out[first] = pyLine(joinContinued(parts))
	}
	return out
}

// joinContinued assembles continued lines as IPython's
// assemble_continued_line does: without their backslashes, the last one
// without trailing blanks, joined with a space.
func joinContinued(parts []string) string {
	last := len(parts) - 1
	for j, p := range parts[:last] {
		parts[j] = p[:len(p)-1]
	}
	parts[last] = strings.TrimRightFunc(parts[last], isPySpace)
	return strings.Join(parts, " ")
}

// isPySpace reports whether Python's str.isspace holds for r: Go's
// unicode.IsSpace, and the ASCII separators \x1c to \x1f.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// pyLine classifies one logical line, continued lines joined.
func pyLine(line string) PyLine {
	s := strings.TrimLeft(line, " \t")
	switch {
	case strings.HasPrefix(s, "!"):
		return PyLine{Kind: PyShell, Text: s[1:]}
	case strings.HasPrefix(s, "%%"):
		return PyLine{Kind: PyCode}
	case strings.HasPrefix(s, "%"):
		name, args, _ := strings.Cut(s[1:], " ")
		return PyLine{Kind: PyMagic, Magic: name, Text: args}
	}
	target, rhs, ok := strings.Cut(s, "=")
	if !ok || !isTarget(target) {
		return PyLine{Kind: PyCode}
	}
	rhs = strings.TrimLeft(rhs, " \t")
	target = strings.TrimRight(target, " \t")
	switch {
	case strings.HasPrefix(rhs, "!"):
		return PyLine{Kind: PyShellAssign, Target: target, Text: rhs[1:]}
	case strings.HasPrefix(rhs, "%"):
		name, args, _ := strings.Cut(rhs[1:], " ")
		return PyLine{Kind: PyMagicAssign, Target: target, Magic: name, Text: args}
	}
	return PyLine{Kind: PyCode}
}

// isTarget reports whether s can be what "s = !cmd" assigns to: not
// blank, only letters, digits and "_.,[] \t" (Python's str.isalnum and
// Go's unicode.IsLetter/IsNumber agree on the letters and digits).
func isTarget(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.,[] \t", r) {
			return false
		}
	}
	return true
}
