package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestUpdateInserts: a course cell that recorded no output but prints
// now fails, and Updated inserts its output after its fence, changing
// nothing else; the updated transcript then passes.
func TestUpdateInserts(t *testing.T) {
	dir := t.TempDir()
	skel := "# U\n\n\n```python\nprint('new')\n```\n\n\n```python\nprint('old')\n```\n\nEnd.\n"
	rec := "\n# U\n\n\n```python\nprint('new')\n```\n\n\n```python\nprint('old')\n```\n\n    old\n\n\nEnd.\n"
	want := "\n# U\n\n\n```python\nprint('new')\n```\n\n    new\n\n\n```python\nprint('old')\n```\n\n    old\n\n\nEnd.\n"
	os.WriteFile(filepath.Join(dir, CourseSkeleton), []byte(skel), 0o644)
	os.WriteFile(filepath.Join(dir, CourseTranscript), []byte(rec), 0o644)
	l := Lesson{Path: filepath.Join(dir, CourseTranscript), Skeleton: filepath.Join(dir, CourseSkeleton)}
	rep, err := Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, f, _ := rep.Counts(); p != 1 || f != 1 || rep.Cells[0].Verdict != Fail {
		t.Fatalf("%d passed, %d failed; cell 1 %v", p, f, rep.Cells[0].Verdict)
	}
	got, changed := rep.Updated()
	if !changed || string(got) != want {
		t.Fatalf("Updated:\n%q\nwant:\n%q", got, want)
	}
	os.WriteFile(l.Path, got, 0o644)
	rep, err = Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, f, _ := rep.Counts(); f != 0 {
		t.Errorf("%d cells still fail after the update", f)
	}
	if _, changed := rep.Updated(); changed {
		t.Error("a passing transcript would change")
	}
}
