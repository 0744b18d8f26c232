package tangle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
)

// TestTangleRefusesClashes: a lesson file named as tangle's script, one
// in (or named as) its versions folder, and a file inside another one's
// name are refused, each with its cell and line; nothing is tangled.
func TestTangleRefusesClashes(t *testing.T) {
	const src = "<!-- labrun: dialect=native -->\n\n" +
		"```sh file=run.sh\necho mine\n```\n\n" + // line 3
		"```text file=a.txt\none\n```\n\n" + // line 7
		"```python\n%%writefile .tangle/cell2/a.txt\nforged\n```\n\n" + // line 11, name on 12
		"```text file=./.tangle\nx\n```\n\n" + // line 16
		"```text file=a.txt/b\ninside\n```\n" // line 20
	files, err := Tangle(parse(t, src))
	var errs lessons.ErrorList
	if !errors.As(err, &errs) {
		t.Fatalf("Tangle = %d files, %v; want a lessons.ErrorList", len(files), err)
	}
	want := []string{
		"lesson.md:3: cell 1 writes run.sh, the name of the replay script tangle writes; rename the lesson's file to tangle it",
		"lesson.md:12: cell 3 writes .tangle/cell2/a.txt, in .tangle/, where tangle keeps the versions run.sh copies into place; rename the lesson's file to tangle it",
		"lesson.md:16: cell 4 writes .tangle, in .tangle/, where tangle keeps the versions run.sh copies into place; rename the lesson's file to tangle it",
		"lesson.md:20: cell 5 writes a.txt/b inside a.txt, which cell 2 writes as a file",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestTangleVersions: a file written twice (under two spellings of its
// name) is one file of the folder, its last version, with each version
// saved for run.sh; every name is unique, so the count is the truth.
func TestTangleVersions(t *testing.T) {
	const src = "<!-- labrun: dialect=native -->\n\n" +
		"```text file=a.txt\none\n```\n\n" +
		"```sh run\ncat a.txt > copy.txt\n```\n\n" +
		"```text file=./a.txt\ntwo\n```\n"
	files := mustTangle(t, parse(t, src))
	seen := map[string]bool{}
	var names []string
	for _, f := range files {
		if seen[f.Name] {
			t.Errorf("%s given twice", f.Name)
		}
		seen[f.Name] = true
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, " "), ".tangle/cell1/a.txt a.txt .tangle/cell3/a.txt run.sh"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	if got := string(byName(files)["a.txt"].Data); got != "two\n" {
		t.Errorf("a.txt = %q, want the last version", got)
	}
}

// TestWriteNeverClobbers: the temporary name of a file never replaces a
// file already in the folder, whatever its name (the lesson may write
// one called as tangle's old fixed temporary name), and Write says how
// many files it wrote.
func TestWriteNeverClobbers(t *testing.T) {
	dir := t.TempDir()
	files := []File{
		{Name: ".a.txt.tangle-tmp", Data: []byte("the lesson's\n"), Mode: 0o644},
		{Name: "a.txt", Data: []byte("a\n"), Mode: 0o644},
		{Name: "sub/x", Data: []byte("x\n"), Mode: 0o755},
	}
	n, err := Write(dir, files)
	if err != nil || n != 3 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil || string(got) != string(f.Data) {
			t.Errorf("%s = %q, %v; want %q", f.Name, got, err, f.Data)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		t.Errorf("%d entries in the folder, want 3 (a temporary file left?)", len(ents))
	}
}
