package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
)

// checkedText checks a transcript of src whose output line from is
// replaced by to.
func checkedText(t *testing.T, name, src, from, to string) (Lesson, *Report) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tr := transcriptOf(t, dir, src)
	if from != "" {
		if !strings.Contains(tr, from) {
			t.Fatalf("%q not in the transcript:\n%s", from, tr)
		}
		tr = strings.Replace(tr, from, to, 1)
	}
	path := filepath.Join(dir, "t.md")
	os.WriteFile(path, []byte(tr), 0o644)
	l := Lesson{Path: path}
	rep, err := Run(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l, rep
}

// transcriptOf runs the lesson src in dir and returns its transcript.
func transcriptOf(t *testing.T, dir, src string) string {
	t.Helper()
	les, err := lessons.Parse(filepath.Join(dir, "l.md"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), les, dir, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return string(render.Transcript(res))
}
