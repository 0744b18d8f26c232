package cram

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// crammed are cases whose verdict and "cram -i -y" result come from
// cram 0.7 itself (cram3 on a .t file of one command, printf OUTPUT,
// with these recorded lines): pass says whether cram passes the command,
// patched is the recorded lines cram -i -y leaves (nil: the fresh ones).
// TestAgainstCram3 checks them against cram3 again where it is
// installed.
var crammed = []struct {
	name     string
	record   []string
	output   string
	pass     bool
	patched  []string
	exitCode int
}{
	{"literal", []string{"hi"}, "hi\n", true, []string{"hi"}, 0},
	{"literal differs", []string{"hi"}, "ho\n", false, []string{"ho"}, 0},
	{"re whole line", []string{"[a-z]{2} (re)"}, "hi\n", true, []string{"[a-z]{2} (re)"}, 0},
	{"re not a prefix", []string{"[a-z] (re)"}, "hi\n", false, []string{"hi"}, 0},
	{"re alternation anchors the last branch only", []string{"a|b (re)"}, "axyz\n", true, []string{"a|b (re)"}, 0},
	{"re last branch at the end", []string{"a|b (re)"}, "xb\n", false, []string{"xb"}, 0},
	{"re does not compile", []string{"*** (re)"}, "***\n", false, []string{"***"}, 0},
	{"re \\Z", []string{`ab\Z (re)`}, "ab\n", true, []string{`ab\Z (re)`}, 0},
	{"re {,n}", []string{`a{,3} (re)`}, "aa\n", true, []string{`a{,3} (re)`}, 0},
	{"re octal", []string{`\101 (re)`}, "A\n", true, []string{`\101 (re)`}, 0},
	{"re class bracket", []string{`[[:alpha:]]+ (re)`}, "abc\n", false, []string{"abc"}, 0},
	{"re against the escaped line", []string{`x\\x01y \(esc\) (re)`}, "x\x01y\n", true, []string{`x\\x01y \(esc\) (re)`}, 0},
	{"glob star", []string{"foo*baz (glob)"}, "foo bar baz\n", true, []string{"foo*baz (glob)"}, 0},
	{"glob question", []string{"fo? (glob)"}, "foobar\n", false, []string{"foobar"}, 0},
	{"glob escapes", []string{`\* \\ \? fo?b* (glob)`}, "* \\ ? foobar\n", true, []string{`\* \\ \? fo?b* (glob)`}, 0},
	{"glob escaped star is a star", []string{`a\*c (glob)`}, "abc\n", false, []string{"abc"}, 0},
	{"glob other chars literal", []string{"a.c (glob)"}, "abc\n", false, []string{"abc"}, 0},
	{"glob exit", []string{"hi", "[*] (glob)"}, "hi\n", true, []string{"hi", "[*] (glob)"}, 1},
	{"esc", []string{`a\tb (esc)`}, "a\tb\n", true, []string{`a\tb (esc)`}, 0},
	{"esc of a plain line", []string{`hi (esc)`}, "hi\n", true, []string{`hi (esc)`}, 0},
	{"no-eol", []string{"plain (no-eol)"}, "plain", true, []string{"plain (no-eol)"}, 0},
	{"no-eol missing", []string{"plain"}, "plain", false, []string{"plain (no-eol)"}, 0},
	{"a lone CR ends a line", []string{`a\r (no-eol) (esc)`, "b"}, "a\rb\n", true, []string{`a\r (no-eol) (esc)`, "b"}, 0},
	{"CR LF is one line end", []string{`x\r (esc)`, "y"}, "x\r\ny\n", true, []string{`x\r (esc)`, "y"}, 0},
	{"no-eol and esc", []string{`x\x01y (no-eol) (esc)`}, "x\x01y", true, []string{`x\x01y (no-eol) (esc)`}, 0},
	{"re matches the no-eol line", []string{"pla.* (re)"}, "plain", true, []string{"pla.* (re)"}, 0},
	{"only the lines that no longer match change", []string{"one", "t.o (re)", "x* (glob)", "four"}, "one\ntwo\nthree\nfour\n", false, []string{"one", "t.o (re)", "three", "four"}, 0},
	{"a missing line is added, matchers kept", []string{"a* (glob)", "end"}, "apple\nbanana\nend\n", false, []string{"a* (glob)", "banana", "end"}, 0},
	{"a line gone", []string{"a* (glob)", "gone", "end"}, "apple\nend\n", false, []string{"a* (glob)", "end"}, 0},
	{"shifted matcher line matches later", []string{"n.* (re)", "end"}, "new\nnext\nend\n", false, []string{"n.* (re)", "next", "end"}, 0},
}

// TestRE2Refuses: a pattern RE2 cannot say as Python does matches
// nothing, where cram matches it; so the line is rewritten.
func TestRE2Refuses(t *testing.T) {
	for _, c := range []struct{ pattern, line string }{
		{`(a)\1`, "aa"}, {`(?P<x>a)(?P=x)`, "aa"}, {`a(?=b)b`, "ab"}, {`(?<=a)b`, "ab"},
		{`(?>ab)`, "ab"}, {`a*+`, "aa"}, {`(?x) a b`, "ab"}, {`a(?i)b`, "aB"}, {`\12`, "\n"},
	} {
		if Matches(c.pattern+ReSuffix, c.line) {
			t.Errorf("%q matches %q", c.pattern, c.line)
		}
		if got := Patch([]string{c.pattern + ReSuffix}, []string{c.line}); !slices.Equal(got, []string{c.line}) {
			t.Errorf("Patch keeps %q: %q", c.pattern, got)
		}
	}
	for _, c := range []struct{ pattern, line string }{
		{`(?i)AB`, "ab"}, {`(?#note)ab`, "ab"}, {`[\b]`, "\b"}, {`\x41\0`, "A\x00"}, {`(?P<x>a)b`, "ab"},
		{`a{,}`, "aaa"}, {`a{,x}`, "a{,x}"}, {`[{,]+`, "{,"},
		{`[]a]+`, "]a"}, {`[^]a]`, "b"}, {`\d+\s\w`, "12 x"}, {`(?i:A)b`, "ab"}, {`[\1]`, "\x01"},
	} {
		if !Matches(c.pattern+ReSuffix, c.line) {
			t.Errorf("%q does not match %q", c.pattern, c.line)
		}
	}
}

