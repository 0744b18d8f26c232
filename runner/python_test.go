package runner

import (
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestPythonStateAcrossCells: one Python per lesson: an fd opened in one
// cell is written in a later one, and the shell sees the file.
func TestPythonStateAcrossCells(t *testing.T) {
	md := fence(`fd = os.open("x", os.O_WRONLY|os.O_CREAT)`) + "\n" +
		fence("!echo between") + "\n" +
		fence(`os.write(fd, b"hi")`+"\nos.close(fd)") + "\n" +
		fence("!cat x")
	res := runLesson(t, md, Options{})
	for _, cr := range res.Cells {
		if cr.Status != transcript.OK {
			t.Errorf("status %d:\n%s", cr.Status, dump(cr))
		}
	}
	if got := streams(res.Cells[3]); got != "hi" {
		t.Errorf("!cat x = %q, want %q", got, "hi")
	}
}

// TestInterpolation: {expr} and $name in ! lines are Python values, as
// IPython's var_expand; a name that does not exist leaves the whole
// command as written.
func TestInterpolation(t *testing.T) {
	md := fence(`name = "world"`) + "\n" +
		fence("!echo $name {1+2}") + "\n" +
		fence("!echo $undefined_thing") + "\n" +
		fence("!echo '$undefined_thing {1+2}'") + "\n" +
		fence("def f(arg):\n    !echo in-function $arg\nf('local')") + "\n" +
		fence("x = !echo $name")
	res := runLesson(t, md, Options{})
	want := map[int]string{
		1: "world 3\n",
		2: "\n", // unchanged: sh expands the unset variable to nothing
		3: "$undefined_thing {1+2}\n",
		4: "in-function local\n",
	}
	for i, w := range want {
		cr := res.Cells[i]
		if got := streams(cr); got != w || cr.Status != transcript.OK {
			t.Errorf("cell %d: output %q status %d, want %q ok(0)\n%s", i, got, cr.Status, w, dump(cr))
		}
	}
}

// TestCapture: x = !cmd captures the lines, shown with %p as IPython would.
func TestCapture(t *testing.T) {
	md := fence("x = !printf 'a\\nb\\n'") + "\n" +
		fence("%p x") + "\n" +
		fence("%p len(x)  # two lines") + "\n" +
		fence("%p # just *text*") + "\n" +
		fence("%MD **bold** text") + "\n" +
		fence("y = !echo err >&2; echo out\nprint(sorted(y))") + "\n" +
		fence("print(x.s, '|', x.n.replace('\\n', '+'))")
	res := runLesson(t, md, Options{})
	want := map[int][]string{
		1: {"x = ['a', 'b']"},
		2: {"`len(x) = 2`  # two lines"},
		3: {"just *text*"},
		4: {"**bold** text"},
	}
	for i, w := range want {
		cr := res.Cells[i]
		if got := outputsOf(cr, transcript.Markdown); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("cell %d Markdown = %q, want %q\n%s", i, got, w, dump(cr))
		}
	}
	if got := streams(res.Cells[5]); got != "['err', 'out']\n" {
		t.Errorf("capture merges stderr: %q", got)
	}
	if got := streams(res.Cells[6]); got != "a b | a+b\n" {
		t.Errorf("SList shortcuts: %q\n%s", got, dump(res.Cells[6]))
	}
	if len(streams(res.Cells[0])) != 0 {
		t.Errorf("x = !cmd printed something: %q", streams(res.Cells[0]))
	}
}

// TestPythonOutputs: prints, the last expression's value, displays, and an
// exception that ends the cell (status error) without ending the worker.
func TestPythonOutputs(t *testing.T) {
	md := fence("print('out')\n1 + 1") + "\n" +
		fence("from IPython.display import display, Markdown, HTML\ndisplay(Markdown('*md*'))\ndisplay(HTML('<b>h</b>'))") + "\n" +
		fence("v = 5\nraise ValueError('boom')") + "\n" +
		fence("print(v)") + "\n" +
		fence("get_ipython().system('echo via-system')")
	res := runLesson(t, md, Options{})
	c0 := res.Cells[0]
	if streams(c0) != "out\n" || strings.Join(outputsOf(c0, transcript.Text), "|") != "2" {
		t.Errorf("print and value:\n%s", dump(c0))
	}
	c1 := res.Cells[1]
	if strings.Join(outputsOf(c1, transcript.Markdown), "|") != "*md*" || strings.Join(outputsOf(c1, transcript.HTML), "|") != "<b>h</b>" {
		t.Errorf("displays:\n%s", dump(c1))
	}
	c2 := res.Cells[2]
	errs := outputsOf(c2, transcript.Error)
	if c2.Status != transcript.Failed || len(errs) != 1 || !strings.Contains(errs[0], "ValueError: boom") {
		t.Errorf("exception: want status error and a ValueError traceback\n%s", dump(c2))
	}
	if got := streams(res.Cells[3]); got != "5\n" {
		t.Errorf("state after an exception: %q", got)
	}
	if got := streams(res.Cells[4]); got != "via-system\n" {
		t.Errorf("get_ipython().system: %q", got)
	}
}

// TestRunLineExpansion: %run lines of file cells interpolate from the
// Python namespace too.
func TestRunLineExpansion(t *testing.T) {
	md := fence("n = 3") + "\n" +
		fence("%%cpp a.c\n%run echo {n*2} $n\nint x;")
	res := runLesson(t, md, Options{})
	cr := res.Cells[1]
	if got := streams(cr); got != "6 3\n" {
		t.Errorf("%%run expansion: %q\n%s", got, dump(cr))
	}
	if got := outputsOf(cr, transcript.Markdown); len(got) != 1 || got[0] != "Run: `echo {n*2} $n`" {
		t.Errorf("the Run: line shows the command as written, got %q", got)
	}
}
