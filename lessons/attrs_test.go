package lessons

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/limits"
)

// TestSplitWords pins the shell-style quoting of fence attributes and
// directives.
func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		`a b  c`:                     {"a", "b", "c"},
		`run="gcc a.c -o a" run=./a`: {"run=gcc a.c -o a", "run=./a"},
		`env="A=1 B='x y'"`:          {"env=A=1 B='x y'"},
		`stdin='say "hi"'`:           {`stdin=say "hi"`},
		`x="a \"q\" \\ \$"`:          {`x=a "q" \ $`},
		`output=/\d+/`:               {`output=/\d+/`},
		`a\ b`:                       {"a b"},
		`''`:                         {""},
	} {
		got, err := splitShell(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitShell(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"open`, `'open`} {
		if _, err := splitShell(in); err == nil {
			t.Errorf("splitShell(%s): no error", in)
		}
	}
}

// TestNativeAttrs reads each attribute into the cell.
func TestNativeAttrs(t *testing.T) {
	src := "```sh run stdin=\"in put\" cwd=sub env=\"A=1 B=2\" no-pty timeout=3s expect=exit:2\nexit 2\n```\n"
	l, err := Parse("lesson.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := l.Cells[0]
	a := c.Attrs
	if c.Kind != Script || c.Shell != "sh" || !a.Run || *a.Stdin != "in put" || a.Cwd != "sub" ||
		!reflect.DeepEqual(a.Env, []string{"A=1", "B=2"}) || a.Pty == nil || *a.Pty || c.Timeout != 3*time.Second ||
		*a.Expect != (Expect{Kind: ExpectExit, Code: 2}) {
		t.Errorf("cell %+v, attrs %+v", c, a)
	}
}

// TestDirectives reads waits, stops, settings and check rules, each
// placed before the cell that follows it.
func TestDirectives(t *testing.T) {
	src := "<!-- labrun: dialect=native console=run timeout=20s -->\n\n" +
		"```sh name=srv background run=./srv\n```\n\n" +
		"<!-- labrun: wait srv output=/ready on \\d+/ 2s -->\n\n" +
		"<!-- labrun: wait port=8080 -->\n\n" +
		"<!-- labrun: ignore-output -->\n\n" +
		"```sh run\necho\n```\n\n" +
		"<!-- labrun: stop srv SIGINT -->\n"
	l, err := Parse("lesson.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if l.Dialect != NativeDialect || !l.ConsoleRun || l.Timeout != 20*time.Second {
		t.Errorf("settings: %v %v %v", l.Dialect, l.ConsoleRun, l.Timeout)
	}
	if c := l.Cells[0]; c.Kind != Background || c.Body != "./srv" || c.Attrs.Name != "srv" {
		t.Errorf("background cell %+v", c)
	}
	before := l.Cells[1].Before
	if len(before) != 2 {
		t.Fatalf("%d directives before cell 1, want 2", len(before))
	}
	w := before[0]
	if w.Kind != Wait || w.For != WaitOutput || w.Name != "srv" || w.Timeout != 2*time.Second ||
		!w.Regexp.MatchString("ready on 8080") || w.Text != `wait srv output=/ready on \d+/ 2s` {
		t.Errorf("wait %+v", w)
	}
	if p := before[1]; p.For != WaitPort || p.Port != 8080 || p.Timeout != DefaultWait {
		t.Errorf("wait port %+v", p)
	}
	if !l.Cells[1].Rules.IgnoreOutput || l.Cells[0].Rules.IgnoreOutput {
		t.Errorf("check rules %+v, %+v", l.Cells[0].Rules, l.Cells[1].Rules)
	}
	if len(l.After) != 1 || l.After[0].Kind != Stop || l.After[0].Signal != 2 {
		t.Errorf("after %+v", l.After)
	}
}

// TestUnlimitedDirective: a lesson's directive takes cpu=unlimited and
// refuses nofile=unlimited at its line, saying why.
func TestUnlimitedDirective(t *testing.T) {
	l, err := Parse("lesson.md", []byte("<!-- labrun: cpu=unlimited fsize=unlimited -->\n\n```sh\nulimit -t\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Limits.CPUSeconds != limits.Unlimited || l.Limits.FileSize != limits.Unlimited {
		t.Errorf("limits %+v", l.Limits)
	}
	_, err = Parse("lesson.md", []byte("# L\n\n<!-- labrun: nofile=unlimited -->\n"))
	if err == nil || !strings.Contains(err.Error(), "lesson.md:3: ") || !strings.Contains(err.Error(), "the kernel caps open files") {
		t.Errorf("nofile=unlimited: %v", err)
	}
}

// TestRunWithFile: run beside file= writes the body to the file and runs
// the body (a shell's or Python's); what cannot mean both is refused at
// its line.
func TestRunWithFile(t *testing.T) {
	for _, tc := range []struct {
		src   string
		kind  Kind
		shell string
	}{
		{"```sh run file=x.sh\necho hi\n```\n", Script, "sh"},
		{"```bash run file=sub/x.sh cwd=sub\necho hi\n```\n", Script, "bash"},
		{"```python run file=x.py\nprint(1)\n```\n", Python, ""},
	} {
		l, err := Parse("lesson.md", []byte(tc.src))
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		c := l.Cells[0]
		if c.Kind != tc.kind || c.Shell != tc.shell || c.File == nil || !c.File.Verbatim || string(c.FileContent()) != c.Body+"\n" && string(c.FileContent()) != c.Body {
			t.Errorf("%q: kind %v shell %q file %+v", tc.src, c.Kind, c.Shell, c.File)
		}
	}
	for src, want := range map[string]string{
		"\n```sh run file=x.sh run=\"cat x.sh\"\necho\n```\n": "lesson.md:2: fence info: run runs the body, run= runs commands after writing x.sh: give one or the other",
		"\n```console run file=x.txt\n$ echo\n```\n":          "lesson.md:2: fence info: a console block does not go with file=: drop run to write x.txt, or file= to run the block",
		"\n```c run file=a.c\nint x;\n```\n":                  "lesson.md:2: fence info: run runs a sh, bash or python body, not a c one: to run a command after writing a.c, give run=CMD",
	} {
		if _, err := Parse("lesson.md", []byte(src)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", src, err, want)
		}
	}
}

// TestConsoleSessions reads session= and no-pty into each console
// block's session, and refuses what cannot be: session= on a cell that
// is no console block, and one session on a pty and on pipes.
func TestConsoleSessions(t *testing.T) {
	src := "```console run\n$ a\n```\n\n```console run session=srv no-pty\n$ b\n```\n\n```console run no-pty session=srv\n$ c\n```\n"
	l, err := Parse("lesson.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		pty  bool
	}{{"", true}, {"srv", false}, {"srv", false}}
	for i, c := range l.Cells {
		if name, pty := c.ConsoleSession(); name != want[i].name || pty != want[i].pty {
			t.Errorf("cell %d: session %q, pty %v; want %q, %v", i, name, pty, want[i].name, want[i].pty)
		}
	}
	for src, msg := range map[string]string{
		"```sh run session=x\necho\n```\n":                                                  "lesson.md:1: fence info: session=x names the shell session of a console block",
		"```console run session=\n$ a\n```\n":                                               `lesson.md:1: fence info: session="": want a word`,
		"```console run\n$ a\n```\n\n```console run no-pty\n$ b\n```\n":                     "lesson.md:5: fence info: the lesson's console session runs on a pty (its shell started at line 1)",
		"```console run session=s no-pty\n$ a\n```\n\n```console run session=s\n$ b\n```\n": `lesson.md:5: fence info: console session "s" runs on pipes (no-pty) (its shell started at line 1)`,
	} {
		_, err := Parse("lesson.md", []byte(src))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Parse(%q) = %v; want %s", src, err, msg)
		}
	}
}
