package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/internal/xmllint"
)

// junitCourse is a course of four lessons (course pairs): one passes,
// one fails, one has a skipped cell, one is not its transcript's
// skeleton (could not be checked).
var junitCourse = map[string]string{
	"pass/README_no_output.md": "# P\n\n```python\nprint('a')\n```\n",
	"pass/README.md":           "# P\n\n```python\nprint('a')\n```\n\n    a\n",
	"fail/README_no_output.md": "# F\n\n```python\nprint('<b> & \"c\"')\n```\n\n```python\nprint(2)\n```\n",
	"fail/README.md":           "# F\n\n```python\nprint('<b> & \"c\"')\n```\n\n    <i> & \"c\"\n\n```python\nprint(2)\n```\n\n    2\n",
	"skip/README_no_output.md": "# S\n\n<!-- labrun: ignore-output -->\n```python\nprint(3)\n```\n",
	"skip/README.md":           "# S\n\n<!-- labrun: ignore-output -->\n```python\nprint(3)\n```\n\n    4\n",
	"bad/README_no_output.md":  "# B\n\n```python\nprint('other')\n```\n",
	"bad/README.md":            "# B\n\n```python\nprint('b')\n```\n\n    b\n",
}

// TestCheckJUnitXSD validates what "labrun check --junit" writes, for one
// lesson, for the whole course and for its shards merged by "labrun
// report merge", against the JUnit XML schema (check/testdata) with
// xmllint; a broken copy of the report must not validate.
func TestCheckJUnitXSD(t *testing.T) {
	lint := xmllint.Require(t)
	schema, err := filepath.Abs(filepath.Join("..", "..", "check", "testdata", "junit-10.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	bin := labrunBinary(t)
	dir := t.TempDir()
	for name, text := range junitCourse {
		p := filepath.Join(dir, "course", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	labrun := func(want int, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != want {
			t.Fatalf("labrun %s: exit %d (%v), want %d:\n%s", strings.Join(args, " "), code, err, want, out)
		}
	}
	labrun(0, "check", "--junit", "pass.xml", "course/pass")
	labrun(1, "check", "--junit", "fail.xml", "course/fail")
	labrun(2, "check", "-j", "2", "--junit", "all.xml", "course")
	// the shards by the hash of each path: 1/2 holds bad, pass and skip, 2/2 fail
	labrun(2, "check", "--shard", "1/2", "--junit", "s1.xml", "course")
	labrun(1, "check", "--shard", "2/2", "--junit", "s2.xml", "course")
	labrun(0, "report", "merge", "s1.xml", "s2.xml", "-o", "merged.xml")

	for _, name := range []string{"pass.xml", "fail.xml", "all.xml", "s1.xml", "s2.xml", "merged.xml"} {
		f := filepath.Join(dir, name)
		if err := xmllint.Validate(lint, schema, f); err != nil {
			doc, _ := os.ReadFile(f)
			t.Errorf("%s: %v\n%s", name, err, doc)
		}
	}
	// The whole report holds each kind of testcase.
	all, _ := os.ReadFile(filepath.Join(dir, "all.xml"))
	for _, want := range []string{"<failure ", "<skipped ", "<error ", `<testsuite name="course/pass/README.md" tests="1" failures="0"`} {
		if !strings.Contains(string(all), want) {
			t.Errorf("all.xml has no %s:\n%s", want, all)
		}
	}
	// A broken copy (a testcase without its required name) fails.
	broken := filepath.Join(dir, "broken.xml")
	os.WriteFile(broken, []byte(strings.Replace(string(all), `<testcase name="cell 1 (line 3)"`, `<testcase`, 1)), 0o644)
	if err := xmllint.Validate(lint, schema, broken); !xmllint.IsInvalid(err) {
		t.Errorf("a testcase without its name: want the report invalid, xmllint says: %v", err)
	}
}
