package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/runner"
)

// lessonFixture is a lesson with a passing cell, a cell whose recorded
// output is changed below, a skipped cell (ignore-output) and a cell
// expected to exit 3.
const lessonFixture = "# L\n\n```python\nprint('same')\n```\n\n```bash\n%%bash\necho fresh\n```\n\n" +
	"<!-- labrun: ignore-output -->\n```bash\n%%bash\ndate +%N\n```\n\n<!-- labrun: expect exit=3 -->\n```python\n!echo bye; exit 3\n```\n"

// checked makes a transcript of lessonFixture, changes the output of its
// cell 2 and checks it.
func checked(t *testing.T) (check.Lesson, *check.Report) {
	t.Helper()
	return checkedText(t, "fixture", lessonFixture, "    fresh\n", "    stale\n")
}

// TestJUnitReport checks the report's counts and that merging a report
// split in two gives it back; TestJUnitXSD validates it against the
// JUnit schema.
func TestJUnitReport(t *testing.T) {
	l, rep := checked(t)
	doc := JUnit([]check.Lesson{l, {Path: "broken.md"}}, []*check.Report{rep, nil}, []error{nil, errors.New("broken.md:3: bad")}).Marshal()
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
	one := JUnit([]check.Lesson{l}, []*check.Report{rep}, nil).Marshal()
	two := JUnit([]check.Lesson{{Path: "broken.md"}}, []*check.Report{nil}, []error{errors.New("broken.md:3: bad")}).Marshal()
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
	w := NewEvents(&b)
	w.Handle(check.LessonStarted{Lesson: l})
	for _, c := range rep.Cells {
		w.Handle(check.CellChecked{Lesson: l, Cell: c})
	}
	w.Handle(check.LessonEnded{Lesson: l, Report: rep})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2+len(rep.Cells) {
		t.Fatalf("%d events, want %d", len(lines), 2+len(rep.Cells))
	}
	allowed := map[string][]string{
		EventLessonStart: {"event", "lesson", "skeleton"},
		EventCell:        {"event", "lesson", "cell", "line", "verdict", "reason", "how", "diff", "time"},
		EventLessonEnd:   {"event", "lesson", "passed", "failed", "skipped", "interrupted", "time", "error"},
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

// checkedText checks a transcript of src whose output line from is
// replaced by to.
func checkedText(t *testing.T, name, src, from, to string) (check.Lesson, *check.Report) {
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
	l := check.Lesson{Path: path}
	rep, err := check.Run(context.Background(), l, check.Options{})
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
