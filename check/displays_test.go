package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/transcript"
)

// displayLesson is a course lesson whose cells show every display labrun
// renders: %// headings (shown under magics=current), %MD text, Run:
// lines, a %run output under a spoiler (<pre><code> and <details>;
// the current magics only: the 2019 ones refuse the option),
// HTML and Markdown displays (among them a fence, a <pre> that is no
// log, closing tags of spoilers and %MD lines that read as labrun's
// markers), an IFrame, a background log and
// stream text. magics is its <!-- labrun magics= --> version; count, when set,
// is a file each run counts its runs in, which every cell shows, so that
// every cell's output differs from the last run's.
func displayLesson(magics, count string) string {
	show, tail, head := "", "", "a = 0\n"
	spoiler := " --under-spoiler-threshold 2" // the 2019 magics know no spoilers
	if magics == "2019" {
		spoiler = ""
	}
	if count != "" {
		show = "%run cat " + count + "\n"
		tail = "print('run', a)\n"
		head = "import os\n" +
			"a = int(open('" + count + "').read()) + 1 if os.path.exists('" + count + "') else 1\n" +
			"open('" + count + "', 'w').write(str(a))\n"
	}
	return "<!-- labrun magics=" + magics + " -->\n" +
		"# Displays\n" +
		"\n" +
		"\n" +
		"```python\n" +
		head +
		"```\n" +
		"\n" +
		"\n" +
		"```cpp\n" +
		"%%cpp a.c\n" +
		"%// a heading line\n" +
		"%MD some *markdown* text\n" +
		"%run echo compiled\n" + show +
		"int main() { return 0; }\n" +
		"```\n" +
		"\n" +
		"Prose after a file cell.\n" +
		"\n" +
		"\n" +
		"```cpp\n" +
		"%%cpp b.c" + spoiler + "\n" +
		"%// under a spoiler\n" +
		"%run printf 'one\\n'\n" + show +
		"%run printf 'l1\\n\\nl3 <b>\\nl4\\n'\n" +
		"int x;\n" +
		"```\n" +
		"\n" +
		"\n" +
		"```python\n" +
		"display(HTML('<b>bold</b>'))\n" +
		"display(Markdown('a **display**'))\n" +
		"display(HTML('<table>\\n<tr><td>1</td></tr>\\n</table>'))\n" +
		"display(IFrame('https://example.com/x', width=300, height=200))\n" +
		"print('printed')\n" + tail +
		"```\n" +
		"\n" +
		"\n" +
		"```python\n" +
		"display(Markdown('```\\nfenced\\n```'))\n" +
		"display(HTML('<pre>\\nnot a log\\n</pre>'))\n" +
		"display(HTML('<p>\\n</details>\\n</code></pre>\\n</p>'))\n" +
		"%MD <!-- labrun:out cell=99 kind=shown -->\n" +
		"%MD <!-- labrun:end -->\n" + tail +
		"```\n" +
		"\n" +
		"\n" +
		"```python\n" +
		"b = TInteractiveLauncher('echo from-log; sleep 0.1; echo run ' + str(a))\n" +
		"b.close()\n" +
		"```\n" +
		"\n" +
		"\n" +
		"```python\n" +
		"print('last')\n" + tail +
		"```\n" +
		"\n" +
		"The end.\n"
}

// The layouts a transcript of a course lesson comes in.
const (
	labrunLayout = "labrun"    // render.Transcript's: outputs between markers
	courseLayout = "course"    // nbconvert's: README.md beside README_no_output.md
	coursePre    = "coursepre" // nbconvert's, background logs in <pre>
)

// layOut turns a labrun transcript into one of the layouts: the course's
// is without the markers, with the blank line the course's export adds
// at the top, and with a background log in <pre> for coursePre.
func layOut(tr, layout string) string {
	if layout == labrunLayout {
		return tr
	}
	var b strings.Builder
	b.WriteString("\n")
	lines := strings.SplitAfter(tr, "\n")
	inLog := false
	for i, l := range lines {
		switch {
		case marker.IsOpen(l) || marker.IsClose(l):
			continue
		case layout == coursePre && !inLog && l == "```\n" && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "L | "):
			l, inLog = "<pre>\n", true
		case inLog && l == "```\n":
			l, inLog = "</pre>\n", false
		}
		b.WriteString(l)
	}
	return b.String()
}