// TestCrammed: Matched and Patch give cram's verdicts and its -i -y
// result for each case.
func TestCrammed(t *testing.T) {
	for _, c := range crammed {
		t.Run(c.name, func(t *testing.T) {
			fresh := OutputLines(c.output, c.exitCode)
			pass := slices.Equal(Matched(c.record, fresh), c.record)
			if pass != c.pass {
				t.Errorf("pass = %v, cram says %v (record %q, fresh %q)", pass, c.pass, c.record, fresh)
			}
			if got := Patch(c.record, fresh); !slices.Equal(got, c.patched) {
				t.Errorf("Patch = %q, cram -i -y writes %q", got, c.patched)
			}
			if again := Patch(Patch(c.record, fresh), fresh); !slices.Equal(again, c.patched) {
				t.Errorf("a second Patch changes the lines: %q", again)
			}
		})
	}
}

// TestAgainstCram3 runs each case through cram3, where it is installed:
// its verdict and its -i -y result are the table's.
func TestAgainstCram3(t *testing.T) {
	cram3 := lookCram3(t)
	for _, c := range crammed {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			body := "  $ printf '" + octalEscapes(c.output) + "'"
			if c.exitCode != 0 {
				body += fmt.Sprintf("; (exit %d)", c.exitCode)
			}
			body += "\n"
			for _, l := range c.record {
				body += "  " + l + "\n"
			}
			path := filepath.Join(dir, "c.t")
			os.WriteFile(path, []byte(body), 0o644)
			run := func(args ...string) error {
				cmd := exec.Command(cram3, append(args, "c.t")...)
				cmd.Dir = dir // -i patches c.t as the diff names it
				return cmd.Run()
			}
			err := run()
			if pass := err == nil; pass != c.pass {
				t.Errorf("cram3 pass = %v, table says %v", pass, c.pass)
			}
			run("-i", "-y")
			got, _ := os.ReadFile(path)
			lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")[1:]
			for i := range lines {
				lines[i] = strings.TrimPrefix(lines[i], "  ")
			}
			if !slices.Equal(lines, c.patched) {
				t.Errorf("cram3 -i -y writes %q, table says %q", lines, c.patched)
			}
		})
	}
}

// octalEscapes writes s for printf's format, every byte but letters and
// digits as \NNN.
func octalEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\%03o`, c)
		}
	}
	return b.String()
}

// debianExamples are the .t files Debian's python3-cram ships.
const debianExamples = "/usr/share/doc/python3-cram/examples"

// TestDebianExamples: for each example cram ships, Patch of its lines
// (whole file, indent kept, as cram diffs them) with the lines cram ran
// (its .err file) is what cram3 -i -y writes, and Matched says pass
// exactly where cram passes.
func TestDebianExamples(t *testing.T) {
	cram3 := lookCram3(t)
	files, _ := filepath.Glob(filepath.Join(debianExamples, "*.t"))
	if len(files) == 0 {
		skipOrFail(t, "no examples in "+debianExamples)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			dir := t.TempDir()
			src, _ := os.ReadFile(f)
			name := filepath.Base(f)
			path := filepath.Join(dir, name)
			os.WriteFile(path, src, 0o644)
			run := func(args ...string) error {
				cmd := exec.Command(cram3, append(args, name)...)
				cmd.Dir = dir
				return cmd.Run()
			}
			// -n keeps the .err file (what ran); then, in the same dir
			// (the same $TESTDIR), -y patches the test.
			passed := run("-i", "-n") == nil
			post, err := os.ReadFile(path + ".err")
			if err != nil {
				post = src // passed (or skipped): what ran is what is recorded
			}
			os.Remove(path + ".err")
			run("-i", "-y")
			want, _ := os.ReadFile(path)
			rec, fresh := fileLines(string(src)), fileLines(string(post))
			if got := Patch(rec, fresh); !slices.Equal(got, fileLines(string(want))) {
				t.Errorf("Patch:\n%s\ncram3 -i -y:\n%s", strings.Join(got, "\n"), want)
			}
			if pass := slices.Equal(Matched(rec, fresh), rec); pass != passed && !strings.Contains(string(src), "exit 80") {
				t.Errorf("pass = %v, cram3 says %v", pass, passed)
			}
		})
	}
}

// fileLines are a file's lines, as cram reads them (a last line without
// newline is one).
func fileLines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// lookCram3 gives cram3's path, with patch(1) beside it (cram3 -i needs
// it); the test skips where they are not installed, and fails under CI,
// where .ci/run installs them.
func lookCram3(t *testing.T) string {
	t.Helper()
	cram3, err := exec.LookPath("cram3")
	if err == nil {
		_, err = exec.LookPath("patch")
	}
	if err != nil {
		skipOrFail(t, "cram3 or patch is not installed (apt-get install python3-cram patch): "+err.Error())
	}
	return cram3
}

// skipOrFail skips the test, or fails it when CI is set.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set: " + why)
	}
	t.Skip(why)
}
