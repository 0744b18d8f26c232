package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// recorder is a Handler that records the events it gets, one line each,
// and fails the test when it is called while a call is running.
type recorder struct {
	t      *testing.T
	inside atomic.Int32
	lines  []string
	ends   []LessonEnded
}

func (r *recorder) Handle(ev Event) {
	if r.inside.Add(1) != 1 {
		r.t.Errorf("the handler called while a call runs")
	}
	defer r.inside.Add(-1)
	var line string
	switch e := ev.(type) {
	case LessonStarted:
		line = "start " + filepath.Base(filepath.Dir(e.Path))
	case LessonRunning:
		line = fmt.Sprintf("running %s %d", filepath.Base(filepath.Dir(e.Path)), len(e.Run.Cells))
	case CellRan:
		line = fmt.Sprintf("ran %s %d", filepath.Base(filepath.Dir(e.Path)), e.Result.Cell.Index+1)
	case LessonRerun:
		line = fmt.Sprintf("rerun %s %d", filepath.Base(filepath.Dir(e.Path)), e.Run)
	case CellChecked:
		line = fmt.Sprintf("checked %s %d %v", filepath.Base(filepath.Dir(e.Path)), e.Cell.Number, e.Cell.Verdict)
	case LessonEnded:
		line = "end " + filepath.Base(filepath.Dir(e.Path))
		r.ends = append(r.ends, e)
	case LessonNotChecked:
		line = fmt.Sprintf("not checked %s %d %v", filepath.Base(filepath.Dir(e.Path)), e.Index, e.FailFast)
	}
	r.lines = append(r.lines, line)
}

// of returns the lines about one lesson, in order.
func (r *recorder) of(name string) string {
	var got []string
	for _, l := range r.lines {
		if strings.Fields(l)[1] == name {
			got = append(got, l)
		}
	}
	return strings.Join(got, "; ")
}

// suiteLessons makes a transcript that passes, one whose cell 2 fails
// and a lesson with no recorded outputs (bad input), each in its folder.
func suiteLessons(t *testing.T) (pass, fail, bad Lesson) {
	t.Helper()
	src := "# S\n\n```python\nprint('one')\n```\n\n```python\nprint('two')\n```\n"
	mk := func(name, from, to string) Lesson {
		dir := filepath.Join(t.TempDir(), name)
		os.MkdirAll(dir, 0o755)
		tr := strings.Replace(transcriptOf(t, dir, src), from, to, 1)
		path := filepath.Join(dir, "t.md")
		if err := os.WriteFile(path, []byte(tr), 0o644); err != nil {
			t.Fatal(err)
		}
		return Lesson{Path: path}
	}
	pass, fail = mk("pass", "", ""), mk("fail", "    two\n", "    zwei\n")
	bad = Lesson{Path: filepath.Join(t.TempDir(), "bad", "t.md")}
	os.MkdirAll(filepath.Dir(bad.Path), 0o755)
	os.WriteFile(bad.Path, []byte(src), 0o644)
	return pass, fail, bad
}

