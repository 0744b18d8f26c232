package lessons_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/lessons"

	"github.com/labrun/labrun/internal/marker"
)

func parse(t *testing.T, src string) *lessons.Lesson {
	t.Helper()
	l, err := lessons.Parse("lesson.md", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\nlesson: %q", err, src)
	}
	return l
}

// py wraps a cell body in a python fence, as nbconvert exports code cells.
func py(body string) string { return "```python\n" + body + "\n```\n" }

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the whole error text
	}{
		{"unknown cell magic", "# t\n\n" + py("%%foo bar\nx"),
			"lesson.md:4: unknown magic %%foo"},
		{"unknown line magic", "# t\n\n" + py("print(1)\n%foo x"),
			"lesson.md:5: unknown magic %foo"},
		{"%run in a python cell", "# t\n\n" + py("x = 1\n%run ls"),
			"lesson.md:5: %run is only known inside a file cell (%%cpp FILE ...): use !CMD in a Python cell"},
		{"%%script of another program", "# t\n\n" + py("%%script python3\nprint(1)"),
			"lesson.md:4: %%script python3: labrun runs %%script bash and %%script sh"},
		{"a %%time cell's line magics", "# t\n\n" + py("%%time\nx = 1\n%foo x"),
			"lesson.md:6: unknown magic %foo"},
		{"cell magic not first", py("x = 1\n%%bash\necho"),
			"lesson.md:3: cell magic %%bash must be the first line of its cell"},
		{"unclosed fence", "# t\n\n```python\nprint(1)\n",
			"lesson.md:3: unclosed code fence \"```python\": no closing ``` before the end of its block"},
		{"unclosed fence at the end", "text\n```python",
			"lesson.md:2: unclosed code fence \"```python\": no closing ``` before the end of its block"},
		{"unclosed tilde fence", "~~~~bash\n%%bash\n~~~\n",
			"lesson.md:1: unclosed code fence \"~~~~bash\": no closing ~~~~ before the end of its block"},
		{"cpp outside the work dir", "# t\n\n" + py("%%cpp ../x.c\nint x;"),
			"lesson.md:4: %%cpp ../x.c: path leaves the work directory"},
		{"cpp sneaking out", py("%%cpp a/../../x.c\nint x;"),
			"lesson.md:2: %%cpp a/../../x.c: path leaves the work directory"},
		{"cpp absolute", py("%%cpp /tmp/x.c\nint x;"),
			"lesson.md:2: %%cpp /tmp/x.c: absolute path; files are written inside the work directory"},
		{"file cell subcommand", py("%%cpp a.c\n%bogus thing\nint x;"),
			"lesson.md:3: unknown %%cpp subcommand %bogus (known: %run CMD, %MD TEXT, %// or %# comment)"},
		{"writefile append", py("%%writefile -a x.txt\nx"),
			"lesson.md:2: %%writefile -a (append) is not supported"},
		{"invalid UTF-8", "# t\n\nbad \xff here\n",
			"lesson.md:3: invalid UTF-8"},
		{"invalid UTF-8 in a cell", "# t\n" + py("print('\xc3')"),
			"lesson.md:3: invalid UTF-8"},
		{"NUL byte", "# t\n\nnul \x00 here\n",
			"lesson.md:3: binary content (NUL byte): not a Markdown lesson"},
		{"native unknown attribute", "```cpp file=a.c color=red\nint x;\n```\n",
			"lesson.md:1: fence info: unknown attribute \"color\" (known: file=, run=, run, timeout=, stdin=, cwd=, env=, pty, no-pty, skip, name=, background, expect=, session=)"},
		{"native bad timeout", "```sh run=\"ls\" timeout=soon\n```\n",
			"lesson.md:1: fence info: timeout=soon: want a positive duration such as 2s or 1m"},
		{"native negative timeout", "```sh run=ls timeout=-1s\n```\n",
			"lesson.md:1: fence info: timeout=-1s: want a positive duration such as 2s or 1m"},
		{"native unterminated quote", "```cpp file=a.c run=\"gcc a.c\n```\n",
			"lesson.md:1: fence info: unterminated \" quote"},
		{"native attribute twice", "```cpp file=a.c file=b.c\n```\n",
			"lesson.md:1: fence info: file given twice"},
		{"native without file or run", "```cpp timeout=2s\nint x;\n```\n",
			"lesson.md:1: fence info: a cpp cell with attributes needs file=, run=CMD or a language that runs (sh, bash, python, console)"},
		{"directive unknown setting", "<!-- labrun color=red -->\n\ntext\n",
			"lesson.md:1: labrun directive: unknown setting \"color\" (known: timeout…"},
		{"directive bad timeout", "text\n\n<!-- labrun timeout=0s -->\n",
			"lesson.md:3: labrun directive: timeout=0s: want a positive duration such as 2s or 1m"},
		{"a transcript", py("print(1)") + marker.Open + " cell=0 -->\n\n    1\n" + marker.Close + "\n",
			"lesson.md:4: a labrun output marker: this is a transcript, not a lesson (run the lesson it came from)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := lessons.Parse("lesson.md", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; cells: %d", len(l.Cells))
			}
			if l != nil {
				t.Errorf("a lesson was returned with the error")
			}
			// A want ending in … is a prefix (lists that grow).
			if prefix, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("error:\n got %s\nwant %s…", err, prefix)
				}
			} else if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var list lessons.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is %T, want a non-empty lessons.ErrorList", err)
			}
			for _, e := range list {
				if e.Name != "lesson.md" || e.Line < 1 {
					t.Errorf("error %q: Name %q Line %d", e, e.Name, e.Line)
				}
			}
		})
	}
}

