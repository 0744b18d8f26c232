package check

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lessonFixture is a lesson with a passing cell, a cell whose recorded
// output is changed below, a skipped cell (ignore-output) and a cell
// expected to exit 3.
const lessonFixture = "# L\n\n```python\nprint('same')\n```\n\n```bash\n%%bash\necho fresh\n```\n\n" +
	"<!-- labrun: ignore-output -->\n```bash\n%%bash\ndate +%N\n```\n\n<!-- labrun: expect exit=3 -->\n```python\n!echo bye; exit 3\n```\n"

// checked makes a transcript of lessonFixture, changes the output of its
// cell 2 and checks it.
func checked(t *testing.T) (Lesson, *Report) {
	t.Helper()
	return checkedText(t, "fixture", lessonFixture, "    fresh\n", "    stale\n")
}

func TestVerdicts(t *testing.T) {
	_, rep := checked(t)
	var got []string
	for _, c := range rep.Cells {
		got = append(got, c.Verdict.String()+":"+c.Reason.String())
	}
	want := "pass: fail:output differs skip:ignore-output pass:"
	if strings.Join(got, " ") != want {
		t.Errorf("verdicts %q, want %q", strings.Join(got, " "), want)
	}
	if c := rep.Cells[1]; c.Line != 12 || !strings.Contains(c.Diff, "-stale\n+fresh\n") {
		t.Errorf("cell 2: line %d, diff:\n%s", c.Line, c.Diff)
	}
}

func TestShard(t *testing.T) {
	var all []Lesson
	for i := range 40 {
		all = append(all, Lesson{Path: "c/lesson" + strconv.Itoa(i) + "/README.md"})
	}
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		for _, l := range Shard(all, k, 3) {
			seen[l.Path]++
		}
	}
	for _, l := range all {
		if seen[l.Path] != 1 {
			t.Errorf("%s in %d shards", l.Path, seen[l.Path])
		}
	}
	// adding a lesson moves no other
	before := Shard(all, 2, 3)
	after := Shard(append(all, Lesson{Path: "c/new/README.md"}), 2, 3)
	for i, l := range before {
		if after[i] != l {
			t.Fatalf("adding a lesson moved %s", l.Path)
		}
	}
}

// TestEndedOtherwise: in a labrun transcript, a cell whose output is the
// same but whose exit differs from the recorded one fails; --update's
// text records the fresh ending, and then it passes.
func TestEndedOtherwise(t *testing.T) {
	dir := t.TempDir()
	tr := transcriptOf(t, dir, "# E\n\n```python\n!echo same; exit 2\n```\n")
	if !strings.Contains(tr, "exit=2") {
		t.Fatalf("transcript:\n%s", tr)
	}
	path := filepath.Join(dir, "t.md")
	os.WriteFile(path, []byte(strings.Replace(tr, "exit=2", "exit=0", 1)), 0o644)
	rep, err := Run(context.Background(), Lesson{Path: path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Cells[0]
	if c.Verdict != Fail || c.Reason != (Reason{Kind: EndedOtherwise, Detail: "recorded status=ok exit=0, now status=ok exit=2"}) {
		t.Fatalf("cell 1: %v %q", c.Verdict, c.Reason)
	}
	text, changed := rep.Updated()
	if !changed || !strings.Contains(string(text), "exit=2") {
		t.Fatalf("updated:\n%s", text)
	}
}