// TestSuite: each lesson's events come in their order, from one call at
// a time; the totals count verdicts and broken lessons, and the status
// is the worst: bad input, then failed.
func TestSuite(t *testing.T) {
	pass, fail, bad := suiteLessons(t)
	r := &recorder{t: t}
	tot := Suite{Jobs: 2}.Run(context.Background(), []Lesson{pass, fail, bad}, r)
	want := map[string]string{
		"pass": "start pass; running pass 2; ran pass 1; ran pass 2; checked pass 1 pass; checked pass 2 pass; end pass",
		"fail": "start fail; running fail 2; ran fail 1; ran fail 2; checked fail 1 pass; checked fail 2 fail; end fail",
		"bad":  "start bad; end bad",
	}
	for name, w := range want {
		if got := r.of(name); got != w {
			t.Errorf("%s's events:\n%s\nwant:\n%s", name, got, w)
		}
	}
	for _, e := range r.ends {
		if want := map[string]int{"pass": 0, "fail": 1, "bad": 2}[filepath.Base(filepath.Dir(e.Path))]; e.Index != want {
			t.Errorf("%s: index %d, want %d", e.Path, e.Index, want)
		}
	}
	if want := (Totals{Passed: 3, Failed: 1, Broken: 1, BadInput: 1}); tot != want {
		t.Errorf("totals %+v, want %+v", tot, want)
	}
	if s := tot.Status(); s != StatusBadInput {
		t.Errorf("status %v, want bad input", s)
	}
	if s := (Suite{}).Run(context.Background(), []Lesson{pass, fail}, &recorder{t: t}).Status(); s != StatusFailed {
		t.Errorf("status without the bad lesson %v, want failed", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := &recorder{t: t}
	// a cancelled suite takes no lesson, and says so of each
	tot = (Suite{Jobs: 2}).Run(ctx, []Lesson{pass, fail}, done)
	slices.Sort(done.lines)
	if want := []string{"not checked fail 1 false", "not checked pass 0 false"}; tot != (Totals{Cut: 2}) || !slices.Equal(done.lines, want) {
		t.Errorf("a cancelled suite: totals %+v, events %q, want %q", tot, done.lines, want)
	}
}

// TestSuiteUpdate: --update --dry-run leaves the file alone and fails;
// --update rewrites it, the mended cell counts as updated, not failed,
// and the status is OK; the rewritten lesson then passes.
func TestSuiteUpdate(t *testing.T) {
	_, fail, _ := suiteLessons(t)
	before, _ := os.ReadFile(fail.Path)
	r := &recorder{t: t}
	tot := Suite{Update: true, DryRun: true}.Run(context.Background(), []Lesson{fail}, r)
	u := r.ends[0].Update
	if u.Kind != UpdateDryRun || !strings.Contains(u.Diff, "-    zwei\n+    two\n") || tot.Status() != StatusFailed {
		t.Errorf("dry run: %+v, totals %+v", u, tot)
	}
	if now, _ := os.ReadFile(fail.Path); string(now) != string(before) {
		t.Errorf("the dry run changed the file")
	}
	r = &recorder{t: t}
	tot = Suite{Update: true}.Run(context.Background(), []Lesson{fail}, r)
	if u := r.ends[0].Update; u.Kind != UpdateWritten || u.Mended != 1 {
		t.Errorf("update: %+v", u)
	}
	if want := (Totals{Passed: 1, Updated: 1}); tot != want || tot.Status() != StatusOK {
		t.Errorf("totals %+v (status %v), want %+v", tot, tot.Status(), want)
	}
	if tot := (Suite{}).Run(context.Background(), []Lesson{fail}, &recorder{t: t}); tot != (Totals{Passed: 2}) {
		t.Errorf("after the update: %+v", tot)
	}
}

// TestReasons: each reason is worded once, and only output reasons are
// mended by --update.
func TestReasons(t *testing.T) {
	for _, c := range []struct {
		r        Reason
		want     string
		mendable bool
	}{
		{Reason{}, "", false},
		{Reason{Kind: OutputDiffers}, "output differs", true},
		{Reason{Kind: EndedOtherwise, Detail: "recorded status=ok, now status=interrupted"}, "ended otherwise than recorded: recorded status=ok, now status=interrupted", true},
		{Reason{Kind: ExpectedInterrupted, Detail: "ok"}, "expected to be interrupted; ended: ok", false},
		{Reason{Kind: ExpectedExit, Code: 3, Detail: "exit 1"}, "expected exit 3; ended: exit 1", false},
		{Reason{Kind: IgnoredOutput}, "ignore-output", false},
		{Reason{Kind: NotRun, Detail: "not run: after an error"}, "not run: after an error", false},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
		if c.r.Kind.Mendable() != c.mendable {
			t.Errorf("%+v: mendable %v", c.r, !c.mendable)
		}
	}
}
