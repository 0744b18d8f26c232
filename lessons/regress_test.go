package lessons_test

import (
	"strings"
	"testing"

	"github.com/labrun/labrun/lessons"
)

// Regression tests for bugs found by the first test suite.

// A fence inside a blockquote or a list item is prose, not a cell: in the
// notebooks the lessons come from, code cells are never nested.
func TestNestedFencesAreProse(t *testing.T) {
	for _, src := range []string{
		"> ```python\n> print(1)\n> ```\n",
		"1. item\n\n   ```python\n   if 1:\n       print(1)\n   ```\n",
		"- item\n\n  ```cpp\n  %%cpp a.c\n  int x;\n  ```\n",
	} {
		l, err := lessons.Parse("lesson.md", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if len(l.Cells) != 0 {
			t.Errorf("%q: %d cells, want none (nested fences are prose)", src, len(l.Cells))
		}
	}
}

// A bad %%writefile is reported on its magic line, as a bad %%cpp is
// (it once was on the fence line).
func TestWritefileErrorOnMagicLine(t *testing.T) {
	for _, src := range []string{
		"```python\n%%writefile\nx\n```\n",
		"```python\n%%writefile -a x\nx\n```\n",
		"```python\n%%writefile ../x\nx\n```\n",
	} {
		_, err := lessons.Parse("lesson.md", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), "lesson.md:2: ") {
			t.Errorf("%q: got %v, want the error on line 2 (the magic line), as for %%%%cpp", src, err)
		}
	}
}

// Several bad attributes in one fence are reported in the same order on
// every parse (they once came in map order).
func TestAttributeErrorsInStableOrder(t *testing.T) {
	src := []byte("```cpp a=1 b=2 c=3 d=4 e=5\n```\n")
	_, first := lessons.Parse("lesson.md", src)
	for i := 0; i < 50; i++ {
		if _, err := lessons.Parse("lesson.md", src); err.Error() != first.Error() {
			t.Fatalf("the error text changed between two parses:\n%v\n---\n%v", first, err)
		}
	}
}

// A %-line inside a multi-line Python string is not a magic (IPython looks
// at logical lines only): Parse accepts the lesson (it once refused it).
func TestPercentLineInStringIsNotMagic(t *testing.T) {
	if _, err := lessons.Parse("lesson.md", []byte("```python\ns = \"\"\"\n%d items\n\"\"\"\n```\n")); err != nil {
		t.Errorf("Parse: %v", err)
	}
}
