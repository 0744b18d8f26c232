package cram

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// pythonCases are (re) patterns and lines, for TestAgainstPythonRe.
// refused: a pattern RE2 cannot say as Python does, which matches
// nothing here.
var pythonCases = []struct {
	pattern, line string
	refused       bool
}{
	{`foo.*`, "foobar", false}, {`foo`, "foobar", false}, {`a|b`, "axyz", false}, {`a|b`, "xb", false},
	{`a|b`, "b", false}, {`(a|b)`, "b", false}, {`\d+`, "123", false}, {`\d+`, "12a", false},
	{`\w+\s\w+`, "ab cd", false}, {`\S+`, "a b", false}, {`[a-z]{2}`, "hi", false}, {`[a-z]{2}`, "hii", false},
	{`a{,2}`, "aa", false}, {`a{,2}`, "aaa", false}, {`a{,}`, "aaaa", false}, {`a{,x}`, "a{,x}", false},
	{`x{2`, "x{2", false}, {`ab\Z`, "ab", false}, {`\Aab`, "ab", false}, {`\bab\b`, "ab", false},
	{`\101`, "A", false}, {`\0`, "\x00", false}, {`[\1]`, "\x01", false}, {`\x41`, "A", false},
	{`[\b]`, "\b", false}, {`[[:alpha:]]`, "a", false}, {`[[:alpha:]]`, ":]", false}, {`[]a]+`, "a]", false},
	{`[^]a]`, "b", false}, {`(?i)AB`, "ab", false}, {`(?i)(?m)ab`, "AB", false}, {`(?#note)ab`, "ab", false},
	{`(?i:A)b`, "aB", false}, {`(?P<x>a)b`, "ab", false}, {`a.c`, "a\tc", false}, {`\.`, ".", false},
	{`\-\_\ `, "-_ ", false}, {`(?s).`, "x", false}, {`a*?`, "aaa", false}, {`^a$`, "a", false},
	{`***`, "***", false}, {`(`, "(", false}, {`a{2,1}`, "aa", false}, {`\e`, "e", false},
	{`\z`, "", false}, {`\pL`, "a", false}, {`\Q.\E`, ".", false}, {`(?U)a+`, "aa", false},
	{`(?<n>a)`, "a", false}, {`\x4`, "\x04", false}, {`[\Z]`, "Z", false}, {`a(?i)b`, "ab", false},
	{`(a)\1`, "aa", true}, {`(?P<x>a)(?P=x)`, "aa", true}, {`a(?=b)b`, "ab", true}, {`a(?<=a)b`, "ab", true},
	{`a(?!c)b`, "ab", true}, {`(?>ab)`, "ab", true}, {`a*+`, "aa", true}, {`(?x) a b`, "ab", true},
	{`(a)?(?(1)b|c)`, "ab", true}, {`a{1001}`, strings.Repeat("a", 1001), true}, {`\12`, "\n", false},
	{`[a-\d]`, "a", false}, {`(?a)\w`, "a", false}, {`(?L)\w`, "a", false}, {`(?u)\w`, "a", false},
}

// TestAgainstPythonRe: Matches of each " (re)" case says what Python's
// re.match(pattern + \Z) says, where python3 is installed, but for the
// patterns RE2 refuses (which match nothing).
func TestAgainstPythonRe(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	type pair struct{ P, L string }
	var in []pair
	for _, c := range pythonCases {
		in = append(in, pair{c.pattern, c.line})
	}
	data, _ := json.Marshal(in)
	script := `import json, re, sys, warnings
warnings.simplefilter("ignore")
out = []
for c in json.load(sys.stdin):
    try:
        out.append(bool(re.match(c["P"].encode("latin-1") + rb"\Z", c["L"].encode("latin-1"))))
    except re.error:
        out.append(False)
print(json.dumps(out))`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []bool
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(pythonCases) {
		t.Fatalf("python3 said %s (%v)", out, err)
	}
	for i, c := range pythonCases {
		got := Matches(c.pattern+ReSuffix, c.line)
		switch {
		case c.refused && got:
			t.Errorf("%q matches %q: RE2 cannot say it as Python does", c.pattern, c.line)
		case c.refused && !want[i]:
			t.Errorf("%q on %q: Python does not match it either; not a refusal", c.pattern, c.line)
		case !c.refused && got != want[i]:
			t.Errorf("%q on %q: %v, Python's re says %v", c.pattern, c.line, got, want[i])
		}
	}
}
