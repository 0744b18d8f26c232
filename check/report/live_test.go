package report

import (
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestLiveCommand: the view shows a cell's first line that is not a
// comment, cut to the terminal's columns (a wide character takes two).
func TestLiveCommand(t *testing.T) {
	for body, want := range map[string]string{
		"# build it\n\n// and run\n./a.out\n": "./a.out",
		"#!/bin/bash\necho hi\n":              "echo hi",
		"#include <stdio.h>\nint main;":       "#include <stdio.h>",
		"# only a comment\n#\n":               "# only a comment",
		"  \n  print(1)  \n":                  "print(1)",
	} {
		if got := firstLine(body); got != want {
			t.Errorf("firstLine(%q) = %q, want %q", body, got, want)
		}
	}
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"echo 日本語のテキスト", 10, "echo 日本…"},
		{"echo abc", 8, "echo abc"},
		{"echo abcdef", 8, "echo ab…"},
		{"日本", 0, ""},
	} {
		got := cut(c.s, c.n)
		if got != c.want || runewidth.StringWidth(got) > max(c.n, 0) {
			t.Errorf("cut(%q, %d) = %q (%d columns), want %q", c.s, c.n, got, runewidth.StringWidth(got), c.want)
		}
	}
	if w := visible("\x1b[36m⠙\x1b[0m 日本"); w != 6 {
		t.Errorf("visible: %d columns, want 6", w)
	}
}
