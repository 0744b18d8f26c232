package lessons

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The goldens in testdata/cram are cram 0.7's own: NAME.t.err is what
// "cram3 NAME.t" wrote, NAME.t.updated what "cram3 -i -y NAME.t" left.
// The runs below are what the files' commands print.
var cramRuns = map[string][]CramRun{
	"update.t": {
		{Ran: true, Output: "a\x01b\tc\n"},
		{Ran: true, Output: "1\n"},
		{Ran: true, Output: "1\nfoo\n1\n"},
		{Ran: true, Output: "foo\n\n1\n"},
		{Ran: true, Output: "foobar\n"},
		{Ran: true, Exit: 3},
		{Ran: true, Exit: 1},
		{Ran: true, Output: "x\ny"},
		{Ran: true, Output: "a\rb\r\nc"},
		{Ran: true, Output: "one\ntwo\n"},
		{Ran: true},
		{Ran: true, Output: "in f\n"},
	},
	"exit.t": {
		{Ran: true, Output: "before\n"},
		{Ran: true, Ended: true, Exit: 3, Output: "bye\n"},
		{}, {},
	},
}

func TestCramWriteAndMerge(t *testing.T) {
	for name, runs := range cramRuns {
		t.Run(name, func(t *testing.T) {
			src := readCramGolden(t, name)
			l, err := ParseCram(name, src, DefaultIndent)
			if err != nil {
				t.Fatal(err)
			}
			f := l.Cram
			if len(f.Commands) != len(runs) {
				t.Fatalf("%d commands, want %d", len(f.Commands), len(runs))
			}
			fresh, owners := f.Fresh(CramRun{}, runs)
			if diff := cmp.Diff(string(readCramGolden(t, name+".err")), string(CramText(fresh))); diff != "" {
				t.Errorf("fresh lines differ from cram's .err (-cram +labrun):\n%s", diff)
			}
			ops := CramCompare(f.Texts(), fresh)
			merged := CramMerge(f.Texts(), fresh, ops)
			if diff := cmp.Diff(string(readCramGolden(t, name+".updated")), string(CramText(merged))); diff != "" {
				t.Errorf("merge differs from cram -i -y (-cram +labrun):\n%s", diff)
			}
			// Merged, the file matches its fresh lines: nothing differs.
			again := f.Differs(CramCompare(merged, fresh), owners)
			if slices.Contains(again, true) {
				t.Errorf("after the merge, commands still differ: %v", again)
			}
		})
	}
}

func TestCramDiffers(t *testing.T) {
	src := readCramGolden(t, "update.t")
	l, _ := ParseCram("update.t", src, DefaultIndent)
	fresh, owners := l.Cram.Fresh(CramRun{}, cramRuns["update.t"])
	got := l.Cram.Differs(CramCompare(l.Cram.Texts(), fresh), owners)
	// 0 escapes, 1 wrong, 2 bad regexes, 3 a new line before a matching
	// regex, 4 a glob that matches, 5 [3] missing, 6 [1] as recorded, 7
	// and 8 missing newlines, 9 output after prose, 10 and 11 as recorded
	want := []bool{true, true, true, true, false, true, false, true, true, true, false, false}
	if !slices.Equal(got, want) {
		t.Errorf("differs = %v\nwant      %v", got, want)
	}
}

// TestCramEnd: what the shell printed as it ended after the last command
// (an EXIT trap) is the file's last line, after the prose that follows
// the last command, its last byte dropped (cram drops the last byte of
// the shell's output), and it counts for the last command.
func TestCramEnd(t *testing.T) {
	l, _ := ParseCram("end.t", []byte("  $ trap 'echo bye' EXIT\n  $ echo a\n  a\nprose\n"), DefaultIndent)
	runs := []CramRun{{Ran: true}, {Ran: true, Output: "a\n"}, {Ran: true, Ended: true, Output: "bye\n"}}
	fresh, owners := l.Cram.Fresh(CramRun{}, runs)
	want := []string{"  $ trap 'echo bye' EXIT\n", "  $ echo a\n", "  a\n", "prose\n", "  bye (no-eol)\n"}
	if !slices.Equal(fresh, want) || !slices.Equal(owners, []int{0, 1, 1, 1, 1}) {
		t.Errorf("fresh %q (owners %v), want %q", fresh, owners, want)
	}
	if d := l.Cram.Differs(CramCompare(l.Cram.Texts(), fresh), owners); !slices.Equal(d, []bool{false, true}) {
		t.Errorf("differs = %v", d)
	}
}

