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
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		files []string
		err   string // "" for none
	}{
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
	} {
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

// TestMergeJSONValidUTF8: an event holding bytes that are not UTF-8
// merges into valid UTF-8, each such byte as U+FFFD, as the JSON writer
// writes it.
func TestMergeJSONValidUTF8(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.json")
	line := "{\"event\":\"cell\",\"lesson\":\"l\xff.md\",\"cell\":1,\"diff\":\"-\xc3\\n+\xe2\x82\\n\"}\n"
	if err := os.WriteFile(f, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Merge([]string{f, f})
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(got) {
		t.Fatalf("merged events are not UTF-8: %q", got)
	}
	var want strings.Builder
	NewEvents(&want).enc.Encode(JSONEvent{Event: EventCell, Lesson: "l\xff.md", Cell: 1, Diff: "-\xc3\n+\xe2\x82\n"})
	if w := want.String() + want.String(); string(got) != w {
		t.Errorf("merged:\n%s\nwant what check --json writes:\n%s", got, w)
	}
	var ev JSONEvent
	if err := json.Unmarshal(got[:len(got)/2], &ev); err != nil || ev.Lesson != "l\uFFFD.md" {
		t.Errorf("event: %+v, %v", ev, err)
	}
}
