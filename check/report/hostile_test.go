package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/ghlog"
	"github.com/labrun/labrun/lessons"
)

// hostileLesson prints lines a GitHub Actions runner takes for workflow
// commands (as a diff shows them: a context line's space before) and a
// line the test changes, so that they are in the failing cell's diff.
const hostileLesson = "# CI\n\n```python\n" +
	"print('::stop-commands::pwned')\nprint('  ::add-mask::secret')\nprint('##[error]from the output')\n" +
	"print('::endgroup::')\nprint('changes')\n```\n"

// TestTextGroupsHostile: under GitHub Actions (Groups) the report of a
// cell whose output holds workflow commands, with -v's raw blocks, and
// the annotations after it give the runner labrun's own commands only
// (the groups, the annotation, the brackets): no output line silences
// them (stop-commands), masks, or annotates; and the log still shows
// each line.
func TestTextGroupsHostile(t *testing.T) {
	l, rep := checkedText(t, "hostile", hostileLesson, "    changes\n", "    changed\n")
	var log bytes.Buffer
	text := NewText(&log, true)
	text.Groups = true
	ann := NewAnnotations(&log)
	end := check.LessonEnded{Lesson: l, Report: rep}
	for _, h := range []check.Handler{text, ann} {
		h.Handle(end)
	}
	ann.Finish(check.Totals{})
	var names []string
	for _, c := range ghlog.Commands(log.String()) {
		switch {
		case c.Name == "stop-commands", strings.HasPrefix(c.Name, "labrun-"):
		default:
			names = append(names, c.Name)
		}
	}
	if got, want := strings.Join(names, " "), "group endgroup error"; got != want {
		t.Errorf("the runner takes the commands %q, want %q:\n%s", got, want, log.String())
	}
	for _, l := range []string{"    |     ::stop-commands::pwned\n", "   ::add-mask::secret\n", " ##[error]from the output\n", " ::endgroup::\n"} {
		if !strings.Contains(log.String(), l) {
			t.Errorf("the log does not show %q:\n%s", l, log.String())
		}
	}
}

// TestRawInert: -v's raw blocks show a Markdown display's escape
// sequences (which the outputs block keeps as printed) spelled out, not
// sent to the terminal: a clipboard write (OSC 52), a title, a clear
// screen.
func TestRawInert(t *testing.T) {
	src := "# Raw\n\n```python\nfrom IPython.display import Markdown, display\n" +
		"display(Markdown('clip \\x1b]52;c;cHduZWQ=\\x07 title \\x1b]0;T\\x07 clear \\x1b[2J'))\nprint('changes')\n```\n"
	l, rep := checkedText(t, "raw", src, "    changes\n", "    changed\n")
	var b bytes.Buffer
	NewText(&b, true).Handle(check.LessonEnded{Lesson: l, Report: rep})
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("the report sends escape sequences:\n%q", b.String())
	}
	if want := `    | clip \x1b]52;c;cHduZWQ=\x07 title \x1b]0;T\x07 clear \x1b[2J` + "\n"; strings.Count(b.String(), want) != 2 {
		t.Errorf("the raw blocks do not show %q:\n%s", want, b.String())
	}
}

