package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// devNotebookLesson is a dev corpus lesson whose file cells carry %# lines
// (seven), beside the notebook its skeleton was exported from, whose
// first cell is the course's 2019 set-up cell (a save_file without
// comment_prefix: a %# line shows nothing, as its recording shows).
const devNotebookLesson = "../../../shared/corpus/caos/caos_2019-2020/sem22-dynamic-lib"

// headingLine is a file cell's comment line shown as the current magics
// show it (display(Markdown("\#\#\#\# `TEXT`"))).
var headingLine = regexp.MustCompile("(?m)^\\\\#\\\\#\\\\#\\\\# `")

// TestDevLessonFollowsItsNotebook: a copy of a dev lesson, run under a
// course whose labrun.toml says magics = "current", follows the set-up
// cell of its own notebook (runner.SettingsOf: the notebook's before
// labrun.toml), the 2019 one: no %# line shows as a heading. Without the
// notebook, the course's current magics show each of the seven.
func TestDevLessonFollowsItsNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs a dev lesson twice")
	}
	if _, err := os.Stat(devNotebookLesson); err != nil {
		t.Skipf("no dev corpus at %s: %v", devNotebookLesson, err)
	}
	bin := labrunBinary(t)
	for _, tc := range []struct {
		name     string
		notebook bool
		headings int
	}{
		{"with its notebook", true, 0},
		{"without its notebook", false, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			course := t.TempDir()
			if err := os.WriteFile(filepath.Join(course, "labrun.toml"), []byte("magics = \"current\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			work := filepath.Join(course, "sem22-dynamic-lib")
			if err := os.CopyFS(work, os.DirFS(devNotebookLesson)); err != nil {
				t.Fatal(err)
			}
			remove := []string{"README.md"} // the recording: run the skeleton alone
			if !tc.notebook {
				remove = append(remove, "dynamic_lib.ipynb")
			}
			for _, f := range remove {
				if err := os.Remove(filepath.Join(work, f)); err != nil {
					t.Fatal(err)
				}
			}
			var stderr bytes.Buffer
			cmd := exec.Command(bin, "run", "README_no_output.md", "-o", "fresh.md")
			cmd.Dir, cmd.Stderr = work, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("labrun run: %v\n%s", err, stderr.Bytes())
			}
			if bytes.Contains(stderr.Bytes(), []byte("own notebook")) {
				t.Errorf("stderr has a note on the lesson's own notebook:\n%s", stderr.Bytes())
			}
			fresh, err := os.ReadFile(filepath.Join(work, "fresh.md"))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(headingLine.FindAll(fresh, -1)); got != tc.headings {
				t.Errorf("%d comment lines shown as headings, want %d:\n%s", got, tc.headings, fresh)
			}
		})
	}
}
