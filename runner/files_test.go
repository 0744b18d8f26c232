package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labrun/labrun/transcript"
)

// fence wraps a cell body in a python fence, as the exported lessons do.
func fence(body string) string { return "```python\n" + body + "\n```\n" }

// TestFileCellsRun writes the files through a run, in place, and checks
// them on disk with the outputs the file cells show.
func TestFileCellsRun(t *testing.T) {
	need(t, "gcc", "make")
	dir := t.TempDir()
	md := "# Files\n\n" +
		fence("%%cpp hello.c\n%run gcc hello.c -o hello\n%run ./hello\n#include <stdio.h>\nint main() {\n    printf(\"hi\\n\");\n}") + "\n" +
		fence("%%makefile\nall:\n    echo made\n%run make -s") + "\n" +
		fence("%%writefile notes.txt\none") + "\n" +
		fence("%%writefile notes.txt\ntwo") + "\n" +
		"```cpp file=native.c run=\"gcc native.c -o native && ./native\"\n#include <stdio.h>\nint main() { puts(\"native\"); }\n```\n"
	res := runLessonIn(t, md, dir, Options{InPlace: true})
	files := map[string]string{
		"hello.c":   "// %%cpp hello.c\n// %run gcc hello.c -o hello\n// %run ./hello\n#include <stdio.h>\nint main() {\n    printf(\"hi\\n\");\n}\n\n",
		"makefile":  "# %%cpp makefile\nall:\n\techo made\n# %run make -s\n\n",
		"notes.txt": "two\n",
		"native.c":  "#include <stdio.h>\nint main() { puts(\"native\"); }\n",
	}
	for name, want := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(b) != want {
			t.Errorf("%s on disk:\n got %q\nwant %q", name, b, want)
		}
	}
	for _, cr := range res.Cells {
		if cr.Status != transcript.OK {
			t.Errorf("status %d, want ok:\n%s", cr.Status, dump(cr))
		}
	}
	c0 := res.Cells[0]
	md0 := outputsOf(c0, transcript.Markdown)
	if len(md0) != 2 || md0[0] != "Run: `gcc hello.c -o hello`" || md0[1] != "Run: `./hello`" {
		t.Errorf("cpp cell Markdown outputs = %q, want the two Run: lines", md0)
	}
	if got := streams(c0); got != "hi\n" {
		t.Errorf("cpp cell output = %q, want %q\n%s", got, "hi\n", dump(c0))
	}
	if c0.Steps != 2 || c0.Exit != (transcript.Exit{}) {
		t.Errorf("cpp cell steps=%d exit=%+v, want 2 and 0", c0.Steps, c0.Exit)
	}
	if got := streams(res.Cells[1]); got != "made\n" {
		t.Errorf("makefile cell output = %q", got)
	}
	if got := streams(res.Cells[2]); got != "Writing notes.txt\n" {
		t.Errorf("first writefile output = %q, want Writing", got)
	}
	if got := streams(res.Cells[3]); got != "Overwriting notes.txt\n" {
		t.Errorf("second writefile output = %q, want Overwriting", got)
	}
	if got := streams(res.Cells[4]); got != "native\n" {
		t.Errorf("native cell output = %q, want native\n%s", got, dump(res.Cells[4]))
	}
}

// TestFileCellSpoiler: --under-spoiler-threshold N shows the %run output as
// HTML, under <details> when it has more than N lines.
func TestFileCellSpoiler(t *testing.T) {
	md := fence("%%save_file a.sh --under-spoiler-threshold 2\n%run sh a.sh 3\n%run sh a.sh 1\nseq $1 | sed 's/^/<&/'")
	res := runLesson(t, md, Options{})
	cr := res.Cells[0]
	html := outputsOf(cr, transcript.HTML)
	want := []string{
		"<details> <summary> output </summary> <pre><code>&lt;1\n&lt;2\n&lt;3</code></pre></details>",
		"<pre><code>&lt;1</code></pre>",
	}
	if strings.Join(html, "|") != strings.Join(want, "|") {
		t.Errorf("spoiler HTML = %q, want %q\n%s", html, want, dump(cr))
	}
}
