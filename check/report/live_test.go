package report

import (
	"encoding/json"
	"testing"
	"time"

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

// TestSeconds: JSON times are seconds to the microsecond, printed short.
func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		49:                                 "0",
		1277146000:                         "1.277146",
		1364885000:                         "1.364885",
		4839445054:                         "4.839445",
		1500:                               "0.000002",
		3*time.Second + 7*time.Millisecond: "3.007",
	} {
		b, _ := json.Marshal(Seconds(d))
		if string(b) != want {
			t.Errorf("Seconds(%d) = %s, want %s", d, b, want)
		}
	}
	for d := time.Duration(0); d < 3*time.Second; d += 7919 * time.Microsecond {
		if b, _ := json.Marshal(Seconds(d)); len(b) > len("0.000000")+1 {
			t.Errorf("Seconds(%v) = %s: more than six decimals", d, b)
		}
	}
}
