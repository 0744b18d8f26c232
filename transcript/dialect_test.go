package transcript_test

import (
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestDialectFromLayout: what a step printed is data, so a course
// transcript whose recorded displays hold lines that read as labrun's
// markers (a %MD text, a %p value of more lines than one, a display of
// them paired up) is still read as a course transcript: strip gives its
// skeleton, Parse finds no marker and each cell keeps those lines as its
// outputs. And the converse: a labrun transcript whose outputs hold what
// looks like a course cell and its outputs stays labrun's.
func TestDialectFromLayout(t *testing.T) {
	const open, end = "<!-- labrun:out cell=0 kind=python status=ok time=0.01s -->", "<!-- labrun:end -->"
	for name, c := range map[string]struct {
		skel, rec, shown string
	}{
		"a %MD text": {
			skel:  "# M\n\n\n```cpp\n%%cpp a.c\n%MD " + open + "\nint x;\n```\n\nEnd.\n",
			rec:   "\n# M\n\n\n```cpp\n%%cpp a.c\n%MD " + open + "\nint x;\n```\n\n\n" + open + "\n\n\nEnd.\n",
			shown: open,
		},
		"a %p value": {
			skel:  "# P\n\n\n```python\n%p s\n```\n\nEnd.\n",
			rec:   "\n# P\n\n\n```python\n%p s\n```\n\n\ns = first\n" + open + "\n\n\nEnd.\n",
			shown: "s = first\n" + open,
		},
		"a pair of them": {
			skel:  "# P\n\n\n```python\n%p s\n```\n\n\n```python\nprint(2)\n```\n",
			rec:   "\n# P\n\n\n```python\n%p s\n```\n\n\ns = first\n" + open + "\n" + end + "\n\n\n\n```python\nprint(2)\n```\n\n    2\n",
			shown: "s = first\n" + open + "\n" + end,
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := string(transcript.StripAny([]byte(c.rec))); got != c.skel {
				t.Errorf("strip:\n%q\nwant:\n%q", got, c.skel)
			}
			tr, err := transcript.Parse("README.md", []byte(c.rec))
			if err != nil {
				t.Fatal(err)
			}
			if !tr.Course || tr.Lesson == nil || len(tr.Lesson.Cells) == 0 {
				t.Fatalf("read as labrun's transcript (course %v)", tr.Course)
			}
			p := tr.Recorded(tr.Lesson.Cells[0].Index)
			if p == nil {
				t.Fatal("the cell records no outputs")
			}
			outs := transcript.ParseOutputs(p.Outputs)
			if len(outs) != 1 || outs[0].Kind != transcript.Markdown || outs[0].Text != c.shown {
				t.Errorf("outputs %#v, want the display %q", outs, c.shown)
			}
		})
	}

	lesson := "# L\n\n```python\nshow()\n```\n\nEnd.\n"
	shown := "```python\nprint(1)\n```\n\n    1\n\n\n\n```python\n%p s\n```\n\n\ns = 2"
	tr := strings.Replace(lesson, "```\n\nEnd", "```\n"+open+"\n\n\n"+shown+"\n\n"+end+"\n\nEnd", 1)
	if got := string(transcript.StripAny([]byte(tr))); got != lesson {
		t.Errorf("strip of a labrun transcript showing a course one:\n%q\nwant:\n%q", got, lesson)
	}
	rec, err := transcript.Parse("t.md", []byte(tr))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Course {
		t.Fatal("a labrun transcript read as a course one")
	}
	if p := rec.Recorded(0); p == nil || len(transcript.ParseOutputs(p.Outputs)) == 0 {
		t.Errorf("cell 0's outputs: %#v", p)
	}
}

// TestParseOutputsMarkerLines: a display's or a log's line that reads as
// labrun's marker, written with a space before it, comes back as it was
// shown, without that space.
func TestParseOutputsMarkerLines(t *testing.T) {
	block := "\n\nshown\n <!-- labrun:out cell=0 -->\n\n\n\n```\nO | a\n <!-- labrun:end -->\n\n```\n\n"
	want := []transcript.Output{
		{Kind: transcript.Markdown, Text: "shown\n<!-- labrun:out cell=0 -->"},
		{Kind: transcript.Log, Text: "O | a\n<!-- labrun:end -->"},
	}
	got := transcript.ParseOutputs(block)
	if len(got) != len(want) {
		t.Fatalf("ParseOutputs = %#v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Text != want[i].Text {
			t.Errorf("output %d: %#v, want %#v", i, got[i], want[i])
		}
	}
}

// TestParseOutputsLogEntities: a log comes back as it was printed, in
// either layout: a fence holds it as it is ("&amp;" printed is
// "&amp;"), a <pre> block as HTML, its entities unescaped once (a
// course's export escapes "&", "<" and ">": "&amp;amp;" is "&amp;"
// printed).
func TestParseOutputsLogEntities(t *testing.T) {
	printed := "L | Process started. PID = 1234\nO | &amp; &lt;b&gt; &#38; <i> & x\nL | Process finished. Exit code 0"
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(printed)
	for _, block := range []string{
		"\n\n\n```\n" + printed + "\n\n```\n\n",
		"\n\n<pre>\n" + escaped + "\n</pre>\n\n",
	} {
		got := transcript.ParseOutputs(block)
		if len(got) != 1 || got[0].Kind != transcript.Log || got[0].Text != printed {
			t.Errorf("ParseOutputs(%q) = %#v, want the log %q", block, got, printed)
		}
	}
}
