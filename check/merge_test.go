package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// stream is a cell's spec of one stream output.
func stream(text string) cellSpec {
	return cellSpec{outs: []transcript.Output{{Kind: transcript.Stream, Text: text}}}
}

// TestUpdateKeepsRecordedLines: --update rewrites only the lines that
// differ; a line that differs only in values the check masks (a clock
// time, a pid, a ps row's columns) stays as recorded, in fresh order
// under any-order, in a console command (beside cram's matcher lines,
// which stay as "cram -i -y" keeps them), and the update then passes. A recorded line of
// another kind of output (stream text for a display's) does not stand
// for a fresh one.
func TestUpdateKeepsRecordedLines(t *testing.T) {
	native := "<!-- labrun: dialect=native -->\n\n# L\n\n"
	for _, tc := range []struct {
		name, lesson string
		old, fresh   cellSpec
		// recorded, fresh lines: each kept line of the record becomes
		// the fresh one in the update; nil: the fresh block whole
		edits [][2]string
	}{{
		name:   "times",
		lesson: "```sh run\necho\n```\n",
		old:    stream("12:00:01 start\n12:00:02 pid=11 one\n12:00:03 two\n12:00:04 three\n12:00:05 done\n"),
		fresh:  stream("13:00:01 start\n13:00:02 pid=22 one\n13:00:03 TWO\n13:00:04 three\n13:00:05 done\n"),
		edits:  [][2]string{{"    12:00:03 two\n", "    13:00:03 TWO\n"}},
	}, {
		name:   "ps",
		lesson: "```sh run\nps\n```\n",
		old:    stream("    PID TTY          TIME CMD\n  101 pts/0    00:00:00 bash\n  105 pts/0    00:00:00 ps\n"),
		fresh:  stream("    PID TTY          TIME CMD\n  201 pts/0    00:00:00 bash\n  203 pts/0    00:00:01 sleep\n  205 pts/0    00:00:00 ps\n"),
		edits:  [][2]string{{"      101 pts/0    00:00:00 bash\n", "      101 pts/0    00:00:00 bash\n      203 pts/0    00:00:01 sleep\n"}},
	}, {
		name:   "any-order",
		lesson: "<!-- labrun: any-order -->\n```sh run\necho\n```\n",
		old:    stream("b 12:00:01\na 12:00:02\n"),
		fresh:  stream("a 13:00:02\nc 13:00:03\nb 13:00:01\n"),
		edits:  [][2]string{{"    b 12:00:01\n    a 12:00:02\n", "    a 12:00:02\n    c 13:00:03\n    b 12:00:01\n"}},
	}, {
		name:   "console",
		lesson: "```console run\n$ log\n12:00:01 a\n```\n",
		old:    cellSpec{console: []consoleSpec{{out: "12:00:01 a\n12:00:02 b\n12:00:03 c\n"}}},
		fresh:  cellSpec{console: []consoleSpec{{out: "13:00:01 a\n13:00:02 B\n13:00:03 c\n"}}},
		edits:  [][2]string{{"12:00:02 b\n", "13:00:02 B\n"}},
	}, {
		name:   "console matchers",
		lesson: "```console run\n$ log\nid=[0-9]+ (re)\n```\n",
		old:    cellSpec{console: []consoleSpec{{out: "id=5\n12:00:01 a\n12:00:02 b\n"}}},
		fresh:  cellSpec{console: []consoleSpec{{out: "id=7\n13:00:01 a\n13:00:02 B\n"}}},
		edits:  [][2]string{{"id=[0-9]+ (re)\n12:00:01 a\n12:00:02 b\n", "id=[0-9]+ (re)\n12:00:01 a\n13:00:02 B\n"}},
	}, {
		name:   "another kind",
		lesson: "```sh run\necho\n```\n",
		old:    stream("12:00:01 start\n"),
		fresh:  cellSpec{outs: []transcript.Output{{Kind: transcript.Markdown, Text: "13:00:01 start"}, {Kind: transcript.Stream, Text: "new\n"}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := lessons.Parse("l.md", []byte(native+tc.lesson))
			if err != nil {
				t.Fatal(err)
			}
			text := string(render.Transcript(fuzzRun(l, []cellSpec{tc.old}, oldTime)))
			want := string(render.Transcript(fuzzRun(l, []cellSpec{tc.fresh}, oldTime)))
			if tc.edits != nil {
				want = text
				for _, e := range tc.edits {
					if !strings.Contains(want, e[0]) {
						t.Fatalf("%q is not in the record:\n%s", e[0], text)
					}
					want = strings.Replace(want, e[0], e[1], 1)
				}
			}
			updatedAs(t, text, want, []cellSpec{tc.fresh})
		})
	}
}

// TestUpdateKeepsRecordedLinesCourse: a course transcript's update
// rewrites only its lines that differ, as a labrun transcript's does.
func TestUpdateKeepsRecordedLinesCourse(t *testing.T) {
	rec := "\n# U\n\n\n```python\nprint(x)\n```\n\n    12:00:01 a\n    12:00:02 pid=5 b\n    12:00:03 c\n\n\nEnd.\n"
	want := "\n# U\n\n\n```python\nprint(x)\n```\n\n    12:00:01 a\n    13:00:02 pid=6 B\n    12:00:03 c\n\n\nEnd.\n"
	updatedAs(t, rec, want, []cellSpec{stream("13:00:01 a\n13:00:02 pid=6 B\n13:00:03 c\n")})
}

// updatedAs checks that transcript text, checked against fresh, fails,
// updates into want, and that want then passes and updates into itself.
func updatedAs(t *testing.T, text, want string, fresh []cellSpec) {
	t.Helper()
	rep, _ := judged(t, []byte(text), fresh, freshTime)
	if _, failed, _ := rep.Counts(); failed == 0 {
		t.Fatalf("nothing fails:\n%s", text)
	}
	got, changed := rep.Updated()
	if !changed || string(got) != want {
		t.Fatalf("update:\n%s\nwant:\n%s\n%q\n%q", got, want, got, want)
	}
	again, _ := judged(t, got, fresh, freshTime)
	if _, failed, _ := again.Counts(); failed != 0 {
		t.Fatalf("the update fails:\n%s", got)
	}
	if _, changed := again.Updated(); changed {
		t.Fatalf("a second update changes:\n%s", got)
	}
}

// FuzzAlignEqual: alignEqual pairs equal lines, in order, and exactly as
// many as the check's diff leaves as they are (all of a's lines but
// those its hunks remove).
func FuzzAlignEqual(f *testing.F) {
	f.Add("a|b|c|d|e", "a|b|x|d|e")
	f.Add("x|x|x|y", "y|x|x")
	f.Add("", "a|b")
	f.Add("1|2|3|4|5|6|7|8|9|10|11|12", "1|2|3|4|5|X|7|8|9|10|11|12|13")
	f.Add("a\nb|c", "c|a\nb")
	f.Fuzz(func(t *testing.T, a, b string) {
		la, lb := strings.Split(a, "|"), strings.Split(b, "|")
		for _, l := range append(slices.Clone(la), lb...) {
			if strings.Contains(l, "\n") {
				t.Skip() // UnifiedDiff splits such a line; alignEqual keeps it whole
			}
		}
		pairs := alignEqual(la, lb)
		last := [2]int{-1, -1}
		for _, p := range pairs {
			if p[0] <= last[0] || p[1] <= last[1] || la[p[0]] != lb[p[1]] {
				t.Fatalf("pairs %v of %q, %q", pairs, la, lb)
			}
			last = p
		}
		removed := 0
		for i, l := range strings.Split(UnifiedDiff("a", "b", la, lb), "\n") {
			if i >= 2 && strings.HasPrefix(l, "-") { // after the --- and +++ lines
				removed++
			}
		}
		if len(pairs) != len(la)-removed {
			t.Fatalf("%d pairs, %d lines of which the diff removes %d: %q, %q\n%s", len(pairs), len(la), removed, la, lb, UnifiedDiff("a", "b", la, lb))
		}
	})
}
