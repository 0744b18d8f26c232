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
// maps it to, the same text (a blank line a course skeleton puts between
// cells maps to a blank line); each cell's recorded outputs follow its
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
			if back, ok := tr.SkeletonLine(at); !ok || back != i+1 {
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
