package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"
)

// liveLesson is a course pair whose one cell takes long enough for the
// live view to redraw a few times.
var liveLesson = map[string]string{
	"README_no_output.md": "# Live\n\n\n```python\nimport time; time.sleep(0.8); print('done')\n```\n",
	"README.md":           "\n# Live\n\n\n```python\nimport time; time.sleep(0.8); print('done')\n```\n\n    done\n\n",
}

// checkUnder runs "labrun check" on liveLesson with stderr on a pty (tty)
// or a pipe, and returns its stdout and stderr.
func checkUnder(t *testing.T, tty bool, args ...string) (stdout, stderr string) {
	t.Helper()
	return checkLessonUnder(t, liveLesson, tty, args...)
}

// checkLessonUnder runs "labrun check" on a course pair with stderr on a
// pty 100 columns wide (tty) or a pipe, and returns its stdout and stderr.
func checkLessonUnder(t *testing.T, lesson map[string]string, tty bool, args ...string) (stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range lesson {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(labrunBinary(t), append([]string{"check"}, append(args, dir)...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	var out, errs bytes.Buffer
	cmd.Stdout = &out
	if tty {
		errText := onPty(t, cmd, &pty.Winsize{Rows: 24, Cols: 100}, func(pts *os.File) { cmd.Stderr = pts })
		return out.String(), errText
	}
	cmd.Stderr = &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("labrun check: %v", err)
	}
	return out.String(), errs.String()
}

// TestLiveView: on a terminal, check redraws a view in place (cursor up,
// a spinner, the running cell and its command, the counts); the report
// itself goes to stdout, plain.
func TestLiveView(t *testing.T) {
	stdout, stderr := checkUnder(t, true, "--color=always")
	for _, want := range []string{"\x1b[2A", "\x1b[2K", "cell 1/1", "import time; time.sleep(0.8)", "lessons 0/1", "\x1b[32m✓\x1b[0m 1  \x1b[31m✗\x1b[0m 0  lessons 1/1", "⠋", "⠙"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the live view lacks %q:\n%q", want, stderr)
		}
	}
	if !strings.Contains(stdout, "1 passed, 0 failed\n") || !strings.Contains(stdout, "README.md: 1 passed") {
		t.Errorf("stdout:\n%s", stdout)
	}
	t.Logf("the live view, as written:\n%q", stderr)
}

// TestPlainView: not on a terminal, nothing is redrawn: no escape
// sequences, no spinner; one line per finished lesson on stdout.
func TestPlainView(t *testing.T) {
	stdout, stderr := checkUnder(t, false)
	if strings.Contains(stderr, "\x1b") || strings.Contains(stderr, "⠋") || strings.Contains(stdout, "\x1b") {
		t.Errorf("escape sequences off a terminal:\nstdout %q\nstderr %q", stdout, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ok   ") || lines[1] != "1 passed, 0 failed" {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// TestLiveCommandLine: the view shows a cell's first line that is not a
// comment, cut to the terminal's width by columns: a wide character
// takes two, and no line of the view is wider than the terminal.
func TestLiveCommandLine(t *testing.T) {
	code := "# wait a little: the view shows the next line, not this comment\n" +
		"print('" + strings.Repeat("日本語のテキスト", 8) + "'); import time; time.sleep(0.8)"
	lesson := map[string]string{
		"README_no_output.md": "# Wide\n\n\n```python\n" + code + "\n```\n",
		"README.md":           "\n# Wide\n\n\n```python\n" + code + "\n```\n\n    " + strings.Repeat("日本語のテキスト", 8) + "\n\n",
	}
	_, stderr := checkLessonUnder(t, lesson, true, "--color=never")
	if !strings.Contains(stderr, "print('日本語") || strings.Contains(stderr, "wait a little") {
		t.Errorf("the view does not show the cell's first line of code:\n%q", stderr)
	}
	shown := 0
	for _, l := range strings.Split(stderr, "\r\x1b[2K")[1:] {
		l, _, _ = strings.Cut(l, "\n")
		l = strings.TrimSuffix(l, "\r") // the pty's
		if !strings.Contains(l, "print('") {
			continue
		}
		shown++
		if w := runewidth.StringWidth(l); w >= 100 || !strings.HasSuffix(l, "…") {
			t.Errorf("a line of the view %d columns wide, or not cut, on a terminal of 100:\n%q", w, l)
		}
	}
	if shown == 0 {
		t.Errorf("the view never showed the running cell:\n%q", stderr)
	}
}

// onPty runs cmd with the stream attach sets on a new pty (of size, when
// not nil) and returns what labrun wrote there; it skips where there is
// no pty and fails the test when cmd fails.
func onPty(t *testing.T, cmd *exec.Cmd, size *pty.Winsize, attach func(pts *os.File)) string {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptm.Close()
	if size != nil {
		pty.Setsize(ptm, size)
	}
	attach(pts)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, ptm); close(done) }() // ends with EIO once labrun is gone
	if err := cmd.Wait(); err != nil {
		t.Fatalf("labrun %s: %v", cmd.Args[1], err)
	}
	<-done
	return out.String()
}