// TestNativePathOutside: a native file= outside the work dir is refused.
// (The message reads "%%file= ../a.c: ..." and is followed by a second,
// misleading "needs file= or run=" error: see the test report.)
func TestNativePathOutside(t *testing.T) {
	_, err := lessons.Parse("lesson.md", []byte("```cpp file=../a.c\n```\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "lesson.md:1: ") || !strings.Contains(err.Error(), "../a.c: path leaves the work directory") {
		t.Errorf("got %v", err)
	}
}

// TestParseErrorsAll: every problem is reported, not just the first.
func TestParseErrorsAll(t *testing.T) {
	src := py("%%foo") + "\n" + py("%%cpp ../x.c\nx") + "\n" + py("%bar")
	_, err := lessons.Parse("l.md", []byte(src))
	want := "l.md:2: unknown magic %%foo\nl.md:6: %%cpp ../x.c: path leaves the work directory\nl.md:11: unknown magic %bar"
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n got %v\nwant %s", err, want)
	}
}

// TestErrorFormat: an Error without a line has no line in its text.
func TestErrorFormat(t *testing.T) {
	if got := (&lessons.Error{Name: "a.md", Msg: "m"}).Error(); got != "a.md: m" {
		t.Errorf("got %q", got)
	}
	if got := (&lessons.Error{Name: "a.md", Line: 7, Msg: "m"}).Error(); got != "a.md:7: m" {
		t.Errorf("got %q", got)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		body    string
		kind    lessons.Kind
		magic   string
		file    string
		comment string
		args    string
	}{
		{"%%cpp a.c\nint x;", lessons.File, "cpp", "a.c", "//", "a.c"},
		{"%%asm f.S\nnop", lessons.File, "asm", "f.S", "//", "f.S"},
		{"%%save_file s.py\nx", lessons.File, "save_file", "s.py", "#", "s.py"},
		{"%%cmake CMakeLists.txt\nx", lessons.File, "cmake", "CMakeLists.txt", "#", "CMakeLists.txt"},
		{"%%makefile\nall:", lessons.File, "makefile", "makefile", "#", ""},
		{"%%makefile sub/makefile\nall:", lessons.File, "makefile", "sub/makefile", "#", "sub/makefile"},
		{"%%cpp a.c --ejudge-style  \nx", lessons.File, "cpp", "a.c", "//", "a.c --ejudge-style"},
		{"%%writefile w.txt\nx", lessons.WriteFile, "writefile", "w.txt", "", "w.txt"},
		{"%%file w.txt\nx", lessons.WriteFile, "file", "w.txt", "", "w.txt"},
		{"%%bash\necho", lessons.Script, "bash", "", "", ""},
		{"%%sh\necho", lessons.Script, "sh", "", "", ""},
		{"%%sql\nSELECT 1", lessons.Skipped, "sql", "", "", ""},
		{"%%save_cell_as_string s\nx", lessons.Skipped, "save_cell_as_string", "", "", "s"},
		{"print(1)\n!ls\nx = !ls\n%p x\n%MD text\n%bash_async sleep 1\ny = %p x", lessons.Python, "", "", "", ""},
		{"", lessons.Python, "", "", "", ""},
		{"get_ipython().run_cell('!echo hi')", lessons.Python, "", "", "", ""},
	}
	for _, tt := range tests {
		name, _, _ := strings.Cut(tt.body, "\n")
		t.Run(name, func(t *testing.T) {
			c := parse(t, py(tt.body)).Cells[0]
			if c.Kind != tt.kind || c.Magic != tt.magic || c.Args != tt.args {
				t.Errorf("kind %v magic %q args %q, want %v %q %q", c.Kind, c.Magic, c.Args, tt.kind, tt.magic, tt.args)
			}
			if tt.file == "" {
				if c.File != nil {
					t.Errorf("unexpected FileSpec %+v", c.File)
				}
				return
			}
			if c.File == nil {
				t.Fatalf("no FileSpec")
			}
			if c.File.Name != tt.file || c.File.Comment != tt.comment {
				t.Errorf("file %q comment %q, want %q %q", c.File.Name, c.File.Comment, tt.file, tt.comment)
			}
			if c.File.Verbatim != (tt.kind == lessons.WriteFile) {
				t.Errorf("Verbatim = %v", c.File.Verbatim)
			}
			if c.File.Tabs != (tt.magic == "makefile") {
				t.Errorf("Tabs = %v", c.File.Tabs)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	want := map[lessons.Kind]string{lessons.Python: "python", lessons.File: "file", lessons.WriteFile: "writefile",
		lessons.Script: "script", lessons.Setup: "setup", lessons.Skipped: "skipped", lessons.Kind(42): "kind(42)"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

// TestFileSpec: options and %-lines of a file cell, with their lines.
func TestFileSpec(t *testing.T) {
	src := "# t\n\n" + py("%%cpp sol.c --ejudge-style --under-spoiler-threshold=5\n"+
		"%run gcc sol.c -o sol  \n"+
		"%// a comment\n"+
		"%# another\n"+
		"int main() {}\n"+
		"%MD  **done**  \n"+
		"%run ./sol")
	c := parse(t, src).Cells[0]
	fs := c.File
	if !fs.EjudgeStyle || fs.SpoilerThreshold != 5 || fs.Header != "sol.c --ejudge-style --under-spoiler-threshold=5" {
		t.Errorf("FileSpec options: %+v", fs)
	}
	want := []lessons.Command{
		{Kind: lessons.Run, Text: "gcc sol.c -o sol", Line: 5},
		{Kind: lessons.Comment, Text: "a comment", Line: 6},
		{Kind: lessons.Comment, Text: "another", Line: 7},
		{Kind: lessons.Markdown, Text: "**done**", Line: 9},
		{Kind: lessons.Run, Text: "./sol", Line: 10},
	}
	if len(fs.Commands) != len(want) {
		t.Fatalf("commands %+v, want %+v", fs.Commands, want)
	}
	for i := range want {
		if fs.Commands[i] != want[i] {
			t.Errorf("command %d = %+v, want %+v", i, fs.Commands[i], want[i])
		}
	}
	c = parse(t, py("%%cpp a.c --under-spoiler-threshold 3\nx")).Cells[0]
	if c.File.SpoilerThreshold != 3 || c.File.Name != "a.c" {
		t.Errorf("spoiler threshold as a separate word: %+v", c.File)
	}
}

// TestCellPositions: Line is the opening fence, EndLine the closing one,
// Source the text between without the final newline.
func TestCellPositions(t *testing.T) {
	src := "# Title\n" + // 1
		"\n" + // 2
		"```python\n" + // 3
		"a = 1\n" + // 4
		"b = 2\n" + // 5
		"```\n" + // 6
		"\n" + // 7
		"```\n" + // 8: no info string: prose, not a cell
		"not a cell\n" + // 9
		"```\n" + // 10
		"\n" + // 11
		"~~~bash\n" + // 12
		"%%bash\n" + // 13
		"~~~\n" + // 14
		"````python\n" + // 15
		"```\n" + // 16: a shorter fence inside
		"````\n" + // 17
		"```python\n" + // 18
		"```" // 19, no final newline
	l := parse(t, src)
	want := []struct {
		line, end int
		source    string
		kind      lessons.Kind
	}{
		{3, 6, "a = 1\nb = 2", lessons.Python},
		{12, 14, "%%bash", lessons.Script},
		{15, 17, "```", lessons.Python},
		{18, 19, "", lessons.Python},
	}
	if len(l.Cells) != len(want) {
		t.Fatalf("%d cells, want %d", len(l.Cells), len(want))
	}
	for i, w := range want {
		c := l.Cells[i]
		if c.Index != i || c.Line != w.line || c.EndLine != w.end || c.Source != w.source || c.Kind != w.kind {
			t.Errorf("cell %d: index %d lines %d-%d source %q kind %v, want %d-%d %q %v",
				i, c.Index, c.Line, c.EndLine, c.Source, c.Kind, w.line, w.end, w.source, w.kind)
		}
		if got := c.Pos("lesson.md"); got != "lesson.md:"+strconv.Itoa(w.line) {
			t.Errorf("Pos = %q", got)
		}
	}
	if l.Cells[0].BodyLine(1) != 5 {
		t.Errorf("BodyLine(1) = %d, want 5", l.Cells[0].BodyLine(1))
	}
	if string(l.Source) != src || l.Name != "lesson.md" {
		t.Errorf("Source/Name not kept")
	}
}

// globAll returns the files matching any of the patterns.
func globAll(patterns ...string) ([]string, error) {
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

// TestCRLF: a lesson with \r\n lines parses as the same cells.
func TestCRLF(t *testing.T) {
	l := parse(t, "# t\r\n\r\n```python\r\n%%cpp a.c\r\n%run gcc a.c\r\nint x;\r\n```\r\n")
	c := l.Cells[0]
	if c.Kind != lessons.File || c.File.Name != "a.c" || c.Source != "%%cpp a.c\n%run gcc a.c\nint x;" {
		t.Errorf("CRLF cell: %+v %+v", c, c.File)
	}
	if len(c.File.Commands) != 1 || c.File.Commands[0].Text != "gcc a.c" {
		t.Errorf("CRLF commands: %+v", c.File.Commands)
	}
}

// TestSetupCell: the course's set-up one-liner is recognized.
func TestSetupCell(t *testing.T) {
	for _, body := range []string{
		"# look at tools/set_up_magics.ipynb\nget_ipython().run_cell('# one_liner_str\\n\\nfrom IPython.core.magic import register_cell_magic\\n')\nNone",
		"get_ipython().run_cell('import os') #MAGICS_SETUP_END",
	} {
		l := parse(t, "# t\n\n"+py(body)+"\n"+py("print(1)"))
		if l.Cells[0].Kind != lessons.Setup {
			t.Errorf("set-up cell %q classified %v", body, l.Cells[0].Kind)
		}
		if l.Cells[1].Kind != lessons.Python {
			t.Errorf("cell after set-up classified %v", l.Cells[1].Kind)
		}
	}
	// The real one, from the course's seed lesson.
	b, err := os.ReadFile("../../shared/corpus/seed/fifo-proc-2019_no_output.md")
	if err != nil {
		t.Logf("no seed lesson (%v): real set-up cell not checked", err)
		return
	}
	l, err := lessons.Parse("fifo.md", b)
	if err != nil {
		t.Fatalf("seed lesson: %v", err)
	}
	if l.Cells[0].Kind != lessons.Setup {
		t.Errorf("the seed lesson's first cell is %v, want setup", l.Cells[0].Kind)
	}
	for _, c := range l.Cells[1:] {
		if c.Kind == lessons.Setup {
			t.Errorf("cell %d at line %d also classified setup", c.Index, c.Line)
		}
	}
}

// TestNativeDialect: attributes in the fence info string.
func TestNativeDialect(t *testing.T) {
	l := parse(t, "```cpp file=hello.c run=\"gcc hello.c -o hello\" run=./hello timeout=2s\nint main() {}\n```\n\n"+
		"```sh timeout=3s\necho hi\n```\n\n"+
		"```bash timeout=1s\necho body\n```\n\n"+
		"```sh run=\"echo one\" run=\"echo two\"\n```\n\n"+
		"```python timeout=1m30s\nprint(1)\n```\n\n"+
		"```makefile file=sub/makefile\nall:\n```\n")
	c := l.Cells[0]
	if c.Kind != lessons.File || c.Magic != "" || c.File == nil || c.File.Name != "hello.c" || !c.File.Verbatim {
		t.Errorf("native file cell: %+v %+v", c, c.File)
	}
	want := []lessons.Command{{Kind: lessons.Run, Text: "gcc hello.c -o hello", Line: 1}, {Kind: lessons.Run, Text: "./hello", Line: 1}}
	if diff := cmp.Diff(want, c.File.Commands); diff != "" {
		t.Errorf("native run= commands (-want +got):\n%s", diff)
	}
	if c.Timeout != 2*time.Second {
		t.Errorf("native timeout %v", c.Timeout)
	}
	if c := l.Cells[1]; c.Kind != lessons.Script || c.Shell != "sh" || c.Magic != "" || c.Timeout != 3*time.Second {
		t.Errorf("native sh cell: %+v", c)
	}
	if c := l.Cells[2]; c.Kind != lessons.Script || c.Shell != "bash" || c.Body != "echo body" {
		t.Errorf("native bash cell: %+v", c)
	}
	if c := l.Cells[3]; c.Kind != lessons.File || c.File.Name != "" || len(c.File.Commands) != 2 {
		t.Errorf("native command cell: %+v %+v", c, c.File)
	}
	if c := l.Cells[4]; c.Kind != lessons.Python || c.Timeout != 90*time.Second {
		t.Errorf("native python cell: %+v", c)
	}
	if c := l.Cells[5]; c.Kind != lessons.File || c.File.Name != "sub/makefile" || c.File.Tabs || !c.File.Verbatim {
		t.Errorf("native makefile: %+v %+v", c, c.File)
	}
	for src, want := range map[string]string{
		"```sh run=\"echo hi\"\necho body\n```\n": "lesson.md:1: fence info: run= without file=: the cell's body would be ignored (add file=NAME to write it)",
		"```text timeout=1s\nx\n```\n":            "lesson.md:1: fence info: a text cell with attributes needs file=, run=CMD or a language that runs (sh, bash, python, console)",
	} {
		if _, err := lessons.Parse("lesson.md", []byte(src)); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", src, err, want)
		}
	}
}

// TestLessonTimeout: <!-- labrun timeout=30s --> sets the lesson's default.
func TestLessonTimeout(t *testing.T) {
	if l := parse(t, "<!-- labrun timeout=30s -->\n\n"+py("x")); l.Timeout != 30*time.Second {
		t.Errorf("Timeout = %v", l.Timeout)
	}
	if l := parse(t, py("x")); l.Timeout != 0 {
		t.Errorf("no directive: Timeout = %v", l.Timeout)
	}
	if l := parse(t, "<!-- a plain comment -->\n\n"+py("x")); l.Timeout != 0 {
		t.Errorf("plain comment: Timeout = %v", l.Timeout)
	}
}

// TestCorpusParses: every lesson skeleton of the course corpus parses,
// when the corpus is there.
func TestCorpusParses(t *testing.T) {
	files, _ := globAll("../../shared/corpus/caos/*/*/README_no_output.md", "../../shared/corpus/seed/*_no_output.md", "../examples/*/*.md")
	if len(files) == 0 {
		t.Skip("no corpus")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lessons.Parse(f, b); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestCellBody: the body below the magic line and the shell of a script
// cell come from lessons, so that runner derives neither.
func TestCellBody(t *testing.T) {
	tests := []struct {
		src, body, shell string
	}{
		{"```cpp\n%%cpp a.c\nint x;\n%run gcc a.c\n```\n", "int x;\n%run gcc a.c", ""},
		{"```bash\n%%bash\n```\n", "", "bash"},
		{"```sh\n%%sh  \necho hi\n```\n", "echo hi", "sh"},
		{"```python\nprint(1)\n!ls\n```\n", "print(1)\n!ls", ""},
		{"```python\n%%writefile w.txt\n%%not a magic here\n```\n", "%%not a magic here", ""},
		// The native dialect has no magic line: a body that starts with
		// %% is written as it is.
		{"```c file=a.c\n%%cpp is text here\nint x;\n```\n", "%%cpp is text here\nint x;", ""},
		{"```sh timeout=2s\n%%bash\necho\n```\n", "%%bash\necho", "sh"},
	}
	for _, tt := range tests {
		c := parse(t, tt.src).Cells[0]
		if c.Body != tt.body || c.Shell != tt.shell {
			t.Errorf("%q: body %q shell %q, want %q %q", tt.src, c.Body, c.Shell, tt.body, tt.shell)
		}
	}
}

// TestBOM: a byte order mark at the start is no part of line 1: a fence
// or a directive there is read, at the same line numbers, and Source keeps
// the mark.
func TestBOM(t *testing.T) {
	l := parse(t, "\ufeff```python\nprint(1)\n```\n")
	if len(l.Cells) != 1 || l.Cells[0].Line != 1 || l.Cells[0].EndLine != 3 || l.Cells[0].Source != "print(1)" {
		t.Fatalf("cells %+v", l.Cells)
	}
	if !strings.HasPrefix(string(l.Source), "\ufeff") {
		t.Errorf("Source lost the byte order mark")
	}
	l = parse(t, "\ufeff<!-- labrun timeout=3s -->\n\n```python\nx\n```\n")
	if l.Timeout != 3*time.Second || len(l.Cells) != 1 || l.Cells[0].Line != 3 {
		t.Errorf("directive after a BOM: timeout %v, cells %+v", l.Timeout, l.Cells)
	}
	if _, err := lessons.Parse("lesson.md", []byte("\ufeff```python\n%foo\n```\n")); err == nil || err.Error() != "lesson.md:2: unknown magic %foo" {
		t.Errorf("error after a BOM: %v", err)
	}
}

// TestWritefileArgs: %%writefile's arguments are split as IPython splits
// them; what IPython would refuse (or write outside) is refused.
func TestWritefileArgs(t *testing.T) {
	for args, want := range map[string]string{
		`"my file.txt"`:  "my file.txt",
		`'it is.txt'`:    "it is.txt",
		`  plain.txt  `:  "plain.txt",
		`sub/"q".txt`:    `sub/"q".txt`,
		`"sub dir/x.py"`: "sub dir/x.py",
	} {
		c := parse(t, "```python\n%%writefile "+args+"\nx\n```\n").Cells[0]
		if c.File == nil || c.File.Name != want {
			t.Errorf("%%%%writefile %s: file %+v, want %q", args, c.File, want)
		}
	}
	for args, want := range map[string]string{
		`my file.txt`:   "lesson.md:2: %%writefile: more than one file name (my, file.txt): quote a name with spaces",
		`"my file.txt`:  `lesson.md:2: %%writefile "my file.txt: no closing quotation`,
		`-a log.txt`:    "lesson.md:2: %%writefile -a (append) is not supported",
		`--force x`:     "lesson.md:2: %%writefile: unknown option --force",
		`""`:            "lesson.md:2: %%writefile needs a file name",
		`~/.bashrc`:     "lesson.md:2: %%writefile ~/.bashrc: a home folder path; files are written inside the work directory",
		`"../up.txt"`:   "lesson.md:2: %%writefile ../up.txt: path leaves the work directory",
		`'/etc/passwd'`: "lesson.md:2: %%writefile /etc/passwd: absolute path; files are written inside the work directory",
	} {
		_, err := lessons.Parse("lesson.md", []byte("```python\n%%writefile "+args+"\nx\n```\n"))
		if err == nil || err.Error() != want {
			t.Errorf("%%%%writefile %s: %v, want %s", args, err, want)
		}
	}
}
