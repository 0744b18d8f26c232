package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/render/tangle"
)

// replayLesson writes files in every way a lesson can: a file= fence, a
// %%writefile cell, the same file written twice (its second name spelt
// ./a.txt), a step that reads and changes a file between its versions, a
// step that writes a file before the cell that writes it, a ```sh run
// file= fence (written, then its body run), and a console block.
const replayLesson = "<!-- labrun: dialect=native -->\n\n# Replay\n\n" +
	"```text file=a.txt\none\n```\n\n" +
	"```sh run\ncat a.txt > first.txt; echo more >> a.txt\n```\n\n" +
	"```python\n%%writefile ./a.txt\ntwo\n```\n\n" +
	"```sh run\ncp a.txt second.txt; mkdir -p d; printf 'no newline' > d/y\n```\n\n" +
	"```sh run\necho early > late.txt\n```\n\n" +
	"```text file=late.txt\nlate\n```\n\n" +
	"```sh run file=gen/gen.sh\necho generated > from-gen.txt; cat gen/gen.sh > gen-copy.txt\n```\n\n" +
	"```console run\n$ cat late.txt a.txt > console.txt\n```\n"

// TestTangleReplay runs a lesson with labrun (in place, so that its
// files stay) and, tangled, with sh run.sh, and compares the files both
// leave, byte for byte: the replay is the lesson's.
func TestTangleReplay(t *testing.T) {
	bin := labrunBinary(t)
	ran, tangled := t.TempDir(), t.TempDir()
	lesson := filepath.Join(ran, "lesson.md")
	if err := os.WriteFile(lesson, []byte(replayLesson), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	transcript := filepath.Join(t.TempDir(), "t.md")
	if out, err := exec.CommandContext(ctx, bin, "run", lesson, "--in-place", "-o", transcript).CombinedOutput(); err != nil {
		t.Fatalf("labrun run: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "tangle", lesson, "-d", tangled).CombinedOutput()
	if err != nil {
		t.Fatalf("labrun tangle: %v\n%s", err, out)
	}
	if want := "4 files written to " + tangled + ", and 4 versions in " + filepath.Join(tangled, ".tangle") + " that run.sh copies into place"; !strings.Contains(string(out), want) {
		t.Errorf("tangle says %q, want %q", out, want)
	}
	sh := exec.CommandContext(ctx, "sh", tangle.Script)
	sh.Dir = tangled
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("sh run.sh: %v\n%s", err, out)
	}
	byLabrun := filesIn(t, ran, "lesson.md")
	byScript := filesIn(t, tangled, tangle.Script, tangle.VersionsDir)
	if len(byLabrun) != 9 {
		t.Fatalf("labrun left %d files, want 9: %v", len(byLabrun), byLabrun)
	}
	for name, want := range byLabrun {
		got, ok := byScript[name]
		switch {
		case !ok:
			t.Errorf("run.sh did not leave %s", name)
		case !bytes.Equal(got, want):
			t.Errorf("%s: run.sh left %q, labrun %q", name, got, want)
		}
	}
	for name := range byScript {
		if _, ok := byLabrun[name]; !ok {
			t.Errorf("run.sh left %s, labrun did not", name)
		}
	}
}

// filesIn returns every regular file under dir by its slash path, but
// the names (files or folders) of skip.
func filesIn(t *testing.T, dir string, skip ...string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if slices.Contains(skip, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			files[rel] = data
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
