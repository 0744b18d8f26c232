package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/internal/termtext"
)

// The JUnit XML report: one testsuite per lesson, one testcase per cell
// (per command in a cram test file, junit_cram.go);
// a failing cell has a <failure> whose message is the reason and whose
// text is the diff, a skipped one <skipped>, and so has one that did not
// finish (the check was stopped: the message says so), a lesson that could not be
// checked an <error> testcase named "lesson". A cell --update mended
// passes: its <system-out> says it was updated, with the diff.
//
// The report is valid against junit-10.xsd, the JUnit schema Jenkins
// reads (check/testdata/junit-10.xsd; the tests validate with xmllint):
// so a testcase carries no file or line attribute (the lesson is its
// classname, the line is in its name) and the root no skipped count
// (each suite has its own).

// JUnitSuites is the document's root.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one lesson.
type JUnitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []JUnitCase `xml:"testcase"`
}

// JUnitCase is one cell.
type JUnitCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	// File and Line are the lesson and the cell's line (xunit1 only,
	// junit_flaky.go).
	File    string        `xml:"file,attr,omitempty"`
	Line    int           `xml:"line,attr,omitempty"`
	Time    string        `xml:"time,attr"`
	Failure *JUnitProblem `xml:"failure"`
	Error   *JUnitProblem `xml:"error"`
	Skipped *JUnitProblem `xml:"skipped"`
	// Flaky are a flaky cell's failing runs (junit_flaky.go).
	Flaky []JUnitFlaky `xml:"flakyFailure"`
	// SystemOut says that --update mended the cell, and why it failed.
	SystemOut string `xml:"system-out,omitempty"`
}

// JUnitProblem is a failure, an error or a skip.
type JUnitProblem struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnitFile is the handler of --junit: it writes the JUnit report of a
// suite's lessons to a file when the suite is over.
type JUnitFile struct {
	// Family is the report's flavour (--junit-family; XUnit2 by default).
	Family Family
	// Write writes the report's bytes to the file (nil: atomicfile.Write,
	// which replaces the file; the command's own writer also writes to a
	// device or a pipe, /dev/null or /dev/stdout).
	Write   func(path string, data []byte) error
	path    string
	lessons []check.Lesson
	reports []*check.Report
	errs    []error
	updates []check.UpdateResult
}

// NewJUnitFile reports the check of ls (the lessons given to the suite)
// to the file path.
func NewJUnitFile(path string, ls []check.Lesson) *JUnitFile {
	return &JUnitFile{path: path, lessons: ls, reports: make([]*check.Report, len(ls)), errs: make([]error, len(ls)),
		updates: make([]check.UpdateResult, len(ls))}
}

// Handle keeps a lesson's report when it ends.
func (j *JUnitFile) Handle(ev check.Event) {
	if e, ok := ev.(check.LessonEnded); ok && e.Index < len(j.lessons) {
		j.reports[e.Index], j.errs[e.Index], j.updates[e.Index] = e.Report, e.Err, e.Update
	}
}

// Finish writes the report (atomically, by default); a lesson that was
// not checked (the check was interrupted first) is an empty testsuite.
func (j *JUnitFile) Finish(check.Totals) error {
	data := junitOf(j.Family, j.lessons, j.reports, j.errs, j.updates).Marshal()
	if j.Write != nil {
		return j.Write(j.path, data)
	}
	return atomicfile.Write(j.path, data, 0o644)
}

// JUnit returns the report of lessons (a nil report with err: the
// lesson could not be checked), in the xunit2 family.
func JUnit(ls []check.Lesson, reps []*check.Report, errs []error) *JUnitSuites {
	return JUnitOf(XUnit2, ls, reps, errs)
}

// JUnitOf returns the report of lessons in family f.
func JUnitOf(f Family, ls []check.Lesson, reps []*check.Report, errs []error) *JUnitSuites {
	return junitOf(f, ls, reps, errs, nil)
}