func TestParseCram(t *testing.T) {
	src := []byte("prose\n  $ echo a\n  a\n  > more\n  [2]\nmid\n  b\n  $ x\n  $\n  \n  y")
	l, err := ParseCram("f.t", src, DefaultIndent)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Cells) != 2 || l.Cells[0].Line != 2 || l.Cells[0].EndLine != 5 || l.Cells[1].Line != 7 {
		t.Fatalf("cells: %+v", l.Cells)
	}
	a, x := l.Cram.Commands[0], l.Cram.Commands[1]
	if a.Text != "echo a\nmore" || a.Line != 2 || a.LastLine != 4 || a.Recorded != "a\n[2]\nb\n" || a.Exit != 0 {
		t.Errorf("first command: %+v", a)
	}
	if x.Text != "x" || x.Recorded != "$\n\ny\n" || l.Cells[1].Console[0] != x || !l.Cram.NoEOL {
		t.Errorf("second command: %+v (noeol %v)", x, l.Cram.NoEOL)
	}
	if l.Cells[1].Index != 1 || l.Cells[1].Attrs.Pty == nil || *l.Cells[1].Attrs.Pty {
		t.Errorf("cell: %+v", l.Cells[1])
	}
	// Indented lines before the first command are no command's, and in
	// no cell of a command, as cram reads them; a "> " line there is the
	// preamble; import refuses them.
	for _, first := range []string{"  output first\n  $ echo\n", "prose\n  > more first\n  $ echo\n"} {
		l, err := ParseCram("first.t", []byte(first), DefaultIndent)
		k := strings.Count(first, "\n") - 2 // the line before the command
		if err != nil || l.Cram.Lines[k].Cmd != -1 || len(l.Cells) != 1 || l.Cells[0].Line != k+2 {
			t.Errorf("%q: %v, %+v", first, err, l)
		}
		if _, err := CramMarkdown("first.t", []byte(first), DefaultIndent); err == nil {
			t.Errorf("%q: import: no error", first)
		}
	}
	if l, _ := ParseCram("pre.t", []byte("  > a\n  > b\n  $ c\n"), DefaultIndent); l.Cram.Preamble != "a\nb" {
		t.Errorf("preamble %q, want \"a\\nb\"", l.Cram.Preamble)
	}
	// A file of indented lines and no command: one cell, of no command.
	if l, _ := ParseCram("none.t", []byte("prose\n  stray\n"), DefaultIndent); len(l.Cells) != 1 || l.Cells[0].Line != 2 || len(l.Cells[0].Console) != 0 {
		t.Errorf("no command: %+v", l.Cells)
	}
	if l, _ := ParseCram("prose.t", []byte("prose\n\n"), DefaultIndent); len(l.Cells) != 0 {
		t.Errorf("prose only: %+v", l.Cells)
	}
	if l, err := ParseCram("empty.t", nil, DefaultIndent); err != nil || len(l.Cells) != 0 {
		t.Errorf("empty file: %v, %v", l, err)
	}
}

