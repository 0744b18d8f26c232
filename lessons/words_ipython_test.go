package lessons

import (
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestMagicArgs: splitIPythonArgs splits as IPython's arg_split does. The table
// holds IPython's answers; where IPython is installed, random strings are
// split by both and compared.
func TestMagicArgs(t *testing.T) {
	tests := map[string][]string{
		`"my file.txt"`:  {`"my file.txt"`},
		`'a b'`:          {`'a b'`},
		`a\ b`:           {`a\`, `b`},
		`"a"b`:           {`"a"`, `b`},
		`a"b c"`:         {`a"b`, `c"`},
		`"a b""c d"`:     {`"a b"`, `"c d"`},
		`"a\"b"`:         {`"a\"`, `b"`},
		"  x \t y ":      {"x", "y"},
		`""`:             {`""`},
		`it's`:           {`it's`},
		``:               nil,
		`-a "x y" --app`: {"-a", `"x y"`, "--app"},
	}
	for in, want := range tests {
		got, err := splitIPythonArgs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("splitIPythonArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"a b`, `x 'a b`} {
		if _, err := splitIPythonArgs(in); err == nil {
			t.Errorf("splitIPythonArgs(%q): no error for an open quote", in)
		}
	}

	if exec.Command("python3", "-c", "import IPython.utils.process").Run() != nil {
		t.Log("IPython is not installed: the table only")
		return
	}
	rng := rand.New(rand.NewPCG(15, 8))
	pieces := []string{`"`, `'`, " ", "\t", "a", "b c", `\`, "-", "~", "é"}
	var inputs []string
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		inputs = append(inputs, b.String())
	}
	in, _ := json.Marshal(inputs)
	cmd := exec.Command("python3", "-c", `import json, sys
from IPython.utils.process import arg_split
out = []
for s in json.load(sys.stdin):
    try:
        out.append(arg_split(s))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)`)
	cmd.Stdin = strings.NewReader(string(in))
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("IPython's arg_split: %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		got, err := splitIPythonArgs(s)
		if (err != nil) != (want[i] == nil) || !slices.Equal(got, want[i]) {
			t.Errorf("splitIPythonArgs(%q) = %q, %v; IPython: %q", s, got, err, want[i])
		}
	}
}

// TestMagicExit: in the course dialect, a file magic line the course's
// argparse refuses is that cell's failure, with argparse's words; the
// lesson parses, with a warning naming the line. Where python3 is
// installed, each case is checked against argparse itself, with the
// parser of set_up_magics' save_file.
func TestMagicExit(t *testing.T) {
	tests := map[string]string{
		"":                                     "the following arguments are required: fname",
		"a.c b.c":                              "unrecognized arguments: b.c",
		"a.c --fast -x":                        "unrecognized arguments: --fast -x",
		"--fast":                               "the following arguments are required: fname",
		"a.c --under-spoiler-threshold":        "argument --under-spoiler-threshold: expected one argument",
		"a.c --under-spoiler-threshold x":      "argument --under-spoiler-threshold: invalid int value: 'x'",
		"a.c --ejudge-style=1":                 "argument --ejudge-style: ignored explicit argument '1'",
		"--ej a.c --under=3":                   "",
		"a.c -h":                               "help",
		"-- -a.c":                              "",
		"-1":                                   "",
		"a.c --under-spoiler-threshold -x":     "argument --under-spoiler-threshold: expected one argument",
		"a.c --under-spoiler-threshold=2 b.c ": "unrecognized arguments: b.c",
	}
	for args, want := range tests {
		l, err := Parse("lesson.md", []byte("# t\n\n```cpp\n%%cpp "+args+"\nint x;\n```\n"))
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		c := l.Cells[0]
		switch {
		case want == "" && c.MagicExit != nil:
			t.Errorf("%q: refused: %+v", args, c.MagicExit)
		case want == "help" && (c.MagicExit == nil || c.MagicExit.Code != 0 || !strings.Contains(c.MagicExit.Text, "show this help message")):
			t.Errorf("%q: no help: %+v", args, c.MagicExit)
		case want != "" && want != "help":
			line := "ipykernel_launcher.py: error: " + want + "\n"
			if c.MagicExit == nil || c.MagicExit.Code != 2 || c.MagicExit.Stream != "stderr" || !strings.HasSuffix(c.MagicExit.Text, line) {
				t.Errorf("%q: got %+v, want %q", args, c.MagicExit, line)
			} else if len(l.Warnings) != 1 || l.Warnings[0].Line != 4 {
				t.Errorf("%q: warnings %v, want one at line 4", args, l.Warnings)
			}
		}
		if py, err := exec.LookPath("python3"); err == nil {
			got := ""
			if c.MagicExit != nil {
				got = c.MagicExit.Text
			}
			if ref := argparseReference(t, py, args); ref != got {
				t.Errorf("%q: argparse prints %q, labrun %q", args, ref, got)
			}
		}
	}
	if _, err := Parse("lesson.md", []byte("```cpp file=a.c run=\"x\" extra\nint x;\n```\n")); err == nil {
		t.Errorf("native dialect: a malformed fence line is not refused")
	}
}

