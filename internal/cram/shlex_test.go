package cram

import (
	"encoding/json"
	"os/exec"
	"slices"
	"testing"
)

// shlexCases are --shell-opts values and how Python's shlex.split splits
// them (or "error").
var shlexCases = map[string][]string{
	"":                   nil,
	"-e":                 {"-e"},
	"  -e   -x ":         {"-e", "-x"},
	`-o 'pipe fail'`:     {"-o", "pipe fail"},
	`a"b c"d`:            {"ab cd"},
	`"a\"b\\c\d"`:        {`a"b\c\d`},
	`a\ b`:               {"a b"},
	`''`:                 {""},
	`'a\b'`:              {`a\b`},
	"#x y":               {"#x", "y"},
	"'open":              {"error"},
	`"open`:              {"error"},
	`end\`:               {"error"},
	"-O extglob\t-c\n-l": {"-O", "extglob", "-c", "-l"},
}

func TestSplitArgs(t *testing.T) {
	for in, want := range shlexCases {
		got, err := SplitArgs(in)
		if err != nil {
			got = []string{"error"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSplitArgsPython checks shlexCases against Python's shlex itself,
// where python3 is installed.
func TestSplitArgsPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	for in, want := range shlexCases {
		out, err := exec.Command(py, "-c", "import json, shlex, sys\ntry:\n print(json.dumps(shlex.split(sys.argv[1]) or None))\nexcept ValueError:\n print(json.dumps(['error']))", in).Output()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("shlex.split(%q) = %q; the case says %q", in, got, want)
		}
	}
}
