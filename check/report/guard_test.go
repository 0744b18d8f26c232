package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/labrun/labrun/check"
)

// TestGuard: a frozen guard hands on no event, and its Finish writes
// the JUnit file of what it was handed before: the lesson that ended,
// not the one whose end came after the freeze.
func TestGuard(t *testing.T) {
	l, rep := checked(t)
	other := check.Lesson{Path: "other.md"}
	path := filepath.Join(t.TempDir(), "j.xml")
	g := NewGuard(Multi{NewJUnitFile(path, []check.Lesson{l, other})})
	g.Handle(check.LessonEnded{Index: 0, Lesson: l, Report: rep})
	g.Freeze()
	g.Handle(check.LessonEnded{Index: 1, Lesson: other, Report: rep})
	if err := g.Finish(check.Totals{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Suites {
		want := 0
		if s.Name == l.Path {
			want = len(rep.Cells)
		}
		if len(s.Cases) != want {
			t.Errorf("suite %s: %d cases, want %d:\n%s", s.Name, len(s.Cases), want, b)
		}
	}
}
