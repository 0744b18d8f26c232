package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMergeRefusesMixedKinds: reports of two kinds are refused with what
// the odd one is and what was expected; an empty JSON file (a shard
// without lessons) merges with JSON events, but empty files alone are no
// report.
func TestMergeRefusesMixedKinds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.xml":     `<testsuites name="labrun check" tests="0" failures="0" errors="0"></testsuites>` + "\n",
		"b.json":    `{"event":"lesson-start","lesson":"l.md"}` + "\n",
		"empty":     "",
		"prose.txt": "not a report\n",
	}
	writeFiles(t, dir, files)
	wantMerges(t, dir, []mergeCase{
		{[]string{"a.xml", "b.json"}, "b.json: a JSON event stream, not a JUnit report like DIR/a.xml; merge reports of one kind"},
		{[]string{"b.json", "a.xml"}, "a.xml: a JUnit XML report, not JSON events like DIR/b.json; merge reports of one kind"},
		{[]string{"empty", "b.json", "a.xml"}, "a.xml: a JUnit XML report, not JSON events like DIR/b.json"},
		{[]string{"a.xml", "empty"}, "empty: empty, not a JUnit report like DIR/a.xml"},
		{[]string{"prose.txt", "a.xml"}, "prose.txt:1: not a labrun check event"},
		{[]string{"a.xml", "prose.txt"}, "prose.txt: not a JUnit report: "},
		{[]string{"empty", "b.json", "empty"}, ""},
		{[]string{"empty"}, "DIR/empty: empty, neither a JUnit report nor JSON events: nothing to merge"},
		{[]string{"empty", "empty"}, "DIR/empty, DIR/empty: empty, neither"},
		{[]string{"a.xml", "a.xml"}, ""},
	})
}

// TestMergeJSONValidUTF8: an event holding bytes that are not UTF-8
// merges into valid UTF-8, each such byte as U+FFFD, as the JSON writer
// writes it.
func TestMergeJSONValidUTF8(t *testing.T) {
	dir := t.TempDir()
	f, g := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	line := "{\"event\":\"cell\",\"lesson\":\"l\xff.md\",\"cell\":1,\"diff\":\"-\xc3\\n+\xe2\x82\\n\"}\n"
	if err := os.WriteFile(f, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g, []byte(strings.Replace(line, "l\xff", "m\xff", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Merge([]string{f, g})
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(got) {
		t.Fatalf("merged events are not UTF-8: %q", got)
	}
	var want strings.Builder
	NewEvents(&want).enc.Encode(JSONEvent{Event: EventCell, Lesson: "l\xff.md", Cell: 1, Diff: "-\xc3\n+\xe2\x82\n"})
	NewEvents(&want).enc.Encode(JSONEvent{Event: EventCell, Lesson: "m\xff.md", Cell: 1, Diff: "-\xc3\n+\xe2\x82\n"})
	if w := want.String(); string(got) != w {
		t.Errorf("merged:\n%s\nwant what check --json writes:\n%s", got, w)
	}
	var ev JSONEvent
	if err := json.Unmarshal(got[:len(got)/2], &ev); err != nil || ev.Lesson != "l\uFFFD.md" {
		t.Errorf("event: %+v, %v", ev, err)
	}
}

// TestMergeRefusesALessonTwice: a lesson is in one shard's report, so a
// merge of reports that name a lesson twice (a report given twice, a
// whole report beside its shards') is refused, naming both, rather than
// counting its cells twice; reports of distinct lessons merge.
func TestMergeRefusesALessonTwice(t *testing.T) {
	dir := t.TempDir()
	suite := func(l string) string {
		return `<testsuite name="` + l + `" tests="1" failures="0" errors="0" skipped="0" time="1.000"><testcase name="cell 1 (line 3)" classname="` + l + `" time="1.000"></testcase></testsuite>`
	}
	events := func(l string) string {
		return `{"event":"lesson-start","lesson":"` + l + `"}` + "\n" +
			`{"event":"cell","lesson":"` + l + `","cell":1,"line":3,"verdict":"pass","time":1}` + "\n" +
			`{"event":"lesson-end","lesson":"` + l + `","passed":1,"failed":0,"skipped":0,"time":1}` + "\n"
	}
	files := map[string]string{
		"s1.xml":   `<testsuites name="labrun check">` + suite("a.md") + `</testsuites>`,
		"s2.xml":   `<testsuites name="labrun check">` + suite("b.md") + `</testsuites>`,
		"all.xml":  `<testsuites name="labrun check">` + suite("a.md") + suite("./b.md") + `</testsuites>`,
		"s1.json":  events("a.md"),
		"s2.json":  events("b.md"),
		"all.json": events("a.md") + events("b.md"),
	}
	writeFiles(t, dir, files)
	wantMerges(t, dir, []mergeCase{
		{[]string{"s1.xml", "s2.xml"}, ""},
		{[]string{"s1.json", "s2.json"}, ""},
		{[]string{"s1.xml", "s2.xml", "all.xml"}, "DIR/all.xml: lesson a.md is in DIR/s1.xml too: merge the reports of one check's shards"},
		{[]string{"s2.xml", "all.xml"}, "DIR/all.xml: lesson ./b.md is in DIR/s2.xml too"},
		{[]string{"s1.xml", "s1.xml"}, "DIR/s1.xml: the report is given twice"},
		{[]string{"all.json", "s2.json"}, "DIR/s2.json:1: lesson b.md is in DIR/all.json too"},
		{[]string{"s1.json", "s1.json"}, "DIR/s1.json: the report is given twice"},
	})
}

// mergeCase is a merge of files (names in the test's folder) and the
// error it gives: "" for none, else text the error holds, DIR standing
// for the folder.
type mergeCase struct {
	files []string
	err   string
}

// wantMerges merges each case's files and checks its error.
func wantMerges(t *testing.T, dir string, cases []mergeCase) {
	t.Helper()
	for _, tc := range cases {
		var paths []string
		for _, f := range tc.files {
			paths = append(paths, filepath.Join(dir, f))
		}
		_, err := Merge(paths)
		name := strings.Join(tc.files, " ")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.err != "" && err == nil:
			t.Errorf("%s: merged, want %q", name, tc.err)
		case tc.err != "" && !strings.Contains(err.Error(), strings.ReplaceAll(tc.err, "DIR", dir)):
			t.Errorf("%s: %v\nwant it to hold %q", name, err, tc.err)
		}
	}
}

// writeFiles writes files (name: content) in dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
