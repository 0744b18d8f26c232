package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fence wraps a cell body in a python fence, as the exported lessons do.
func fence(body string) string { return "```python\n" + body + "\n```\n" }

func TestFileBytes(t *testing.T) {
	tests := []struct {
		name string
		cell string
		file string
		want string
	}{
		{
			name: "cpp",
			cell: "%%cpp hello.c\n" +
				"%run gcc hello.c -o hello\n" +
				"%run ./hello\n" +
				"#include <stdio.h>\n" +
				"\n" +
				"int main() {  \n" +
				"    printf(\"hi\\n\");\n" +
				"}",
			file: "hello.c",
			want: "// %%cpp hello.c\n" +
				"// %run gcc hello.c -o hello\n" +
				"// %run ./hello\n" +
				"#include <stdio.h>\n" +
				"\n" +
				"int main() {  \n" + // trailing spaces kept without --ejudge-style
				"    printf(\"hi\\n\");\n" +
				"}\n\n",
		},
		{
			name: "cpp comment and MD lines",
			cell: "%%cpp a.c\n%// a comment\n%MD **bold**\nint x;",
			file: "a.c",
			want: "// %%cpp a.c\n// %// a comment\n// %MD **bold**\nint x;\n\n",
		},
		{
			name: "ejudge style",
			cell: "%%cpp sol.c --ejudge-style\n" +
				"%run gcc sol.c   \n" +
				"int main() {   \n" +
				"\treturn 0;\t \n" +
				"}  ",
			file: "sol.c",
			want: "// %%cpp sol.c --ejudge-style\n" +
				"// %run gcc sol.c\n" +
				"int main() {\n" +
				"\treturn 0;\n" +
				"}\n" +
				"\n" +
				`// line without \n`, // no newline at the very end
		},
		{
			name: "asm",
			cell: "%%asm f.S\n  .text\n%run gcc -c f.S",
			file: "f.S",
			want: "// %%cpp f.S\n  .text\n// %run gcc -c f.S\n\n",
		},
		{
			name: "save_file",
			cell: "%%save_file s.py\n%run python3 s.py\nprint(1)",
			file: "s.py",
			want: "# %%cpp s.py\n# %run python3 s.py\nprint(1)\n\n",
		},
		{
			name: "cmake",
			cell: "%%cmake CMakeLists.txt\ncmake_minimum_required(VERSION 2.8)",
			file: "CMakeLists.txt",
			want: "# %%cpp CMakeLists.txt\ncmake_minimum_required(VERSION 2.8)\n\n",
		},
		{
			name: "makefile",
			cell: "%%makefile\n" +
				"all: a\n" +
				"    echo one\n" +
				"        echo two\n" +
				"a:   x\n" +
				"%run make",
			file: "makefile",
			want: "# %%cpp makefile\n" +
				"all: a\n" +
				"\techo one\n" +
				"\t\techo two\n" +
				"a:   x\n" + // three spaces are not a tab
				"# %run make\n" +
				"\n",
		},
		{
			name: "writefile",
			cell: "%%writefile notes.txt\n%run not a command  \n  indented  \nlast",
			file: "notes.txt",
			want: "%run not a command  \n  indented  \nlast\n",
		},
		{
			name: "file alias",
			cell: "%%file sub/x.txt\nx",
			file: "sub/x.txt",
			want: "x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := parseLesson(t, fence(tt.cell))
			c := l.Cells[0]
			if c.File == nil {
				t.Fatalf("cell has no FileSpec: %+v", c)
			}
			if c.File.Name != tt.file {
				t.Errorf("file name = %q, want %q", c.File.Name, tt.file)
			}
			if got := string(fileBytes(c.File, cellBody(c))); got != tt.want {
				t.Errorf("fileBytes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFileBytesNative(t *testing.T) {
	l := parseLesson(t, "```cpp file=hello.c run=\"gcc hello.c -o hello && ./hello\" timeout=2s\nint main() {  \n}\n```\n")
	c := l.Cells[0]
	if got, want := string(fileBytes(c.File, cellBody(c))), "int main() {  \n}\n"; got != want {
		t.Errorf("native file bytes = %q, want %q", got, want)
	}
}

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
		if cr.Status != OK {
			t.Errorf("status %d, want ok:\n%s", cr.Status, dump(cr))
		}
	}
	c0 := res.Cells[0]
	md0 := outputsOf(c0, Markdown)
	if len(md0) != 2 || md0[0] != "Run: `gcc hello.c -o hello`" || md0[1] != "Run: `./hello`" {
		t.Errorf("cpp cell Markdown outputs = %q, want the two Run: lines", md0)
	}
	if got := streams(c0); got != "hi\n" {
		t.Errorf("cpp cell output = %q, want %q\n%s", got, "hi\n", dump(c0))
	}
	if c0.Steps != 2 || c0.Exit != (Exit{}) {
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
	html := outputsOf(cr, HTML)
	want := []string{
		"<details> <summary> output </summary> <pre><code>&lt;1\n&lt;2\n&lt;3</code></pre></details>",
		"<pre><code>&lt;1</code></pre>",
	}
	if strings.Join(html, "|") != strings.Join(want, "|") {
		t.Errorf("spoiler HTML = %q, want %q\n%s", html, want, dump(cr))
	}
}
