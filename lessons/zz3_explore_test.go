package lessons_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/labrun/labrun/lessons"
)

func TestZZ3(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/corpus/caos/caos_2019-2020/*/README_no_output.md")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		l, err := lessons.Parse("lesson.md", b)
		if err != nil {
			fmt.Println(f, err)
			continue
		}
		kinds := map[string]int{}
		for _, c := range l.Cells {
			kinds[c.Kind.String()]++
			if c.Line > 440 && c.Line < 450 || c.Line > 395 && c.Line < 399 {
				fmt.Printf("%s %+v\n", filepath.Base(filepath.Dir(f)), *c)
			}
		}
		fmt.Println(filepath.Base(filepath.Dir(f)), len(l.Cells), kinds)
	}
	files, _ = filepath.Glob("/work/shared/corpus/caos/caos_2019-2020/*/README.md")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		_, err := lessons.Parse("lesson.md", b)
		if err != nil {
			fmt.Println("REC", f, err)
		}
	}
}
