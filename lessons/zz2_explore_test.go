package lessons_test

import (
	"fmt"
	"testing"

	"github.com/labrun/labrun/lessons"
)

func TestZZ2(t *testing.T) {
	for _, src := range []string{
		"> ```python\n> print(1)\n> ```\n",
		"1. item\n\n   ```python\n   if 1:\n       print(1)\n   ```\n",
		"```python\r\nprint(1)\r\n```\r\n",
		"```python\n```\n",
		"```python\n```",
		"```python",
		"```python\n",
		"<!-- labrun timeout=30s -->\n\n```python\nx\n```\n",
		"```python\n%%bash\necho\n```\n",
		"```cpp file=a.c run=\"gcc a.c\" timeout=2s\nint main(){}\n```\n",
		"```python\n%%sql\nselect\n```\n",
		"```python\n%%writefile -a x\nselect\n```\n",
		"```python\n%%file x\nselect\n```\n",
		"```python\n   %%bash\nselect\n```\n",
		"  ```python\n  x = 1\n   y = 2\n  ```\n",
	} {
		l, err := lessons.Parse("lesson.md", []byte(src))
		fmt.Printf("%q\n  err=%v\n", src, err)
		if l != nil {
			fmt.Println("  timeout", l.Timeout)
			for _, c := range l.Cells {
				fmt.Printf("  cell %+v\n", *c)
			}
		}
	}
}