// TestCramIndent: the indent of --indent, 4 spaces or none, reads the
// lines as cram reads them with it, and writes them back so.
func TestCramIndent(t *testing.T) {
	src := "prose\n    $ echo a\n    > b\n    a\n  two spaces: output\n    $ false\n"
	l, _ := ParseCram("four.t", []byte(src), CramIndentOf(4))
	f := l.Cram
	if len(f.Commands) != 2 || f.Commands[0].Text != "echo a\nb" || f.Commands[0].Recorded != "a\n" || f.Lines[4].Kind != CramProse {
		t.Fatalf("--indent=4: %+v", *f.Commands[0])
	}
	fresh, _ := f.Fresh(CramRun{}, []CramRun{{Ran: true, Output: "a b\n"}, {Ran: true, Exit: 1}})
	want := "prose\n    $ echo a\n    > b\n    a b\n  two spaces: output\n    $ false\n    [1]\n"
	if got := string(CramText(fresh)); got != want {
		t.Errorf("--indent=4 fresh lines %q, want %q", got, want)
	}
	l, _ = ParseCram("zero.t", []byte("prose is output\n$ echo a\n"), CramIndentOf(-1))
	if f := l.Cram; len(f.Commands) != 1 || f.Lines[0].Kind != CramOutput || f.Lines[0].Cmd != -1 {
		t.Errorf("--indent=0: %+v", f)
	}
}

// TestCramPreamble: a preamble's output and status come first, before
// the prose before the first command; one that ends the shell leaves
// only the lines before the first command.
func TestCramPreamble(t *testing.T) {
	l, _ := ParseCram("pre.t", []byte("  > echo pre; false\nprose\n  $ echo a\n  a\n"), DefaultIndent)
	fresh, owners := l.Cram.Fresh(CramRun{Ran: true, Output: "pre\n", Exit: 1}, []CramRun{{Ran: true, Output: "a\n"}})
	want := "  pre\n  [1]\n  > echo pre; false\nprose\n  $ echo a\n  a\n"
	if got := string(CramText(fresh)); got != want || owners[0] != -1 {
		t.Errorf("fresh lines %q (owners %v), want %q", got, owners, want)
	}
	fresh, _ = l.Cram.Fresh(CramRun{Ran: true, Ended: true, Output: "bye\n"}, []CramRun{{}})
	if got, want := string(CramText(fresh)), "  bye (no-eol)\n  > echo pre; false\nprose\n  $ echo a\n"; got != want {
		t.Errorf("a preamble that exits: %q, want %q", got, want)
	}
}

func readCramGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cram", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCramUpdateNoEOL: what "cram3 -i -y" left of files whose last line
// has no newline (patch(1) applies the diff's hunks with fuzz, or
// rejects those it cannot apply, which leave their lines as they were);
// rejected says patch rejects a hunk.
func TestCramUpdateNoEOL(t *testing.T) {
	run := func(outs ...string) []CramRun {
		var r []CramRun
		for _, o := range outs {
			r = append(r, CramRun{Ran: true, Output: o})
		}
		return r
	}
	for _, c := range []struct {
		name, src string
		runs      []CramRun
		want      string
		rejected  bool
	}{
		{"last line replaced", "  $ echo a\n  b", run("a\n"), "  $ echo a\n  b", true},
		{"last line context", "  $ echo a\n  b\n  $ echo c\n  c", run("a\n", "c\n"), "  $ echo a\n  a\n  $ echo c\n  c", false},
		{"last line far", "  $ echo a\n  b\n  $ echo c\n  d\n  $ echo e\n  e\n  $ echo f\n  f\n  $ echo g\n  g",
			run("a\n", "c\n", "e\n", "f\n", "g\n"), "  $ echo a\n  a\n  $ echo c\n  c\n  $ echo e\n  e\n  $ echo f\n  f\n  $ echo g\n  g", false},
		{"insertion, 2 lines of context", "  $ printf 'a\\nb'\n  a", run("a\nb"), "  $ printf 'a\\nb'\n  a\n  b (no-eol)\n", false},
		{"insertion, 3 lines of context", "  $ echo x\n  x\n  $ printf 'a\\nb'\n  a", run("x\n", "a\nb"), "  $ echo x\n  x\n  $ printf 'a\\nb'\n  a", true},
		{"insertion after a change", "  $ echo a\n  b\n  $ echo x\n  x\n  $ printf 'a\\nb'\n  a", run("a\n", "x\n", "a\nb"), "  $ echo a\n  b\n  $ echo x\n  x\n  $ printf 'a\\nb'\n  a", true},
		{"a rejected hunk, another applied", "  $ echo a\n  b\n  $ echo c\n  c\n  $ echo d\n  d\n  $ echo e\n  e\n  $ echo g\n  f",
			run("a\n", "c\n", "d\n", "e\n", "g\n"), "  $ echo a\n  a\n  $ echo c\n  c\n  $ echo d\n  d\n  $ echo e\n  e\n  $ echo g\n  f", true},
		{"last line the one line of context after 3", "  $ echo a\n  a\n  $ printf 'b\\n\\n'\n  X\n  ", run("a\n", "b\n\n"), "  $ echo a\n  a\n  $ printf 'b\\n\\n'\n  X\n  ", true},
		{"last line the one line of context after 1", "  $ printf 'b\\n\\n'\n  X\n  ", run("b\n\n"), "  $ printf 'b\\n\\n'\n  b\n  ", false},
		{"passes", "  $ printf foo\n  foo (no-eol)", run("foo"), "  $ printf foo\n  foo (no-eol)", false},
	} {
		l, err := ParseCram("f.t", []byte(c.src), DefaultIndent)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := l.Cram.Fresh(CramRun{}, c.runs)
		got, ok := l.Cram.Update(fresh, CramCompare(l.Cram.Texts(), fresh))
		if string(got) != c.want || ok == c.rejected {
			t.Errorf("%s: got %q (rejected %v), want %q (rejected %v)", c.name, got, !ok, c.want, c.rejected)
		}
	}
}

