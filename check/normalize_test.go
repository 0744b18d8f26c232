package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/lessons"
)

func TestLayout(t *testing.T) {
	block := "\n    hello \x1b[31mred\x1b[0m\n    \n\n```\nL | log\n```\n<pre>\nO | x &lt; y\n</pre>\n<!-- a comment -->\n\\# a heading\n\n\n\n    ab\r    c\n    \\# printed\n    <!-- printed -->\n    ```\n    <pre>\n"
	got := Layout(block)
	// the layout goes; what a stream printed stays, whatever it looks like
	want := []string{"hello red", "L | log", "O | x < y", "# a heading", "cb", `\# printed`, "<!-- printed -->", "```", "<pre>"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Layout (-want +got):\n%s", d)
	}
}

// TestLayoutLogEntities: a log's lines are what the step printed: a
// fenced log's entities are text, a <pre> log's are unescaped once (as
// its HTML shows it), so that the two layouts of one printed text give
// the same lines; a display's entities are unescaped.
func TestLayoutLogEntities(t *testing.T) {
	printed := []string{"O | &amp; &lt;b&gt; &#38;", "O | <i> & x"}
	fenced := "\n\n\n```\n" + strings.Join(printed, "\n") + "\n\n```\n\n"
	pre := "\n\n<pre>\nO | &amp;amp; &amp;lt;b&amp;gt; &amp;#38;\nO | &lt;i&gt; &amp; x\n</pre>\n\n"
	for _, block := range []string{fenced, pre} {
		if d := cmp.Diff(printed, Layout(block)); d != "" {
			t.Errorf("Layout(%q) (-printed +got):\n%s", block, d)
		}
	}
	if got := Layout("\n\nx = &amp; &lt;b&gt;\n\n"); !slices.Equal(got, []string{"x = & <b>"}) {
		t.Errorf("Layout of a display = %q", got)
	}
}

