package lessons

import (
	"strings"
	"testing"
)

// TestSaveFileParsers: the current save_file parser and the 2019 one
// (without --under-spoiler-threshold) refuse what Python's argparse
// refuses, with their own usage lines.
func TestSaveFileParsers(t *testing.T) {
	for _, tc := range []struct {
		args         string
		current, old string // the last line of the text, "" for none
	}{
		{"a.c", "", ""},
		{"a.c --ejudge-style", "", ""},
		{"a.c --under-spoiler-threshold 3", "", "ipykernel_launcher.py: error: unrecognized arguments: --under-spoiler-threshold 3"},
		{"a.c --u=3", "", "ipykernel_launcher.py: error: unrecognized arguments: --u=3"},
		{"", "ipykernel_launcher.py: error: the following arguments are required: fname",
			"ipykernel_launcher.py: error: the following arguments are required: fname"},
		{"-h", "  --under-spoiler-threshold UNDER_SPOILER_THRESHOLD", "  --ejudge-style"},
	} {
		for _, v := range []struct {
			p    *saveFileParser
			want string
		}{{saveFileCurrent, tc.current}, {saveFile2019, tc.old}} {
			_, exit := argparseSaveFile(tc.args, v.p)
			got := ""
			if exit != nil {
				got = lastLine(exit.Text)
			}
			if got != v.want {
				t.Errorf("%q (2019: %v): %q, want %q", tc.args, v.p == saveFile2019, got, v.want)
			}
		}
	}
	_, exit := argparseSaveFile("a.c b.c", saveFile2019)
	if exit == nil || !strings.HasPrefix(exit.Text, "usage: ipykernel_launcher.py [-h] [--ejudge-style] fname\nipykernel_launcher.py: error:") {
		t.Errorf("2019 usage: %+v", exit)
	}
	_, exit = argparseSaveFile("-h", saveFile2019)
	if exit == nil || exit.Code != 0 || !strings.Contains(exit.Text, "\noptional arguments:\n  -h, --help      show") {
		t.Errorf("2019 help: %+v", exit)
	}
}

// TestMagicExitUnder: a cell's magic line under the 2019 magics exits
// where their parser refuses it, though the current one takes it.
func TestMagicExitUnder(t *testing.T) {
	l, err := Parse("lesson.md", []byte("```cpp\n%%cpp a.c --under-spoiler-threshold 3\nint x;\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := l.Cells[0]
	if c.MagicExitUnder(MagicsCurrent) != nil || c.File == nil {
		t.Errorf("current: %+v, file %+v", c.MagicExitUnder(MagicsCurrent), c.File)
	}
	if e := c.MagicExitUnder(Magics2019); e == nil || e.Code != 2 {
		t.Errorf("2019: %+v", e)
	}
}
