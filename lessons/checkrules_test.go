package lessons

import (
	"strings"
	"testing"
)

func TestParseCheckRules(t *testing.T) {
	src := `<!-- labrun: normalize /a+/A/ -->

# Title

<!-- labrun: ignore-output -->
<!-- another comment -->

` + "```python\n%%bash\nsleep 100\n```" + `

<!-- labrun: expect interrupted -->
<!-- labrun: any-order -->
` + "```python\n%%bash\nls\n```" + `

<!-- labrun: expect exit=3 -->
<!-- labrun: normalize |x/y|z| -->
` + "```python\n%%bash\nexit 3\n```\n"
	l, err := Parse("l.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseCheckRules("l.md", []byte(src), l.Cells)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lesson) != 1 || r.Lesson[0].Re.ReplaceAllString("baa", r.Lesson[0].Repl) != "bA" || r.Lesson[0].Line != 1 {
		t.Errorf("lesson rules: %+v", r.Lesson)
	}
	if c := r.For(0); !c.IgnoreOutput || c.AnyOrder || c.Expect != nil {
		t.Errorf("cell 0: %+v", c)
	}
	if c := r.For(1); !c.AnyOrder || c.Expect == nil || c.Expect.Kind != ExpectInterrupted || c.ExpectLine != 13 {
		t.Errorf("cell 1: %+v", c)
	}
	c := r.For(2)
	if c.Expect == nil || c.Expect.Kind != ExpectExit || c.Expect.Code != 3 || len(c.Normalize) != 1 || c.Normalize[0].Re.String() != "x/y" {
		t.Errorf("cell 2: %+v", c)
	}
}

func TestParseCheckRulesErrors(t *testing.T) {
	for src, want := range map[string]string{
		"<!-- labrun: normalize /a(/b/ -->\n":                            "normalize: \"a(\": error parsing regexp",
		"<!-- labrun: normalize /a/b -->\n":                              "want /REGEX/REPLACEMENT/",
		"<!-- labrun: expect exit=x -->\n```python\nls\n```\n":           "expect: exit=x",
		"<!-- labrun: expect crashed -->\n```python\nls\n```\n":          "want \"interrupted\" or \"exit=N\"",
		"<!-- labrun: ignore-output -->\n\ntext\n\n```python\nls\n```\n": "l.md:1: labrun: ignore-output: stands before no code cell",
		"<!-- labrun: any-order please -->\n```python\nls\n```\n":        "takes no argument",
	} {
		// A malformed rule is refused by Parse already (before anything
		// runs); where it is well formed but misplaced, ParseCheckRules
		// says so. Either way the message names the rule's line.
		l, err := Parse("l.md", []byte(src))
		if err == nil {
			_, err = ParseCheckRules("l.md", []byte(src), l.Cells)
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "l.md:1: labrun") {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// FuzzParseCheckRules: any lesson text either gives rules or an error
// naming a line; it never panics, and every rule it gives is for a cell
// of the lesson.
func FuzzParseCheckRules(f *testing.F) {
	f.Add("<!-- labrun: normalize /a+/A/ -->\n```python\nls\n```\n")
	f.Add("<!-- labrun: expect exit=3 -->\n<!-- labrun: any-order -->\n\n```python\nx\n```\n")
	f.Add("<!-- labrun: normalize |x\\|y|z| -->\n<!-- labrun: ignore-output -->\ntext\n")
	f.Fuzz(func(t *testing.T, src string) {
		l, err := Parse("l.md", []byte(src))
		if err != nil {
			return
		}
		r, err := ParseCheckRules("l.md", []byte(src), l.Cells)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "l.md:") {
				t.Fatalf("error names no line: %v", err)
			}
			return
		}
		for idx := range r.Cells {
			if idx < 0 || idx >= len(l.Cells) {
				t.Fatalf("rules for cell %d of %d", idx, len(l.Cells))
			}
		}
	})
}
