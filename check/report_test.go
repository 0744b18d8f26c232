package check

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
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
		got = append(got, c.Verdict.String()+":"+c.Reason)
	}
	want := "pass: fail:output differs skip:ignore-output pass:"
	if strings.Join(got, " ") != want {
		t.Errorf("verdicts %q, want %q", strings.Join(got, " "), want)
	}
	if c := rep.Cells[1]; c.Line != 12 || !strings.Contains(c.Diff, "-stale\n+fresh\n") {
		t.Errorf("cell 2: line %d, diff:\n%s", c.Line, c.Diff)
	}
}

// TestJUnitReport checks the report's counts and that merging a report
// split in two gives it back; TestJUnitXSD validates it against the
// JUnit schema.
func TestJUnitReport(t *testing.T) {
	l, rep := checked(t)
	doc := JUnit([]Lesson{l, {Path: "broken.md"}}, []*Report{rep, nil}, []error{nil, errors.New("broken.md:3: bad")}).Marshal()
	checkJUnitCounts(t, doc)
	var d JUnitSuites
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	var skipped int
	for _, s := range d.Suites {
		skipped += s.Skipped
	}
	if d.Tests != 5 || d.Failures != 1 || skipped != 1 || d.Errors != 1 || len(d.Suites) != 2 {
		t.Errorf("counts: %+v", d)
	}
	// merging the report with itself split in two gives it back
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.xml")
	one := JUnit([]Lesson{l}, []*Report{rep}, nil).Marshal()
	two := JUnit([]Lesson{{Path: "broken.md"}}, []*Report{nil}, []error{errors.New("broken.md:3: bad")}).Marshal()
	os.WriteFile(a, two, 0o644)
	os.WriteFile(b, one, 0o644)
	m, err := MergeJUnit([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Marshal(); !bytes.Equal(got, doc) {
		t.Errorf("merged:\n%s\nwant:\n%s", got, doc)
	}
}

// checkJUnitCounts checks what the schema cannot: every count is the
// number of its elements, and a testcase holds at most one of failure,
// error and skipped.
func checkJUnitCounts(t *testing.T, doc []byte) {
	t.Helper()
	var d JUnitSuites
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	var tests, failures, errs int
	for _, s := range d.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			n := 0
			if c.Failure != nil {
				f, n = f+1, n+1
			}
			if c.Error != nil {
				e, n = e+1, n+1
			}
			if c.Skipped != nil {
				sk, n = sk+1, n+1
			}
			if n > 1 {
				t.Errorf("%s: %s: more than one of failure, error, skipped", s.Name, c.Name)
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s: counts %d/%d/%d/%d, cases say %d/%d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errs = tests+s.Tests, failures+s.Failures, errs+s.Errors
	}
	if d.Tests != tests || d.Failures != failures || d.Errors != errs {
		t.Errorf("testsuites: counts %d/%d/%d, suites say %d/%d/%d", d.Tests, d.Failures, d.Errors, tests, failures, errs)
	}
}

// TestEvents checks the JSON events follow the documented schema.
func TestEvents(t *testing.T) {
	l, rep := checked(t)
	var b bytes.Buffer
	w := NewEventWriter(&b)
	w.LessonStart(l)
	w.Cells(rep)
	w.LessonEnd(l, rep, nil)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2+len(rep.Cells) {
		t.Fatalf("%d events, want %d", len(lines), 2+len(rep.Cells))
	}
	allowed := map[string][]string{
		EventLessonStart: {"event", "lesson", "skeleton"},
		EventCell:        {"event", "lesson", "cell", "line", "verdict", "reason", "how", "diff", "time"},
		EventLessonEnd:   {"event", "lesson", "passed", "failed", "skipped", "time", "error"},
	}
	requiredKeys := map[string][]string{
		EventLessonStart: {"event", "lesson"},
		EventCell:        {"event", "lesson", "cell", "line", "verdict", "time"},
		EventLessonEnd:   {"event", "lesson", "passed", "failed", "skipped", "time"},
	}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, line)
		}
		ev, _ := m["event"].(string)
		want := EventCell
		switch i {
		case 0:
			want = EventLessonStart
		case len(lines) - 1:
			want = EventLessonEnd
		}
		if ev != want {
			t.Errorf("event %d is %q, want %q", i, ev, want)
		}
		for k := range m {
			if !strings.Contains(" "+strings.Join(allowed[ev], " ")+" ", " "+k+" ") {
				t.Errorf("event %d: key %q not in the schema", i, k)
			}
		}
		for _, k := range requiredKeys[ev] {
			if _, ok := m[k]; !ok {
				t.Errorf("event %d (%s): no %q", i, ev, k)
			}
		}
		if ev == EventCell {
			if v := m["verdict"]; v != "pass" && v != "fail" && v != "skip" {
				t.Errorf("event %d: verdict %v", i, v)
			}
		}
	}
	if !strings.Contains(lines[len(lines)-1], `"passed":2,"failed":1,"skipped":1`) {
		t.Errorf("lesson-end: %s", lines[len(lines)-1])
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
	if c.Verdict != Fail || c.Reason != "ended otherwise than recorded: recorded status=ok exit=0, now status=ok exit=2" {
		t.Fatalf("cell 1: %v %q", c.Verdict, c.Reason)
	}
	text, changed := rep.Updated()
	if !changed || !strings.Contains(string(text), "exit=2") {
		t.Fatalf("updated:\n%s", text)
	}
}