func TestVolatile(t *testing.T) {
	for in, want := range map[string]string{
		"pid=1234 and PID = 77":     "pid=<PID> and PID = <PID>",
		"child pid is 4242":         "child pid is <PID>",
		"at 0x7ffd1234abcd":         "at 0x<H>",
		"hash deadbeef12":           "hash <H>",
		"12345678 stays":            "12345678 stays",
		"took 0.25s, 12 ms":         "took <DUR>, <DUR>",
		"real\t0m0.003s":            "real\t<DUR>",
		"at 12:25:03 on 2020-03-01": "at <T> on <D>",
		"in /tmp/labrun-x1/a.out":   "in /tmp/<P>",
		"/usr/bin/sh: 1: oops":      "/bin/sh: 1: oops",
		"/usr/lib/python3/dist-packages/IPython/core/interactiveshell.py:3386: UserWarning: To exit": "<PYLIB>/IPython/core/interactiveshell.py:3386: UserWarning: To exit",
		"/usr/local/lib/python3.8/dist-packages/IPython/core/interactiveshell.py:3386: UserWarning":  "<PYLIB>/IPython/core/interactiveshell.py:3386: UserWarning",
		"File ~/.venv/lib/python3.11/site-packages/IPython/core/interactiveshell.py:2362, in f":      "File <PYLIB>/IPython/core/interactiveshell.py:2362, in f",
		"File /usr/lib/python3.11/json/decoder.py:355, in JSONDecoder.raw_decode(self, s, idx)":      "File <PYSTD>/json/decoder.py:355, in JSONDecoder.raw_decode(self, s, idx)",
		"~/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py in decode(self, s, _w)":             "<PYSTD>/json/decoder.py in decode(self, s, _w)",
		"File /usr/local/lib64/python3.8/subprocess.py:512, in run":                                  "File <PYSTD>/subprocess.py:512, in run",
		"/usr/lib/python3.11/site-packages/x.py:3":                                                   "<PYLIB>/x.py:3",
		"python3.11/json is the stdlib, lib/python3 a folder":                                        "python3.11/json is the stdlib, lib/python3 a folder",
		"python3-ipython installs into dist-packages":                                                "python3-ipython installs into dist-packages",
		"pechatn+    8421  0.0  0.0   2608   588 pts/2    Ss+  12:25   0:00 /usr/bin/sh -c ps aux":   "<ps> /bin/sh -c ps aux",
		"  PID TTY          TIME CMD":                                                                "  PID TTY          TIME CMD",
		"  812 pts/0    00:00:00 bash":                                                               "<ps> bash",
	} {
		if got := Volatile(in); got != want {
			t.Errorf("Volatile(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeRules(t *testing.T) {
	src := "<!-- labrun: normalize /seed=\\d+/seed=N/ -->\n\n# x\n\n<!-- labrun: normalize /took \\d+ rounds/took R rounds/ -->\n<!-- labrun: any-order -->\n<!-- labrun: normalize /^.*grep.*$// -->\n```python\nprint()\n```\n"
	l, err := lessons.Parse("l.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := Normalize("    b took 3 rounds\n    sh -c ps | grep x\n    a seed=9\n", l.Normalize, &l.Cells[0].Rules)
	want := []string{"a seed=N", "b took R rounds"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Normalize (-want +got):\n%s", d)
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := strings.Split("1 2 3 4 5 6 7 8 9 10", " ")
	b := strings.Split("1 2 3 4 X 6 7 8 9 10 11", " ")
	got := UnifiedDiff("recorded", "fresh", a, b)
	want := "--- recorded\n+++ fresh\n@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n 9\n 10\n+11\n"
	if got != want {
		t.Errorf("UnifiedDiff:\n%s\nwant:\n%s", got, want)
	}
	if UnifiedDiff("a", "b", a, a) != "" {
		t.Error("equal lines give a diff")
	}
}

// FuzzUnifiedDiff: the diff of two texts' lines is empty exactly when
// they are equal, and applying its hunks to the first gives the second.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nx\nc\nd")
	f.Add("", "x")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\n5\n6\n7\n8\n0")
	f.Fuzz(func(t *testing.T, x, y string) {
		a, b := strings.Split(x, "\n"), strings.Split(y, "\n")
		d := UnifiedDiff("a", "b", a, b)
		if (d == "") != (x == y) {
			t.Fatalf("diff %q for equal=%v", d, x == y)
		}
		if d == "" {
			return
		}
		got, err := applyDiff(a, d)
		if err != nil {
			t.Fatalf("%v in\n%s", err, d)
		}
		if !slices.Equal(got, b) {
			t.Fatalf("the diff gives %q, want %q:\n%s", got, b, d)
		}
	})
}

// applyDiff applies a unified diff's hunks to a, as patch does.
func applyDiff(a []string, d string) ([]string, error) {
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return nil, fmt.Errorf("no ---/+++ header")
	}
	var out []string
	ai := 0
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "@@ ") {
			var start, n int
			head := strings.Fields(l)[1][1:]
			if i := strings.IndexByte(head, ','); i >= 0 {
				start, _ = strconv.Atoi(head[:i])
				n, _ = strconv.Atoi(head[i+1:])
			} else {
				start, n = atoi(head), 1
			}
			if n > 0 {
				start--
			}
			if start < ai || start > len(a) {
				return nil, fmt.Errorf("hunk %q out of order", l)
			}
			out, ai = append(out, a[ai:start]...), start
			continue
		}
		if l == "" {
			return nil, fmt.Errorf("empty diff line")
		}
		switch text := l[1:]; l[0] {
		case ' ', '-':
			if ai >= len(a) || a[ai] != text {
				return nil, fmt.Errorf("line %d is not %q", ai+1, text)
			}
			if l[0] == ' ' {
				out = append(out, text)
			}
			ai++
		case '+':
			out = append(out, text)
		default:
			return nil, fmt.Errorf("diff line %q", l)
		}
	}
	return append(out, a[ai:]...), nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// TestVolatileTempNames: a temp path is masked whole, also when a part of
// its name looks like an address or a hash (gcc's /tmp/ccXXXXXX.o has six
// random letters and digits); what follows it stays.
func TestVolatileTempNames(t *testing.T) {
	for _, name := range []string{"ccbLqq3M.o", "cc1a2b3c.o", "ccE0xAbyy.o", "2026-12-02.log"} {
		in := "/usr/bin/ld: warning: /tmp/labrun-0010416-t000001317346-000001/tmp/" + name + ": missing .note.GNU-stack section implies executable stack"
		want := "/usr/bin/ld: warning: /tmp/<P>: missing .note.GNU-stack section implies executable stack"
		if got := Volatile(in); got != want {
			t.Errorf("Volatile(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := Volatile("/tmp/x.o: 0xff deadbeef12"), "/tmp/<P>: 0x<H> <H>"; got != want {
		t.Errorf("after a temp path: %q, want %q", got, want)
	}
}
