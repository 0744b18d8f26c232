package lessons

import (
	"strings"
	"testing"
)

func TestCheckRules(t *testing.T) {
	src := `<!-- labrun: normalize /a+/A/ -->

# Title

<!-- labrun: ignore-output -->
<!-- another comment -->

` + "```python\n%%bash\nsleep 100\n```" + `

<!-- labrun: expect interrupted -->
<!-- labrun: any-order -->
` + "```python\n%%bash\nls\n```" + `

<!-- labrun: expect exit=3 -->
<!-- labrun: normalize |x\|y|z| -->
` + "```python\n%%bash\nexit 3\n```" + `

<!-- labrun:expect fail -->
<!-- labrun: normalize /it's \d+ (s)/it is N $1/ -->
` + "```python\n%%bash\nexit 1\n```\n"
	l, err := Parse("l.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Normalize) != 1 || l.Normalize[0].Re.ReplaceAllString("baa", l.Normalize[0].Repl) != "bA" || l.Normalize[0].Line != 1 || len(l.RuleErrors) != 0 {
		t.Errorf("lesson rules: %+v, errors %v", l.Normalize, l.RuleErrors)
	}
	if c := l.Cells[0].Rules; !c.IgnoreOutput || c.AnyOrder || c.Expect != nil {
		t.Errorf("cell 0: %+v", c)
	}
	if c := l.Cells[1].Rules; !c.AnyOrder || c.Expect == nil || c.Expect.Kind != ExpectInterrupted || c.ExpectLine != 13 {
		t.Errorf("cell 1: %+v", c)
	}
	c := l.Cells[2].Rules
	if c.Expect == nil || c.Expect.Kind != ExpectExit || c.Expect.Code != 3 || len(c.Normalize) != 1 || c.Normalize[0].Re.String() != "x|y" {
		t.Errorf("cell 2: %+v", c)
	}
	// The colon form without a blank, and a pattern with a quote and
	// blanks: one grammar reads them as it reads every directive.
	c = l.Cells[3].Rules
	if c.Expect == nil || c.Expect.Kind != ExpectFail || len(c.Normalize) != 1 ||
		c.Normalize[0].Re.ReplaceAllString("it's 12 s", c.Normalize[0].Repl) != "it is N s" {
		t.Errorf("cell 3: %+v", c)
	}
}

// TestRulePlacement: a rule governs the cell whose fence follows it with
// only blank lines and one-line comments between; else a normalize rule
// governs the lesson and another rule stands before no cell.
func TestRulePlacement(t *testing.T) {
	for _, tc := range []struct {
		src           string
		cell0, lesson int // normalize rules of cell 0 and of the lesson
		misplaced     int
	}{
		{"<!-- labrun: normalize /a/b/ -->\n\n<!-- x -->\n<!-- labrun: timeout=3s -->\n```python\nx\n```\n", 1, 0, 0},
		{"<!-- labrun: normalize /a/b/ -->\ntext\n\n```python\nx\n```\n", 0, 1, 0},
		{"<!-- labrun: normalize /a/b/ -->\n<!-- two\nlines -->\n```python\nx\n```\n", 0, 1, 0},
		{"<!-- labrun: ignore-output -->\n```text\nprose\n```\n```python\nx\n```\n", 0, 0, 1},
		{"- item\n\n  <!-- labrun: ignore-output -->\n\n```python\nx\n```\n", 0, 0, 0},
		{"```python\n%%writefile l.md\n<!-- labrun: ignore-output -->\n```\n", 0, 0, 0},
		{"```python\nx\n```\n<!-- labrun: any-order -->\n", 0, 0, 1},
	} {
		l, err := Parse("l.md", []byte(tc.src))
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got := len(l.Cells[0].Rules.Normalize); got != tc.cell0 || len(l.Normalize) != tc.lesson || len(l.RuleErrors) != tc.misplaced {
			t.Errorf("%q: cell 0 has %d normalize rules, the lesson %d, %d misplaced (%v); want %d, %d, %d",
				tc.src, got, len(l.Normalize), len(l.RuleErrors), l.RuleErrors, tc.cell0, tc.lesson, tc.misplaced)
		}
	}
}

func TestCheckRulesErrors(t *testing.T) {
	for src, want := range map[string]string{
		"<!-- labrun: normalize /a(/b/ -->\n":                            "normalize: \"a(\": error parsing regexp",
		"<!-- labrun: normalize /a/b -->\n":                              "want /REGEX/REPLACEMENT/",
		"<!-- labrun: normalize -->\n":                                   "normalize: want /REGEX/REPLACEMENT/",
		"<!-- labrun: expect exit=x -->\n```python\nls\n```\n":           "expect: exit=x: want exit:N (0-255), interrupted or fail",
		"<!-- labrun: expect crashed -->\n```python\nls\n```\n":          "want exit:N (0-255), interrupted or fail",
		"<!-- labrun: expect -->\n```python\nls\n```\n":                  "want one of exit:N, interrupted, fail",
		"<!-- labrun: ignore-output -->\n\ntext\n\n```python\nls\n```\n": "l.md:1: labrun: ignore-output: stands before no code cell",
		"<!-- labrun: any-order please -->\n```python\nls\n```\n":        "takes no argument",
	} {
		// A malformed rule is refused by Parse (before anything runs);
		// where it is well formed but misplaced, Parse gives the error
		// to the lesson's check (RuleErrors). Either way the message
		// names the rule's line.
		l, err := Parse("l.md", []byte(src))
		if err == nil && len(l.RuleErrors) > 0 {
			err = l.RuleErrors
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "l.md:1: labrun") {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// FuzzCheckRules: any lesson text either parses or gives an error naming
// a line; it never panics; every rule error names a line, and no cell but
// a lesson's has rules.
func FuzzCheckRules(f *testing.F) {
	f.Add("<!-- labrun: normalize /a+/A/ -->\n```python\nls\n```\n")
	f.Add("<!-- labrun: expect exit=3 -->\n<!-- labrun: any-order -->\n\n```python\nx\n```\n")
	f.Add("<!-- labrun: normalize |x\\|y|z| -->\n<!-- labrun: ignore-output -->\ntext\n")
	f.Add("<!-- labrun: dialect=native -->\n```sh name=s background\nx\n```\n<!-- labrun: wait s output=/a\\/ b/ 2s -->\n```sh run\n```\n")
	f.Fuzz(func(t *testing.T, src string) {
		l, err := Parse("l.md", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "l.md:") {
				t.Fatalf("error names no line: %v", err)
			}
			return
		}
		for _, e := range l.RuleErrors {
			if e.Line < 1 || !strings.HasPrefix(e.Error(), "l.md:") {
				t.Fatalf("rule error names no line: %v", e)
			}
		}
		for _, n := range l.Normalize {
			if n.Re == nil || n.Line < 1 {
				t.Fatalf("lesson rule %+v", n)
			}
		}
	})
}
