package check

import (
	"regexp"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// checkConsole checks a console block of one command, `$ cmd`, whose
// record is rec (lines after the command), against the fresh output
// out, with the lesson's normalize rules: the command's report.
func checkConsole(t *testing.T, rec, out string, lesson []lessons.Normalize) *CommandReport {
	t.Helper()
	src := "```console run\n$ cmd\n" + rec + "```\n"
	l, err := lessons.Parse("m.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cell := l.Cells[0]
	cr := &transcript.CellResult{Cell: cell, Status: transcript.OK,
		Console: []transcript.ConsoleOutput{{Command: cell.Console[0], Ran: true, Output: out}}}
	rep := &CellReport{Verdict: Pass}
	compareConsole(rep, cell, cr, lesson, func(n int) int { return n })
	return rep.Commands[0]
}

// TestConsoleMatchers: a command passes when its fresh lines match its
// record's matcher lines; with the volatile normalizers and the lesson's
// rules in force, a matcher line is matched against the fresh line as
// printed, and the literal lines around it compare normalized.
func TestConsoleMatchers(t *testing.T) {
	rule := []lessons.Normalize{{Re: regexp.MustCompile(`build [0-9]+`), Repl: "build N"}}
	for _, c := range []struct{ name, rec, out string }{
		{"re", "id=[0-9]+ (re)\n", "id=123\n"},
		{"glob", "/tmp/* (glob)\n", "/tmp/x.1\n"},
		{"no-eol", "tail (no-eol)\n", "tail"},
		{"re sees the line before the normalizers", "pid=[0-9]{3} (re)\n", "pid=123\n"},
		{"normalized literal beside a matcher", "started pid=1\nid=.* (re)\nbuild 7\n", "started pid=4242\nid=x\nbuild 99\n"},
		{"a rule on a matcher line's text", "build 1 of .* (re)\n", "build 1 of 3\n"},
		{"esc", "\\x24 x (esc)\n", "$ x\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if k := checkConsole(t, c.rec, c.out, rule); k.Verdict != Pass {
				t.Fatalf("fails:\n%s", k.Diff)
			}
		})
	}
}

// TestConsoleWrongMatchers: a matcher that does not match fails the
// command, whatever the normalizers do with the fresh line, and --update
// rewrites only that line.
func TestConsoleWrongMatchers(t *testing.T) {
	for _, c := range []struct{ name, rec, out, update string }{
		{"re matches a prefix only", "foo (re)\n", "foobar\n", "foobar\n"},
		{"re matches a suffix only", "bar (re)\n", "foobar\n", "foobar\n"},
		{"re across lines", "a.*b (re)\n", "a\nb\n", "a\nb\n"},
		{"glob star across lines", "first*last (glob)\n", "first\nlast\n", "first\nlast\n"},
		{"glob question is one character", "a?c (glob)\n", "ac\n", "ac\n"},
		{"glob escaped star is a star", "a\\*c (glob)\n", "abc\n", "abc\n"},
		{"glob dot is a dot", "a.c (glob)\n", "abc\n", "abc\n"},
		{"re RE2 cannot compile", "(a)\\1 (re)\n", "aa\n", "aa\n"},
		{"re that does not compile", "*** (re)\n", "***\n", "***\n"},
		{"normalized value, but the pattern wants digits", "pid=[0-9]+ (re)\n", "pid=abc\n", "pid=abc\n"},
		{"missing no-eol", "tail\n", "tail", "tail (no-eol)\n"},
		{"no-eol where there is a newline", "tail (no-eol)\n", "tail\n", "tail\n"},
		{"only the lines that no longer match", "id=[0-9]+ (re)\nold\n* (glob)\n", "id=7\nnew\nanything\n", "id=[0-9]+ (re)\nnew\n* (glob)\n"},
		{"a matcher line is no help for a line it is not beside", "x (re)\nend\n", "end\n", "end\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := checkConsole(t, c.rec, c.out, nil)
			if k.Verdict != Fail {
				t.Fatalf("passes: recorded %q, fresh %q", c.rec, c.out)
			}
			if k.Update != c.update {
				t.Fatalf("--update writes %q, want %q", k.Update, c.update)
			}
			if again := checkConsole(t, k.Update, c.out, nil); again.Verdict != Pass {
				t.Fatalf("the updated record fails:\n%s", again.Diff)
			}
		})
	}
}

// TestConsoleMatcherDiff: the diff of a failing command shows the
// matcher lines that match as context, as cram's diff does.
func TestConsoleMatcherDiff(t *testing.T) {
	k := checkConsole(t, "id=[0-9]+ (re)\nold\nend* (glob)\n", "id=7\nnew\nending\n", nil)
	for _, want := range []string{"\n id=[0-9]+ (re)\n", "\n-old\n+new\n", "\n end* (glob)\n"} {
		if !strings.Contains(k.Diff, want) {
			t.Fatalf("diff lacks %q:\n%s", want, k.Diff)
		}
	}
}
