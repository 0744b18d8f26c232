package lessons_test

import "testing"

// TestFileContent: the bytes a file cell writes, as the course wrote them.
func TestFileContent(t *testing.T) {
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
			l := parse(t, "```python\n"+tt.cell+"\n```\n")
			c := l.Cells[0]
			if c.File == nil {
				t.Fatalf("cell has no FileSpec: %+v", c)
			}
			if c.File.Name != tt.file {
				t.Errorf("file name = %q, want %q", c.File.Name, tt.file)
			}
			if got := string(c.FileContent()); got != tt.want {
				t.Errorf("FileContent:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFileContentNative(t *testing.T) {
	l := parse(t, "```cpp file=hello.c run=\"gcc hello.c -o hello && ./hello\" timeout=2s\nint main() {  \n}\n```\n")
	c := l.Cells[0]
	if got, want := string(c.FileContent()), "int main() {  \n}\n"; got != want {
		t.Errorf("native file bytes = %q, want %q", got, want)
	}
}