// argparseReference runs save_file's parser on args in python3 and
// returns what it printed before exiting ("" when it parsed).
func argparseReference(t *testing.T, py, args string) string {
	t.Helper()
	script := `import argparse, sys
sys.argv[0] = "/usr/lib/python3/dist-packages/ipykernel_launcher.py"
sys.stderr = sys.stdout
parser = argparse.ArgumentParser()
parser.add_argument("fname")
parser.add_argument("--ejudge-style", action="store_true")
parser.add_argument("--under-spoiler-threshold", type=int, default=None)
try:
    parser.parse_args(sys.argv[1].split())
except SystemExit:
    pass
`
	cmd := exec.Command(py, "-c", script, args)
	cmd.Env = append(cmd.Environ(), "COLUMNS=80")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	return string(out)
}

// TestScriptOptions: a script magic's line read as IPython 8.5's
// ScriptMagics.shebang.parser (parse_known_args of arg_split in POSIX
// mode) reads it: whether --no-raise-error is given (in full or
// abbreviated), and the program %%script names. The table holds that
// parser's answers.
func TestScriptOptions(t *testing.T) {
	tests := []struct {
		args    string
		noRaise bool
		prog    string // "" where labrun runs no such %%script
	}{
		{"", false, ""},
		{"--no-raise-error", true, ""},
		{"--no-raise", true, ""},
		{"--no", true, ""},
		{"--n", true, ""},
		{`"--no-raise-error"`, true, ""},
		{"--out x --no-raise-error", true, ""},
		{"bash", false, "bash"},
		{"--bg bash", false, "bash"},
		{"bash --no-raise-error", true, "bash"},
		{"/bin/sh", false, "sh"},
		{"--proc p sh", false, "sh"},
		{"--err e --no bash", true, "bash"},
		{"bash -x", false, ""}, // bash with an argument: not labrun's
		{"python3", false, ""}, // not a shell
		{"--raise-error", false, ""},
	}
	for _, tt := range tests {
		c := &Cell{Args: tt.args}
		if got := c.HasScriptOption("--no-raise-error"); got != tt.noRaise {
			t.Errorf("%q: HasScriptOption(--no-raise-error) = %v, want %v", tt.args, got, tt.noRaise)
		}
		prog, ok := scriptProgram(tt.args)
		if !ok {
			prog = ""
		}
		if prog != tt.prog {
			t.Errorf("scriptProgram(%q) = %q, %v; want %q", tt.args, prog, ok, tt.prog)
		}
	}
	if !(&Cell{Args: "--raise"}).HasScriptOption("--raise-error") {
		t.Errorf("--raise: IPython 7's --raise-error abbreviated, not seen")
	}
}