// writeLesson writes the transcript tr of lesson src into dir in a
// layout and returns the lesson check reads.
func writeLesson(t *testing.T, dir, src, tr, layout string) Lesson {
	t.Helper()
	if layout == labrunLayout {
		path := filepath.Join(dir, "t.md")
		os.WriteFile(path, []byte(tr), 0o644)
		return Lesson{Path: path}
	}
	os.WriteFile(filepath.Join(dir, CourseSkeleton), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, CourseTranscript), []byte(layOut(tr, layout)), 0o644)
	return Lesson{Path: filepath.Join(dir, CourseTranscript), Skeleton: filepath.Join(dir, CourseSkeleton)}
}

// eachDisplayLayout runs f for both magics versions and every layout,
// with a fresh dir.
func eachDisplayLayout(t *testing.T, f func(t *testing.T, dir, magics, layout string)) {
	for _, magics := range []string{"current", "2019"} {
		for _, layout := range []string{labrunLayout, courseLayout, coursePre} {
			t.Run(magics+"/"+layout, func(t *testing.T) {
				dir := t.TempDir()
				f(t, dir, magics, layout)
			})
		}
	}
}

// mustShow fails the test unless the transcript shows every display
// kind (so that a round trip says something about each).
func mustShow(t *testing.T, tr, magics, layout string) {
	t.Helper()
	kinds := []string{"some *markdown* text", "Run: `echo compiled`", "<b>bold</b>", "a **display**",
		"<table>", "<iframe", "L | Process started", "    printed",
		"```\nfenced\n```", "<pre>\nnot a log\n</pre>", "</details>\n</code></pre>", "labrun:out cell=99 kind=shown -->"}
	if magics == "current" {
		kinds = append(kinds, "\\#\\#\\#\\# `a heading line`", "\\#\\#\\#\\# `under a spoiler`",
			"<pre><code>one</code></pre>", "<details> <summary> output </summary> <pre><code>l1")
	} else if strings.Contains(tr, "\\#\\#\\#\\#") {
		t.Error("magics=2019 shows comment lines")
	}
	if layout == coursePre {
		kinds = append(kinds, "<pre>\nL | Process started")
	}
	for _, k := range kinds {
		if !strings.Contains(tr, k) {
			t.Errorf("the transcript does not show %q:\n%s", k, tr)
		}
	}
}