func TestCramDirective(t *testing.T) {
	l, err := Parse("l.md", []byte("<!-- labrun: cram=foo.t -->\n```console run\n$ true\n```\n"))
	if err != nil || l.CramName != "foo.t" || l.Cram != nil {
		t.Fatalf("cram=foo.t: %v, %+v", err, l)
	}
	for _, bad := range []string{"foo.md", "dir/foo.t", ".t"} {
		if _, err := Parse("l.md", []byte("<!-- labrun: cram="+bad+" -->\n")); err == nil {
			t.Errorf("cram=%s: no error", bad)
		}
	}
}

// FuzzCram: any file reads without a panic, and its update with any
// fresh outputs is a file whose comparison with them finds nothing
// different (where patch would apply it), as after "cram -i -y".
func FuzzCram(f *testing.F) {
	for _, s := range []string{"  $ echo a\n  b", "prose\n  $ x\n  > y\n  [1]\nmid\n  z\n", "", "  $ a\n  $ b\n  (re)\n  x* (glob)\n", "  $ printf '\\r\\n'\n"} {
		f.Add(s, "a\nb\r\n", 1)
	}
	f.Fuzz(func(t *testing.T, src, out string, exit int) {
		l, err := ParseCram("f.t", []byte(src), DefaultIndent)
		if err != nil {
			return
		}
		runs := make([]CramRun, len(l.Cram.Commands))
		for i := range runs {
			runs[i] = CramRun{Ran: true, Output: out, Exit: exit % 256, Ended: i == len(runs)-1 && exit%2 == 1}
		}
		fresh, owners := l.Cram.Fresh(CramRun{}, runs)
		text, ok := l.Cram.Update(fresh, CramCompare(l.Cram.Texts(), fresh))
		if !ok || l.Cram.NoEOL {
			return
		}
		again, err := ParseCram("f.t", text, DefaultIndent)
		if err != nil {
			t.Fatalf("the update does not read: %v\n%q", err, text)
		}
		if d := again.Cram.Differs(CramCompare(again.Cram.Texts(), fresh), owners); len(d) == len(runs) && slices.Contains(d, true) {
			t.Errorf("after the update, commands differ: %v\n%q", d, text)
		}
	})
}

// DefaultIndent is cram's default indent, as the tests read files.
var DefaultIndent = CramIndentOf(0)
