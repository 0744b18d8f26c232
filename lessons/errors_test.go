package lessons

import (
	"strings"
	"testing"
)

// TestErrorInert: a problem's message quotes the lesson, whose bytes are
// input like any other: an escape sequence in a magic's name (setting
// the terminal's title) is spelled out on the terminal, not sent.
func TestErrorInert(t *testing.T) {
	_, err := Parse("a\x1b[2J.md", []byte("# x\n\n```python\n%%b\x1b]0;TITLE\x07ad\nx\n```\n"))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("the error sends escape sequences: %q", got)
	}
	if want := `a\x1b[2J.md:4: unknown magic %%b\x1b]0;TITLE\x07ad`; !strings.Contains(got, want) {
		t.Errorf("error %q, want it to hold %q", got, want)
	}
}