// junitOf is JUnitOf, with what --update did to each lesson (nil:
// nothing).
func junitOf(f Family, ls []check.Lesson, reps []*check.Report, errs []error, ups []check.UpdateResult) *JUnitSuites {
	doc := &JUnitSuites{Name: "labrun check"}
	for i, l := range ls {
		s := JUnitSuite{Name: l.Path}
		r := reps[i]
		var d float64
		if r != nil {
			end := check.LessonEnded{Lesson: l, Report: r}
			if i < len(ups) {
				end.Update = ups[i]
			}
			d = r.Duration.Seconds()
			for _, c := range r.Cells {
				var cases []JUnitCase
				if r.IsCram() {
					cases = f.commandCases(l, c)
				} else {
					cases = []JUnitCase{f.cellCase(l, c)}
				}
				if end.Mended(c) {
					markUpdated(cases)
				}
				s.Cases = append(s.Cases, cases...)
			}
			s.Cases = append(s.Cases, emptyCram(l, r)...)
		}
		for _, tc := range s.Cases {
			if tc.Failure != nil {
				s.Failures++
			}
			if tc.Skipped != nil {
				s.Skipped++
			}
		}
		if i < len(errs) && errs[i] != nil {
			s.Cases = append(s.Cases, JUnitCase{Name: "lesson", Classname: l.Path, Time: "0.000",
				Error: &JUnitProblem{Message: xmlSafe(errs[i].Error()), Type: "lesson"}})
			s.Errors++
		}
		s.Tests = len(s.Cases)
		s.Time = fmt.Sprintf("%.3f", d)
		doc.Suites = append(doc.Suites, s)
	}
	doc.total()
	return doc
}

// cellCase is the testcase of a cell.
func (f Family) cellCase(l check.Lesson, c *check.CellReport) JUnitCase {
	tc := JUnitCase{Name: fmt.Sprintf("cell %d (line %d)", c.Number, c.Line), Classname: l.Path, Time: "0.000"}
	if c.Result != nil {
		tc.Time = fmt.Sprintf("%.3f", c.Result.Duration.Seconds())
	}
	f.locate(&tc, l, c)
	tc.Flaky = flakyFailures(c)
	switch c.Verdict {
	case check.Fail:
		tc.Failure = &JUnitProblem{Message: c.Reason.String(), Type: "output", Text: xmlSafe(failureText(c))}
	case check.Skip, check.NotFinished:
		tc.Skipped = &JUnitProblem{Message: c.Reason.String()}
	}
	return tc
}

// markUpdated makes the failing testcases of a cell --update mended
// pass, their <system-out> saying that it was updated and why it failed.
func markUpdated(cases []JUnitCase) {
	for i := range cases {
		if p := cases[i].Failure; p != nil {
			cases[i].SystemOut = "updated by --update: " + p.Message + "\n" + p.Text
			cases[i].Failure = nil
		}
	}
}

// total sorts the suites by name and sums their counts.
func (d *JUnitSuites) total() {
	sort.SliceStable(d.Suites, func(i, j int) bool { return d.Suites[i].Name < d.Suites[j].Name })
	d.Tests, d.Failures, d.Errors = 0, 0, 0
	var t float64
	for _, s := range d.Suites {
		d.Tests += s.Tests
		d.Failures += s.Failures
		d.Errors += s.Errors
		var st float64
		fmt.Sscanf(s.Time, "%g", &st)
		t += st
	}
	d.Time = fmt.Sprintf("%.3f", t)
}

// Marshal returns the XML document. Every "[" after a "#" is a
// character reference (&#91;), which any XML reader reads back as "[":
// the report may go to a GitHub Actions job log (report merge without
// -o), whose runner takes "##[name]" anywhere in a line for a workflow
// command. "#" stands in text and attribute values only, where a
// reference is valid.
func (d *JUnitSuites) Marshal() []byte {
	b, _ := xml.MarshalIndent(d, "", "  ")
	b = bytes.ReplaceAll(b, []byte("#["), []byte("#&#91;"))
	return append([]byte(xml.Header), append(b, '\n')...)
}

// MergeJUnit merges JUnit reports (of shards) into one: every suite of
// every file, sorted by name, counts summed.
func MergeJUnit(files []string) (*JUnitSuites, error) {
	doc := &JUnitSuites{Name: "labrun check"}
	var owners lessonOwners
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d JUnitSuites
		if err := xml.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("%s: not a JUnit report: %w", f, err)
		}
		owners.report(f)
		for _, s := range d.Suites {
			if err := owners.claim(f, s.Name); err != nil {
				return nil, err
			}
		}
		doc.Suites = append(doc.Suites, d.Suites...)
	}
	doc.total()
	return doc, nil
}

// xmlSafe spells out what XML 1.0 cannot hold, which encoding/xml
// would write as U+FFFD: a control character but tab, newline and
// carriage return as \x1b, U+FFFE and U+FFFF as \ufffe, a byte of
// invalid UTF-8 as \xff (what termtext.Inert writes, so that the text
// reads back as what was printed, spelled out).
func xmlSafe(s string) string {
	if strings.IndexFunc(s, xmlBad) < 0 && utf8.ValidString(s) {
		return s
	}
	return termtext.SpellOut(s, xmlBad)
}

// xmlBad says whether XML 1.0 cannot hold r.
func xmlBad(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}
