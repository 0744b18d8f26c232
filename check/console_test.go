package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleCoursePair: in a course pair, the recorded README.md's
// console block may record other output than the skeleton's (the
// skeleton holds the commands; its output lines are not the record): a
// changed line fails at its command's line, and Updated rewrites that
// command's lines only.
func TestConsoleCoursePair(t *testing.T) {
	dir := t.TempDir()
	skel := "# C\n\n```console run\n$ echo one\n$ echo two; echo three\n```\n\nEnd.\n"
	rec := "# C\n\n```console run\n$ echo one\none\n$ echo two; echo three\ntwo\nTHREE\n```\n\nEnd.\n"
	want := strings.Replace(rec, "THREE", "three", 1)
	os.WriteFile(filepath.Join(dir, CourseSkeleton), []byte(skel), 0o644)
	os.WriteFile(filepath.Join(dir, CourseTranscript), []byte(rec), 0o644)
	l := Lesson{Path: filepath.Join(dir, CourseTranscript), Skeleton: filepath.Join(dir, CourseSkeleton)}
	rep, err := Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cells) != 1 || rep.Cells[0].Verdict != Fail || rep.Cells[0].Line != 6 {
		c := rep.Cells[0]
		t.Fatalf("cell: line %d %s diff %q cmds %d", c.Line, c.Reason, c.Diff, len(c.Commands))
	}
	if cmds := rep.Cells[0].FailingCommands(); len(cmds) != 1 || cmds[0].Line != 6 || !strings.Contains(cmds[0].Diff, "-THREE\n+three\n") {
		t.Fatalf("failing commands: %+v", cmds)
	}
	got, changed := rep.Updated()
	if !changed || string(got) != want {
		t.Fatalf("Updated:\n%q\nwant:\n%q", got, want)
	}
}
