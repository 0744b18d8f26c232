package transcript_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// TestParseLineMap: for every golden transcript and corpus README.md,
// each line of the skeleton Parse returns is, at the transcript line Line
// maps it to, the same text, and back (a blank line a course skeleton
// puts between cells maps to a blank line of the outputs, not back); each cell's recorded outputs follow its
// closing fence; and a labrun transcript's endings read (the goldens
// write every time as "T").
func TestParseLineMap(t *testing.T) {
	srcs := map[string][]byte{}
	files, _ := globAll("../testdata/golden/*.txtar")
	for _, f := range files {
		if want, ok := readTxtar(t, f)["want.md"]; ok {
			srcs[f] = want
		}
	}
	dirs, _ := filepath.Glob("../../shared/corpus/caos/*/*/README_no_output.md")
	for _, d := range dirs {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(d), "README.md")); err == nil {
			srcs[d] = b
		}
	}
	if len(srcs) == 0 {
		t.Skip("no transcripts")
	}
	for name, src := range srcs {
		tr, err := transcript.Parse(name, src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		lines := strings.SplitAfter(string(src), "\n")
		for i, l := range strings.SplitAfter(string(tr.Lesson.Source), "\n") {
			if l == "" {
				continue
			}
			at := tr.Line(i + 1)
			if got := strings.TrimRight(lines[at-1], "\r\n"); got != strings.TrimRight(l, "\r\n") {
				t.Errorf("%s: skeleton line %d %q at transcript line %d, which is %q", name, i+1, l, at, got)
				break
			}
			if back, ok := tr.SkeletonLine(at); (!ok || back != i+1) && strings.TrimSpace(l) != "" {
				t.Errorf("%s: transcript line %d maps back to %d, %v; want %d", name, at, back, ok, i+1)
				break
			}
		}
		recorded := 0
		for _, c := range tr.Lesson.Cells {
			p := tr.Recorded(c.Index)
			if p == nil {
				continue
			}
			recorded++
			if p.End != c.EndLine {
				t.Errorf("%s: cell %d ends on line %d, its outputs follow line %d", name, c.Index, c.EndLine, p.End)
			}
			if !tr.Course && (p.Annotation == nil || p.AnnotationErr != nil && !strings.Contains(p.Marker, " time=T") || p.Annotation.Cell != c.Index || p.Annotation.Kind != c.Kind) {
				t.Errorf("%s: cell %d: ending %+v (%v) from %q", name, c.Index, p.Annotation, p.AnnotationErr, p.Marker)
			}
		}
		if recorded == 0 && len(tr.Lesson.Cells) > 0 && tr.HasOutputs() {
			t.Errorf("%s: outputs, but none is a cell's", name)
		}
	}
}

// FuzzParse: Parse never panics; the line map sends each line of the
// skeleton that is not blank to a transcript line of the same text, and
// back; a recorded outputs block follows its cell's closing fence.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"# T\n\n```python\nprint(1)\n```\n<!-- labrun:out cell=0 kind=python status=ok time=0.01s -->\n\n    1\n\n<!-- labrun:end -->\nafter\n",
		"\n# T\n\n```python\n!echo hi\n```\n\n    hi\n\n\n\ntext\n```python\nx\n```\n    out\n```python\ny\n```\n",
		"```python\nx\n```\n<!-- labrun:out cell=0 -->\n<!-- labrun:end -->",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tr, err := transcript.Parse("in.md", []byte(in))
		if err != nil {
			return
		}
		lines := strings.SplitAfter(in, "\n")
		for i, l := range strings.SplitAfter(string(tr.Lesson.Source), "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			at := tr.Line(i + 1)
			if at < 1 || at > len(lines) || strings.TrimRight(lines[at-1], "\r\n") != strings.TrimRight(l, "\r\n") {
				t.Fatalf("skeleton line %d %q maps to transcript line %d", i+1, l, at)
			}
			if back, ok := tr.SkeletonLine(at); !ok || back != i+1 {
				t.Fatalf("transcript line %d maps back to %d, %v; want %d", at, back, ok, i+1)
			}
		}
		for _, c := range tr.Lesson.Cells {
			if p := tr.Recorded(c.Index); p != nil && p.End != c.EndLine {
				t.Fatalf("cell %d ends on line %d, its outputs follow line %d", c.Index, c.EndLine, p.End)
			}
		}
	})
}

// TestParseMarkersPairUp: marker lines that do not pair up, and an
// outputs block after no cell, are errors at the marker's line.
func TestParseMarkersPairUp(t *testing.T) {
	const open, end = "<!-- labrun:out cell=0 kind=script status=ok exit=0 time=0.1s -->\n", "<!-- labrun:end -->\n"
	cell := "```sh run\necho hi\n```\n"
	for src, want := range map[string]string{
		cell + open + "    hi\n\n" + cell + open + "    hi\n" + end: `t.md:4: outputs block not closed: line 10 opens the next one before a "<!-- labrun:end -->" line`,
		cell + open + "    hi\n":                                    `t.md:4: outputs block not closed: no "<!-- labrun:end -->" line before the end of the file`,
		cell + open + "    hi\n" + end + "\n" + end:                 `t.md:8: "<!-- labrun:end -->" closes no outputs block`,
		open + "    hi\n" + end:                                     `t.md:1: outputs block after no cell: its marker line must follow a cell's closing fence`,
		"# x\n\n" + open + end:                                      `t.md:3: outputs block after no cell: its marker line must follow a cell's closing fence`,
	} {
		_, err := transcript.Parse("t.md", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", src, err, want)
		}
		// labrun strip's reading refuses what does not pair up, as Parse
		// does; a block after no cell strips (its skeleton is a lesson).
		skel, err := transcript.Skeleton("t.md", []byte(src))
		if strings.Contains(want, "after no cell") {
			if err != nil || string(skel) != string(transcript.StripAny([]byte(src))) {
				t.Errorf("Skeleton(%q) = %q, %v; want StripAny's", src, skel, err)
			}
		} else if err == nil || err.Error() != want || skel != nil {
			t.Errorf("Skeleton(%q) = %q, %v; want %s", src, skel, err, want)
		}
	}
	good := cell + open + "    hi\n" + end
	if _, err := transcript.Parse("t.md", []byte(good)); err != nil {
		t.Errorf("a transcript whose markers pair up: %v", err)
	}
	if skel, err := transcript.Skeleton("t.md", []byte(good)); err != nil || string(skel) != cell {
		t.Errorf("Skeleton of a transcript whose markers pair up: %q, %v", skel, err)
	}
}
