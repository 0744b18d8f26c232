package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Merge merges the reports of "labrun check" shards into one: JUnit XML
// files into one document (MergeJUnit), JSON event files into one, line
// by line (MergeJSON). The first file that is not empty says which they
// are; a file of the other kind is refused, saying what it is, and so
// are files that are all empty: none is a report.
func Merge(files []string) ([]byte, error) {
	kinds := make([]reportKind, len(files))
	want := kindEmpty
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		kinds[i] = kindOf(data)
		if want == kindEmpty {
			want = kinds[i]
		}
	}
	if want == kindEmpty {
		return nil, fmt.Errorf("%s: %s, neither a JUnit report nor JSON events: nothing to merge", strings.Join(files, ", "), kindEmpty)
	}
	for i, k := range kinds {
		if mixed(want, k) {
			return nil, &mixedError{File: files[i], Kind: k, Want: want, First: files[first(kinds, want)]}
		}
	}
	if want == kindJUnit {
		doc, err := MergeJUnit(files)
		if err != nil {
			return nil, err
		}
		return doc.Marshal(), nil
	}
	return MergeJSON(files)
}

// reportKind is what a report file holds, as its first bytes tell.
type reportKind int

const (
	kindEmpty reportKind = iota // nothing but white space
	kindJUnit                   // XML: a JUnit report
	kindJSON                    // a JSON object a line: JSON events
	kindOther                   // neither
)

// kindOf tells a report's kind from its first byte that is not white
// space.
func kindOf(data []byte) reportKind {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		return kindEmpty
	case t[0] == '<':
		return kindJUnit
	case t[0] == '{':
		return kindJSON
	}
	return kindOther
}

// String is the kind as a report file's description ("b.json: a JSON
// event stream").
func (k reportKind) String() string {
	return [...]string{kindEmpty: "empty", kindJUnit: "a JUnit XML report",
		kindJSON: "a JSON event stream", kindOther: "neither JUnit XML nor JSON events"}[k]
}

// mixed reports whether a file of kind k cannot be merged into reports
// of kind want. An empty file is a JSON event stream without events (a
// shard without lessons), but no JUnit report; what is neither kind is
// left to the merge, which says where it stops reading.
func mixed(want, k reportKind) bool {
	switch want {
	case kindJUnit:
		return k == kindJSON || k == kindEmpty
	case kindJSON:
		return k == kindJUnit
	}
	return false
}

// first is the index of the first kind that is want.
func first(kinds []reportKind, want reportKind) int {
	for i, k := range kinds {
		if k == want {
			return i
		}
	}
	return 0
}

// mixedError says that "labrun report merge" was given reports of two
// kinds: File is of Kind, First (the first file that is not empty) of
// Want.
type mixedError struct {
	File, First string
	Kind, Want  reportKind
}

func (e *mixedError) Error() string {
	return fmt.Sprintf("%s: %s, not %s like %s; merge reports of one kind (all --junit files, or all --json ones)",
		e.File, e.Kind, e.Want.noun(), e.First)
}

// noun is the kind as what a file is not ("not a JUnit report").
func (k reportKind) noun() string {
	if k == kindJUnit {
		return "a JUnit report"
	}
	return "JSON events"
}

// validJSONText returns a JSON line with every byte that is not valid
// UTF-8 (only a string can hold one: json.Unmarshal has read the line)
// written as \ufffd, as encoding/json writes such a byte: merged events
// are valid UTF-8, as check --json writes them.
func validJSONText(line []byte) []byte {
	if utf8.Valid(line) {
		return line
	}
	var b bytes.Buffer
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.Write(line[:n])
		}
		line = line[n:]
	}
	return b.Bytes()
}

// lessonOwners are the reports a merge took each lesson from: a lesson
// is in one shard's report, so one named by two reports (the same
// shard's given twice, shards of two checks, a whole report beside its
// shards') would be counted twice in the merged one; the merge is
// refused instead.
type lessonOwners struct {
	by  map[string]int // the lesson's cleaned path: the report's index
	cur int            // the report being read, from 1
	at  []string       // the reports' files, in order
}

// report starts reading the next report, file.
func (o *lessonOwners) report(file string) {
	o.at = append(o.at, file)
	o.cur = len(o.at)
}

// claim notes that the report being read names lesson (where says
// where: its file, or FILE:LINE for a JSON event); a lesson another
// report named is an error naming both.
func (o *lessonOwners) claim(where, lesson string) error {
	if lesson == "" {
		return nil
	}
	key := filepath.ToSlash(filepath.Clean(lesson))
	if o.by == nil {
		o.by = map[string]int{}
	}
	first, ok := o.by[key]
	switch {
	case !ok:
		o.by[key] = o.cur
		return nil
	case first == o.cur:
		return nil
	}
	also := o.at[first-1]
	if also == o.at[o.cur-1] {
		return fmt.Errorf("%s: the report is given twice: its lessons would count twice", also)
	}
	return fmt.Errorf("%s: lesson %s is in %s too: merge the reports of one check's shards, each lesson in one of them", where, lesson, also)
}
