package report

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/xmllint"
)

// junitXunit1XSD is junit10.xsd relaxed for a testcase's file and line.
var junitXunit1XSD = filepath.Join("..", "testdata", "junit-10-xunit1.xsd")

// ends keeps the ends of a suite's lessons.
type ends []check.LessonEnded

func (e *ends) Handle(ev check.Event) {
	if end, ok := ev.(check.LessonEnded); ok {
		*e = append(*e, end)
	}
}

// flakyChecked checks, with one rerun, a lesson whose cell 2 prints
// "bad" in its lesson's first run and "good" (as recorded) after: a
// counter file outside the lesson's scratch copy counts the runs.
func flakyChecked(t *testing.T) (check.Lesson, *check.Report) {
	t.Helper()
	counter := filepath.Join(t.TempDir(), "count")
	src := "# F\n\n```bash\n%%bash\necho one\n```\n\n```bash\n%%bash\n" +
		"n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter + "\n" +
		"if [ \"$n\" -ge 1 ]; then echo good; else echo bad; fi\n```\n"
	dir := filepath.Join(t.TempDir(), "flaky")
	os.MkdirAll(dir, 0o755)
	tr := strings.Replace(transcriptOf(t, dir, src), "    bad\n", "    good\n", 1)
	os.Remove(counter)
	l := check.Lesson{Path: filepath.Join(dir, "t.md")}
	os.WriteFile(l.Path, []byte(tr), 0o644)
	var got ends
	check.Suite{RerunFails: 1}.Run(context.Background(), []check.Lesson{l}, &got)
	if len(got) != 1 || got[0].Report == nil || got[0].Report.Cells[1].Verdict != check.Flaky {
		t.Fatalf("the lesson's cell 2 is not flaky: %+v", got)
	}
	return l, got[0].Report
}

// TestJUnitFlakyXSD: a flaky cell is a passing testcase holding a
// <flakyFailure> (its reason, its diff, what it printed), valid against
// Jenkins' schema; the xunit1 family adds file and line to each
// testcase, valid against the schema relaxed for exactly them and not
// against the original; another attribute is still refused.
func TestJUnitFlakyXSD(t *testing.T) {
	lint := xmllint.Require(t)
	l, rep := flakyChecked(t)
	failing, failRep := checked(t)
	ls, reps := []check.Lesson{l, failing}, []*check.Report{rep, failRep}
	xunit2 := JUnit(ls, reps, nil).Marshal()
	if err := validJUnit(t, lint, xunit2); err != nil {
		t.Errorf("xunit2 with a flaky cell: %v\n%s", err, xunit2)
	}
	checkJUnitCounts(t, xunit2)
	var d JUnitSuites
	xml.Unmarshal(xunit2, &d)
	var flaky *JUnitCase
	var suite *JUnitSuite
	for i, s := range d.Suites {
		for k, c := range s.Cases {
			if s.Name == l.Path && c.Name == "cell 2 (line 13)" {
				suite, flaky = &d.Suites[i], &d.Suites[i].Cases[k]
			}
		}
	}
	if flaky == nil || flaky.Failure != nil || len(flaky.Flaky) != 1 || suite.Failures != 0 {
		t.Fatalf("the flaky cell's testcase: %+v\n%s", flaky, xunit2)
	}
	f := flaky.Flaky[0]
	if f.Message != "run 1: output differs" || f.Type != "output" || !strings.Contains(f.StackTrace, "-good\n+bad") || strings.TrimSpace(f.SystemOut) != "bad" {
		t.Errorf("flakyFailure %+v", f)
	}

	xunit1 := JUnitOf(XUnit1, ls, reps, nil).Marshal()
	if !strings.Contains(string(xunit1), `<testcase name="cell 2 (line 13)" classname="`+l.Path+`" file="`+l.Path+`" line="13"`) {
		t.Errorf("xunit1: no file and line on the testcase:\n%s", xunit1)
	}
	doc := filepath.Join(t.TempDir(), "xunit1.xml")
	os.WriteFile(doc, xunit1, 0o644)
	if err := xmllint.Validate(lint, junitXunit1XSD, doc); err != nil {
		t.Errorf("xunit1 against %s: %v\n%s", junitXunit1XSD, err, xunit1)
	}
	if err := validJUnit(t, lint, xunit1); !xmllint.IsInvalid(err) {
		t.Errorf("xunit1 against junit-10.xsd: want invalid, xmllint says %v", err)
	}
	// merging keeps the flaky failures and the locations
	if m, err := MergeJUnit([]string{doc}); err != nil || string(m.Marshal()) != string(xunit1) {
		t.Errorf("merged xunit1 (%v):\n%s", err, m.Marshal())
	}
	bad := regexp.MustCompile(` line="13"`).ReplaceAllString(string(xunit1), ` line="13" column="1"`)
	os.WriteFile(doc, []byte(bad), 0o644)
	if err := xmllint.Validate(lint, junitXunit1XSD, doc); !xmllint.IsInvalid(err) {
		t.Errorf("xunit1 with a column attribute: want invalid, xmllint says %v", err)
	}
}
