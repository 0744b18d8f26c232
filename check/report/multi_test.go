package report

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/lessons"
)

// TestTextThroughLive: off a terminal the live view draws nothing and
// hands a lesson's end to the human report, which words the failure,
// what --update did and the lesson's line; Multi hands events to each
// reporter, and its Finish goes on past a reporter that fails (a JUnit
// file it cannot write), saying so before the next one finishes.
func TestTextThroughLive(t *testing.T) {
	l, rep := checked(t)
	var human, view, events bytes.Buffer
	live := NewLive(&view, false, 2, nil, NewText(&human, false))
	junit := NewJUnitFile(filepath.Join(t.TempDir(), "no", "such", "dir", "r.xml"), []check.Lesson{l})
	all := Multi{NewEvents(&events), live, junit, NewAnnotations(&human)}
	all.Handle(check.LessonStarted{Lesson: l})
	all.Handle(check.LessonEnded{Lesson: l, Report: rep, Err: errors.New("t.md:1: half ran"),
		Update: check.UpdateResult{Kind: check.UpdateWritten, Mended: 1}})
	live.Stop()
	var order []string
	all.Finish(check.Totals{Passed: 2, Failed: 1}, func(err error) {
		order = append(order, "failed: "+err.Error())
		human.WriteString("(junit failed)\n")
	})
	got := human.String()
	for _, want := range []string{
		"labrun: t.md:1: half ran\n",
		l.Path + ":12: cell 2: output differs\n",
		"labrun: " + l.Path + ": updated the outputs of 1 failing cell\n",
		"FAIL " + l.Path + ": 2 passed, 0 failed, 1 skipped, 1 updated (", // counted as the totals are
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "\n2 passed, 1 failed\n(junit failed)\n::error file=") {
		t.Errorf("the report does not end with the totals, the JUnit failure, the annotations:\n%s", got)
	}
	if view.Len() > 0 {
		t.Errorf("the view drew off a terminal: %q", view.String())
	}
	if len(order) != 1 || !strings.Contains(order[0], "r.xml") {
		t.Errorf("failures: %q", order)
	}
	if n := strings.Count(events.String(), "\n"); n != 2 {
		t.Errorf("%d JSON events, want 2:\n%s", n, events.String())
	}
}

// TestLiveOnTerminal: on a terminal the view redraws as it ticks, shows
// the running lesson's cell, prints the human report of a lesson's end
// in its place (cleared first, drawn again after) and clears itself when
// stopped. Run with -race, it checks that the view's goroutine owns its
// state.
func TestLiveOnTerminal(t *testing.T) {
	l, rep := checked(t)
	run, err := lessons.Parse(l.Path, []byte(lessonFixture))
	if err != nil {
		t.Fatal(err)
	}
	var view bytes.Buffer
	live := NewLive(&view, true, 1, func() int { return 60 }, NewText(&view, false))
	live.Handle(check.LessonStarted{Lesson: l})
	live.Handle(check.LessonRunning{Lesson: l, Run: run})
	live.Handle(check.CellRan{Lesson: l, Result: rep.Cells[0].Result})
	time.Sleep(3 * liveTick)
	live.Handle(check.LessonEnded{Lesson: l, Report: rep})
	live.Stop()
	live.Handle(check.LessonEnded{Lesson: l, Report: rep}) // after Stop: handed on, not drawn
	got := view.String()
	for _, want := range []string{"cell 2/4", "lessons 0/1", "⠙", "\x1b[2A\r\x1b[J" + l.Path + ":12: cell 2: output differs\n", "lessons 1/1\n\x1b[1A\r\x1b[J"} {
		if !strings.Contains(got, want) {
			t.Errorf("the view lacks %q:\n%q", want, got)
		}
	}
	if n := strings.Count(got, "FAIL "); n != 2 {
		t.Errorf("%d lesson lines, want 2:\n%q", n, got)
	}
	stopped := "lessons 1/1\n\x1b[1A\r\x1b[J"
	if after := got[strings.LastIndex(got, stopped)+len(stopped):]; strings.Contains(after, "\x1b") || !strings.Contains(after, "FAIL ") {
		t.Errorf("after Stop, want the report plain:\n%q", after)
	}
}