// TestDisplaysRoundTrip: a transcript of a lesson with every display
// kind, under both magics versions and in every layout, strips back to
// the lesson byte for byte, and check passes it and would rewrite
// nothing.
func TestDisplaysRoundTrip(t *testing.T) {
	eachDisplayLayout(t, func(t *testing.T, dir, magics, layout string) {
		src := displayLesson(magics, "")
		tr := transcriptOf(t, dir, src)
		l := writeLesson(t, dir, src, tr, layout)
		rec, _ := os.ReadFile(l.Path)
		mustShow(t, string(rec), magics, layout)
		if got := transcript.StripAny(rec); string(got) != src {
			t.Fatalf("strip does not give the lesson back:\n%s", firstLineDiff(string(got), src))
		}
		rep, err := Run(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p, f, _ := rep.Counts(); f != 0 || p != len(rep.Cells) {
			t.Errorf("%d passed, %d failed of %d cells:\n%s", p, f, len(rep.Cells), failures(rep))
		}
		if _, changed := rep.Updated(); changed {
			t.Error("--update would rewrite a transcript that passes")
		}
	})
}

var digits = regexp.MustCompile(`[0-9]+`)

// TestUpdateThrice: three --update passes over a transcript whose every
// cell prints something new each run each rewrite every cell, keep the
// transcript's size, and strip still gives the lesson back.
func TestUpdateThrice(t *testing.T) {
	eachDisplayLayout(t, func(t *testing.T, dir, magics, layout string) {
		src := displayLesson(magics, filepath.Join(dir, "count"))
		l := writeLesson(t, dir, src, transcriptOf(t, dir, src), layout)
		size := 0
		for pass := range 3 {
			rep, err := Run(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, f, _ := rep.Counts(); f < len(rep.Cells)-1 { // all but the set-up cell
				t.Errorf("pass %d: %d cells failed of %d:\n%s", pass+1, f, len(rep.Cells), failures(rep))
			}
			text, changed := rep.Updated()
			if !changed {
				t.Fatalf("pass %d: nothing to update", pass+1)
			}
			if got := transcript.StripAny(text); string(got) != src {
				t.Fatalf("pass %d: strip does not give the lesson back:\n%s", pass+1, firstLineDiff(string(got), src))
			}
			// the same size but for numbers (pids, the count)
			if n := len(digits.ReplaceAll(text, []byte("N"))); size != 0 && n != size {
				t.Errorf("pass %d: the transcript went from %d to %d bytes:\n%s", pass+1, size, n, text)
			} else {
				size = n
			}
			os.WriteFile(l.Path, text, 0o644)
		}
		text, _ := os.ReadFile(l.Path)
		if layout == coursePre {
			layout = courseLayout // a rewritten log is in render's fence
		}
		mustShow(t, string(text), magics, layout)
	})
}

// TestUpdateTwice: after an --update mends a transcript, a second one
// over the same fresh outputs changes no byte, and the first rewrote
// only the cell that differed.
func TestUpdateTwice(t *testing.T) {
	eachDisplayLayout(t, func(t *testing.T, dir, magics, layout string) {
		src := displayLesson(magics, "")
		tr := transcriptOf(t, dir, src)
		stale := strings.Replace(tr, "    printed\n", "    stale\n", 1)
		l := writeLesson(t, dir, src, stale, layout)
		rep, err := Run(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, f, _ := rep.Counts(); f != 1 {
			t.Fatalf("%d cells failed, want 1:\n%s", f, failures(rep))
		}
		text, changed := rep.Updated()
		rec, _ := os.ReadFile(l.Path)
		if want := strings.Replace(string(rec), "    stale\n", "    printed\n", 1); !changed || string(text) != want {
			t.Fatalf("the update is not the one line:\n%s", firstLineDiff(string(text), want))
		}
		os.WriteFile(l.Path, text, 0o644)
		rep, err = Run(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		again, changed := rep.Updated()
		if _, f, _ := rep.Counts(); f != 0 || changed || string(again) != string(text) {
			t.Errorf("after an update: %d cells fail, a second update changes it: %v", f, changed)
		}
	})
}

// TestUpdateEmptied: a course cell that printed and now prints nothing
// loses its outputs and nothing else: the blank lines between it and the
// prose or the cell after it stay.
func TestUpdateEmptied(t *testing.T) {
	skel := "# E\n\n\n```python\npass\n```\n\nProse.\n\n\n```python\npass\n```\n\n\n```python\nprint('kept')\n```\n\nEnd.\n"
	for name, rec := range map[string]string{
		"nbconvert": "\n# E\n\n\n```python\npass\n```\n\n    old\n\n\nProse.\n\n\n```python\npass\n```\n\n    old\n\n\n\n```python\nprint('kept')\n```\n\n    kept\n\n\nEnd.\n",
		"tight":     "\n# E\n\n\n```python\npass\n```\n    old\n\nProse.\n\n\n```python\npass\n```\n    old\n\n\n```python\nprint('kept')\n```\n\n    kept\n\n\nEnd.\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, CourseSkeleton), []byte(skel), 0o644)
			os.WriteFile(filepath.Join(dir, CourseTranscript), []byte(rec), 0o644)
			l := Lesson{Path: filepath.Join(dir, CourseTranscript), Skeleton: filepath.Join(dir, CourseSkeleton)}
			rep, err := Run(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			text, _ := rep.Updated()
			want := "\n" + strings.Replace(skel, "```\n\nEnd.", "```\n\n    kept\n\n\nEnd.", 1)
			if string(text) != want {
				t.Errorf("emptied:\n%s", firstLineDiff(string(text), want))
			}
			if got := transcript.StripAny(text); string(got) != skel {
				t.Errorf("strip:\n%s", firstLineDiff(string(got), skel))
			}
		})
	}
}

// failures lists a report's failing cells with their diffs.
func failures(rep *Report) string {
	var b strings.Builder
	for _, c := range rep.Cells {
		if c.Verdict == Fail {
			fmt.Fprintf(&b, "cell %d (line %d): %v %s\n%s\n", c.Number, c.Line, c.Reason.Kind, c.Reason.Detail, c.Diff)
		}
	}
	return b.String()
}

// firstLineDiff shows the first line where got and want differ.
func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			lo := max(i-3, 0)
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, g[lo:min(i+4, len(g))], w[lo:min(i+4, len(w))])
		}
	}
	return "(equal)"
}
