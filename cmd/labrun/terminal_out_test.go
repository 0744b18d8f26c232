package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTranscriptOnTerminal: "labrun run" without -o on a terminal shows
// the transcript with a display's escape sequences (which the
// transcript keeps as the program printed them) spelled out: an OSC 52
// clipboard write, a title and a clear screen do not reach the
// terminal. To a pipe the transcript is written as it is.
func TestTranscriptOnTerminal(t *testing.T) {
	dir := t.TempDir()
	lesson := filepath.Join(dir, "lesson.md")
	src := "# Display\n\n```python\nfrom IPython.display import Markdown, display\n" +
		"display(Markdown('clip \\x1b]52;c;cHduZWQ=\\x07 title \\x1b]0;T\\x07 clear \\x1b[2J'))\n```\n"
	if err := os.WriteFile(lesson, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(tty bool) string {
		cmd := exec.Command(labrunBinary(t), "run", lesson)
		cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "NO_COLOR=1")
		var out bytes.Buffer
		if !tty {
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("labrun run: %v", err)
			}
			return out.String()
		}
		return onPty(t, cmd, nil, func(pts *os.File) { cmd.Stdout = pts })
	}
	shown := `clip \x1b]52;c;cHduZWQ=\x07 title \x1b]0;T\x07 clear \x1b[2J`
	if got := run(true); strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, shown) {
		t.Errorf("on a terminal the transcript sends escape sequences, or does not show them:\n%q", got)
	}
	if got := run(false); !strings.Contains(got, "clip \x1b]52;c;cHduZWQ=\x07 title") {
		t.Errorf("to a pipe the transcript is not as printed:\n%q", got)
	}
}
