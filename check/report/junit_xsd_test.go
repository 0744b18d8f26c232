package report

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/xmllint"
)

// junitXSD is the JUnit XML schema the reports are validated against
// (Jenkins' junit-10.xsd; its header says where it comes from).
var junitXSD = filepath.Join("..", "testdata", "junit-10.xsd")

// validJUnit validates doc against junitXSD with xmllint; it returns
// xmllint's verdict (nil: valid).
func validJUnit(t *testing.T, lint string, doc []byte) error {
	t.Helper()
	f := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return xmllint.Validate(lint, junitXSD, f)
}

// TestJUnitXSD validates the JUnit report against the JUnit XML schema
// with xmllint: a failing lesson (with passing, skipped and expected-exit
// cells), a passing one, one whose names and diff hold XML's special
// characters and control bytes, one that could not be checked, all of
// them in one report, and shards' reports merged. Broken copies of a
// valid report must not validate, so the validation can fail.
func TestJUnitXSD(t *testing.T) {
	lint := xmllint.Require(t)
	failing, failRep := checked(t)
	passing, passRep := checkedText(t, "pass", "# P\n\n```python\nprint('fine')\n```\n", "", "")
	odd, oddRep := checkedText(t, `odd <&> "names"`,
		"# O\n\n```python\nprint('<b>&amp; \"q\" ]]> \\x07 \\x1b[31mred\\x1b[0m')\n```\n", "    <b>", "    <i>")
	if _, f, _ := oddRep.Counts(); f != 1 {
		t.Fatalf("the odd lesson: %d failed, want 1", f)
	}
	broken := check.Lesson{Path: "broken.md"}
	brokenErr := errors.New("broken.md:3: bad \x01 <input>")

	all := []check.Lesson{failing, passing, odd, broken}
	reps := []*check.Report{failRep, passRep, oddRep, nil}
	errs := []error{nil, nil, nil, brokenErr}
	docs := map[string][]byte{
		"failing":  JUnit(all[:1], reps[:1], errs[:1]).Marshal(),
		"passing":  JUnit(all[1:2], reps[1:2], errs[1:2]).Marshal(),
		"odd":      JUnit(all[2:3], reps[2:3], errs[2:3]).Marshal(),
		"error":    JUnit(all[3:], reps[3:], errs[3:]).Marshal(),
		"all":      JUnit(all, reps, errs).Marshal(),
		"none ran": JUnit(all[:2], []*check.Report{nil, nil}, nil).Marshal(),
		"updated":  junitOf(XUnit2, all[:1], reps[:1], errs[:1], []check.UpdateResult{{Kind: check.UpdateWritten, Mended: 1}}).Marshal(),
	}
	if !strings.Contains(string(docs["updated"]), "<system-out>updated by --update: ") {
		t.Errorf("the report of a lesson --update mended says nothing of it:\n%s", docs["updated"])
	}
	// shards as "labrun report merge" joins them
	dir := t.TempDir()
	var shards []string
	for i, part := range [][]int{{0, 3}, {1}, {2}} {
		var ls []check.Lesson
		var rs []*check.Report
		var es []error
		for _, k := range part {
			ls, rs, es = append(ls, all[k]), append(rs, reps[k]), append(es, errs[k])
		}
		f := filepath.Join(dir, "shard"+string(rune('1'+i))+".xml")
		os.WriteFile(f, JUnit(ls, rs, es).Marshal(), 0o644)
		shards = append(shards, f)
	}
	merged, err := MergeJUnit(shards)
	if err != nil {
		t.Fatal(err)
	}
	docs["merged"] = merged.Marshal()

	for name, doc := range docs {
		if err := validJUnit(t, lint, doc); err != nil {
			t.Errorf("%s report: %v\n%s", name, err, doc)
		}
		checkJUnitCounts(t, doc)
	}

	// Broken copies of the whole report: each must fail validation.
	valid := string(docs["all"])
	for _, b := range []struct{ what, re, to string }{
		{"a testcase without its name", `<testcase name="cell 1 \(line 3\)"`, `<testcase`},
		{"a suite without its test count", `(<testsuite name="[^"]*") tests="\d+"`, `$1`},
		{"an element the schema lacks", `(?s)<failure (.*?)</failure>`, `<failed $1</failed>`},
		{"a time that is no number", `(<testsuites [^>]*)time="[0-9.]+"`, `${1}time="soon"`},
		{"an attribute the schema lacks", `classname=`, `line="3" classname=`},
	} {
		re := regexp.MustCompile(b.re)
		loc := re.FindStringIndex(valid)
		if loc == nil {
			t.Fatalf("%s: /%s/ not in the report:\n%s", b.what, b.re, valid)
		}
		bad := valid[:loc[0]] + re.ReplaceAllString(valid[loc[0]:loc[1]], b.to) + valid[loc[1]:]
		err := validJUnit(t, lint, []byte(bad))
		if !xmllint.IsInvalid(err) {
			t.Errorf("%s: want the report invalid, xmllint says: %v", b.what, err)
		}
	}
	// not well-formed: not valid either (xmllint's parse error)
	if err := validJUnit(t, lint, []byte(valid[:len(valid)/2])); err == nil {
		t.Errorf("half a report validates")
	}
}