// TestLiveInert: the live view shows a cell's first line, which is the
// lesson's text; escape bytes in it (a lesson is input like any other)
// are spelled out, not sent to the terminal, and so are those of a
// lesson's file name.
func TestLiveInert(t *testing.T) {
	src := "# Live\n\n```python\nprint('\x1b]52;c;cHduZWQ=\x07\x1b[2J')\n```\n"
	l := check.Lesson{Path: "l\x1b]0;T\x07.md"}
	run, err := lessons.Parse(l.Path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var view lockedBuffer
	live := NewLive(&view, true, 1, func() int { return 200 }, nil)
	live.Handle(check.LessonStarted{Lesson: l})
	live.Handle(check.LessonRunning{Lesson: l, Run: run})
	time.Sleep(3 * liveTick)
	live.Stop()
	got := view.String()
	for _, bad := range []string{"\x1b]", "\x07"} {
		if strings.Contains(got, bad) {
			t.Errorf("the view sends %q:\n%q", bad, got)
		}
	}
	if !strings.Contains(got, `print('\x1b]52;c;cHduZWQ=\x07\x1b[2J')`) || !strings.Contains(got, `l\x1b]0;T\x07.md`) {
		t.Errorf("the view does not show the cell's line and the lesson spelled out:\n%q", got)
	}
}

// lockedBuffer is a buffer the live view's goroutine writes while the
// test reads it after Stop.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEventsNoOldCommands: a JSON event whose diff holds "##[add-mask]"
// (which a GitHub Actions runner takes for a command anywhere in a line)
// is written without it, and reads back as it was.
func TestEventsNoOldCommands(t *testing.T) {
	var b bytes.Buffer
	cell := &check.CellReport{Number: 1, Line: 3, Verdict: check.Fail, Diff: "-##[add-mask]x\n+##[error]y [ok]\n"}
	NewEvents(&b).Handle(check.CellChecked{Lesson: check.Lesson{Path: "l##[warning].md"}, Cell: cell})
	if len(ghlog.Commands(b.String())) > 0 || strings.Contains(b.String(), "#[") {
		t.Errorf("the event holds commands: %s", b.String())
	}
	var ev JSONEvent
	if err := json.Unmarshal(b.Bytes(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Diff != cell.Diff || ev.Lesson != "l##[warning].md" {
		t.Errorf("read back: %+v", ev)
	}
}

// TestJUnitHostile: a failing cell's text holding what XML cannot carry
// (controls, U+FFFE, invalid UTF-8), a CDATA end and tags gives a valid
// document whose text reads back spelled out, nothing dropped or
// replaced by U+FFFD; "##[", which a GitHub Actions runner takes for a
// command anywhere in a line, is not in the document, and reads back.
func TestJUnitHostile(t *testing.T) {
	diff := "-\x1b]52;c;eA==\x07 \x00 \ufffe \xff ]]> </failure><x>&amp;\r\n+a\tb ##[add-mask]x\n"
	l := check.Lesson{Path: "l.md"}
	rep := &check.Report{Cells: []*check.CellReport{{Number: 1, Line: 3, Verdict: check.Fail, Diff: diff}}}
	doc := JUnit([]check.Lesson{l}, []*check.Report{rep}, nil).Marshal()
	var d JUnitSuites
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("%v:\n%s", err, doc)
	}
	if cmds := ghlog.Commands(string(doc)); len(cmds) > 0 {
		t.Errorf("a job log would take %q from the report", cmds)
	}
	want := `-\x1b]52;c;eA==\x07 \x00 \ufffe \xff ]]> </failure><x>&amp;` + "\r\n+a\tb ##[add-mask]x\n"
	if got := d.Suites[0].Cases[0].Failure.Text; got != want {
		t.Errorf("failure text %q, want %q", got, want)
	}
}

// TestHowInert: how a failing cell ended quotes its exception's message,
// which the cell printed; the report shows it on one line, inert.
func TestHowInert(t *testing.T) {
	src := "# How\n\n```python\nprint('changes')\nraise ValueError('\\x1b]0;T\\x07\\x1b[2J\\n::warning::x')\n```\n"
	l, rep := checkedText(t, "how", src, "    changes\n", "    changed\n")
	var b bytes.Buffer
	NewText(&b, false).Handle(check.LessonEnded{Lesson: l, Report: rep})
	if strings.ContainsAny(b.String(), "\x1b\x07") || strings.Contains(b.String(), "\n::warning") {
		t.Errorf("the report sends what the cell printed raw:\n%q", b.String())
	}
	if want := `  the cell ended: ValueError: \x1b]0;T\x07\x1b[2J\n::warning::x` + "\n"; !strings.Contains(b.String(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.String())
	}
	// the annotation (a job log line) and the job summary say it so too
	b.Reset()
	WriteAnnotations(&b, check.LessonEnded{Lesson: l, Report: rep}, "l.md")
	summary := filepath.Join(t.TempDir(), "summary.md")
	s := NewStepSummary(summary, func(string) string { return "" })
	s.Handle(check.LessonEnded{Lesson: l, Report: rep})
	if err := s.Finish(check.Totals{}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(summary)
	for text, want := range map[string]string{b.String(): `ValueError: \x1b]0;T\x07\x1b[2J\n::warning::x`,
		string(md): `ValueError: \x1b\]0;T\x07\x1b\[2J\n::warning::x`} { // Markdown-escaped brackets
		if strings.ContainsAny(text, "\x1b\x07") || !strings.Contains(text, want) {
			t.Errorf("%q does not spell out how the cell ended, %q", text, want)
		}
	}
}

// TestPathInert: a lesson's file name is input too: escape bytes in it
// are spelled out in the report's lines.
func TestPathInert(t *testing.T) {
	l, rep := checked(t)
	l.Path = "l\x1b]0;T\x07.md"
	rep.Path = l.Path
	var b bytes.Buffer
	text := NewText(&b, false)
	text.Handle(check.LessonEnded{Lesson: l, Report: rep})
	if strings.ContainsAny(b.String(), "\x07") || !strings.Contains(b.String(), `l\x1b]0;T\x07.md:12: cell 2: output differs`) {
		t.Errorf("the report sends the name's escapes raw:\n%q", b.String())
	}
}

// TestDryRunPatchOnTerminal: the patch --update --dry-run prints holds
// the transcript's bytes, a display's escape sequences among them: on a
// terminal they are spelled out, to a pipe (for patch(1)) kept.
func TestDryRunPatchOnTerminal(t *testing.T) {
	l, rep := checked(t)
	patch := "+clip \x1b]52;c;cHduZWQ=\x07\n"
	end := check.LessonEnded{Lesson: l, Report: rep, Update: check.UpdateResult{Kind: check.UpdateDryRun, Diff: patch}}
	for _, tty := range []bool{true, false} {
		var b bytes.Buffer
		text := NewText(&b, false)
		text.Terminal = tty
		text.Handle(end)
		want := patch
		if tty {
			want = `+clip \x1b]52;c;cHduZWQ=\x07` + "\n"
		}
		if !strings.Contains(b.String(), want) || tty && strings.Contains(b.String(), "\x07") {
			t.Errorf("terminal %v: the report lacks %q:\n%q", tty, want, b.String())
		}
	}
}
