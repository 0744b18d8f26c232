package lessons_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/lessons"
)

// TestPythonLines: what each line of a Python cell is, with the parts the
// worker turns into calls. (runner's TestPythonLexersAgree holds the
// worker to the same rules.)
func TestPythonLines(t *testing.T) {
	src := strings.Join([]string{
		"x = 1",               // 0 code
		"!ls -l",              // 1 shell
		"  !!echo {x}",        // 2 shell, !! kept in Text
		"files = !ls *.c",     // 3 shell-assign
		"a.b[0], c=!ls",       // 4 shell-assign
		"%p x  # c",           // 5 magic
		"y = %MD *t*",         // 6 magic-assign
		"%p(x)",               // 7 magic named "p(x)", as IPython splits
		"%%bash",              // 8 code: a cell magic out of place
		"s = '''",             // 9 code opening a string
		"!not a shell",        // 10 text
		"'''",                 // 11 text (closes it)
		"!echo a\\",           // 12 shell, continued
		"b",                   // 13 continued
		"f(a = !b)",           // 14 code: not a plain target
		"x == !y",             // 15 code: after the first "=" comes "=", not "!"
		"ж = !ls",             // 16 shell-assign: letters of any script
		"print('!x') # = !ls", // 17 code
		"x = 5 % 3",           // 18 code
		"x = % 3",             // 19 magic-assign named "" (Parse refuses it)
		"%p 1 + \\",           // 20 magic p, continued
		"2  ",                 // 21 continued
		"!echo \\ ",           // 22 shell: a blank after the backslash ends it
		"x",                   // 23 code
	}, "\n")
	want := []lessons.PyLine{
		{Kind: lessons.PyCode},
		{Kind: lessons.PyShell, Text: "ls -l"},
		{Kind: lessons.PyShell, Text: "!echo {x}"},
		{Kind: lessons.PyShellAssign, Target: "files", Text: "ls *.c"},
		{Kind: lessons.PyShellAssign, Target: "a.b[0], c", Text: "ls"},
		{Kind: lessons.PyMagic, Magic: "p", Text: "x  # c"},
		{Kind: lessons.PyMagicAssign, Target: "y", Magic: "MD", Text: "*t*"},
		{Kind: lessons.PyMagic, Magic: "p(x)"},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyText},
		{Kind: lessons.PyText},
		{Kind: lessons.PyShell, Text: "echo a b"},
		{Kind: lessons.PyContinued},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyShellAssign, Target: "ж", Text: "ls"},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyCode},
		{Kind: lessons.PyMagicAssign, Target: "x", Text: "3"},
		{Kind: lessons.PyMagic, Magic: "p", Text: "1 +  2"},
		{Kind: lessons.PyContinued},
		{Kind: lessons.PyShell, Text: `echo \`},
		{Kind: lessons.PyCode},
	}
	if diff := cmp.Diff(want, lessons.PythonLines(src)); diff != "" {
		t.Errorf("PythonLines (-want +got):\n%s", diff)
	}
	if got := lessons.PyContinued.String(); got != "continued" {
		t.Errorf("PyContinued.String() = %q", got)
	}
}
