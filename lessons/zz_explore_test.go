package lessons_test

import (
	"fmt"
	"testing"

	"github.com/labrun/labrun/lessons"
)

func TestZZ(t *testing.T) {
	for _, src := range []string{
		"# t\n\n```python\n%%foo bar\nx\n```\n",
		"# t\n\n```python\nprint(1)\n",
		"# t\n\n```cpp\n%%cpp\nint x;\n```\n",
		"# t\n\n```cpp\n%%cpp ../x.c\nint x;\n```\n",
		"# t\n\nbad \xff here\n",
		"# t\n\nnul \x00 here\n",
		"# t\n\n```python\nprint(1)\n%foo x\n```\n",
		"# t\n\n```python\nprint(1)\n%run x\n```\n",
		"# t\n\n```cpp\n%%cpp a.c\n%bogus\n```\n",
		"- item\n\n  ```python\n  print(1)\n  ```\n",
		"> ```python\n> print(1)\n",
		"```python\nprint(1)\n```",
		"```\nno info\n```\n",
		"~~~python\nprint(1)\n~~~\n",
		"````python\n```\nprint(1)\n````\n",
	} {
		l, err := lessons.Parse("lesson.md", []byte(src))
		fmt.Printf("%q\n  err=%v\n", src, err)
		if l != nil {
			for _, c := range l.Cells {
				fmt.Printf("  cell %+v\n", *c)
			}
		}
	}
}
