package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusProseFences: in every dev skeleton of the course corpus, a
// fence runs only when it is a python fence or starts with a %%magic;
// every other fence (C fragments, pasted terminal sessions) is prose and
// listed as not run.
func TestCorpusProseFences(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/caos/*/*/README_no_output.md")
	if len(files) == 0 {
		t.Skip("no corpus")
	}
	prose := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(f, src)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, c := range l.Cells {
			lang, _, _ := strings.Cut(c.Info, " ")
			if lang != "python" && !strings.HasPrefix(c.Source, "%%") {
				t.Errorf("%s: a ```%s fence without %%%% is a %s cell", c.Pos(f), c.Info, c.Kind)
			}
		}
		for _, nr := range l.NotRun {
			lang, _, _ := strings.Cut(nr.Info, " ")
			if nr.Reason != Nested && (lang == "python" || nr.Reason == NoLanguage && nr.Info != "") {
				t.Errorf("%s:%d: ```%s fence not run (%v)", f, nr.Line, nr.Info, nr.Reason)
			}
			if nr.Info != "" {
				prose++
			}
		}
	}
	if prose < 15 {
		t.Errorf("%d prose fences with a language in the dev corpus; it has 17", prose)
	}
}

// TestWhichFencesRun pins the rule for each dialect.
func TestWhichFencesRun(t *testing.T) {
	for _, tc := range []struct {
		lesson string
		cells  []Kind
		notRun []NotRunReason
	}{
		{"```python\nx = 1\n```\n\n```c\nint x;\n```\n\n```bash\nls\n```\n\n```text\nhi\n```\n", []Kind{Python}, []NotRunReason{Prose, Prose, Prose}},
		{"```cpp\n%%cpp a.c\nint x;\n```\n\n```bash\n%%bash\nls\n```\n", []Kind{File, Script}, nil},
		{"```\nplain\n```\n", nil, []NotRunReason{NoLanguage}},
		{"- item\n\n  ```python\n  x = 1\n  ```\n\n> ```sh run\n> ls\n> ```\n", nil, []NotRunReason{Nested, Nested}},
		{"```console\n$ ls\n```\n\n```shell-session\n$ ls\n```\n\n```console run\n$ ls\n```\n", []Kind{Console}, []NotRunReason{ConsoleNotRun, ConsoleNotRun}},
		{"<!-- labrun: console=run -->\n\n```console\n$ ls\n```\n\n```shell-session\n$ ls\n```\n", []Kind{Console, Console}, nil},
		{"<!-- labrun: dialect=native -->\n\n```python\nx = 1\n```\n\n```python run\nx = 1\n```\n\n```sh run\nls\n```\n\n```bash\n%%bash\nls\n```\n", []Kind{Python, Script, Script}, []NotRunReason{Prose}},
		{"```sh name=srv background\nsleep 1\n```\n\n```text skip\nx\n```\n\n```sh run skip\nls\n```\n", []Kind{Background, Skipped, Script}, nil},
	} {
		l, err := Parse("lesson.md", []byte(tc.lesson))
		if err != nil {
			t.Errorf("%q: %v", tc.lesson, err)
			continue
		}
		var kinds []Kind
		for _, c := range l.Cells {
			kinds = append(kinds, c.Kind)
		}
		var why []NotRunReason
		for _, nr := range l.NotRun {
			why = append(why, nr.Reason)
		}
		if !equalSlices(kinds, tc.cells) || !equalSlices(why, tc.notRun) {
			t.Errorf("%q: cells %v, not run %v; want %v, %v", tc.lesson, kinds, why, tc.cells, tc.notRun)
		}
	}
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
