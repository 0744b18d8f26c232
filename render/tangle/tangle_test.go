package tangle

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/lessons"
)

func parse(t *testing.T, src string) *lessons.Lesson {
	t.Helper()
	l, err := lessons.Parse("lesson.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustTangle(t *testing.T, l *lessons.Lesson) []File {
	t.Helper()
	files, err := Tangle(l)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func byName(files []File) map[string]File {
	m := map[string]File{}
	for _, f := range files {
		m[f.Name] = f
	}
	return m
}

const lesson = "# L\n\n" +
	"```cpp\n%%cpp a.c\n%run gcc a.c -o a.exe\n%run ./a.exe 'it''s'\nint main() { return 1; }\n```\n\n" +
	"```python\n!echo plain $HOME\nn = 3\n!echo {n} times\n!echo $n\nx = !ls\nfor i in range(2):\n    !echo $i\nprint(x)\n```\n\n" +
	"```bash\n%%bash\ncat <<'LABRUN_EOF'\nfrom bash\nLABRUN_EOF\n```\n\n" +
	"```cpp\n%%cpp a.c\nint main() { return 2; }\n```\n\n" +
	"```python\nb = TInteractiveLauncher(\n    'sleep 0.1; echo bg'\n)\nb.close()\n%bash_async echo async\n```\n\n" +
	"```c file=sub/n.c run=\"cat sub/n.c\"\nnative\n```\n"

// TestTangle checks the folder a lesson gives: the files with the bytes
// "labrun run" writes (the same function), earlier versions kept for
// run.sh, and run.sh's replayed and commented lines.
func TestTangle(t *testing.T) {
	l := parse(t, lesson)
	files := byName(mustTangle(t, l))
	for _, c := range l.Cells {
		if c.File != nil && c.File.Name != "" {
			if _, ok := files[c.File.Name]; !ok {
				t.Errorf("no file %s", c.File.Name)
			}
		}
	}
	if got, want := string(files["a.c"].Data), "// %%cpp a.c\nint main() { return 2; }\n\n"; got != want {
		t.Errorf("a.c = %q, want the last version %q", got, want)
	}
	if got := string(files[".tangle/cell1/a.c"].Data); !strings.Contains(got, "return 1") {
		t.Errorf("first version of a.c = %q", got)
	}
	if got := string(files["sub/n.c"].Data); got != "native\n" {
		t.Errorf("sub/n.c = %q", got)
	}
	sh := string(files[Script].Data)
	if files[Script].Mode != 0o755 {
		t.Errorf("run.sh mode %o", files[Script].Mode)
	}
	for _, want := range []string{
		"mkdir -p '.' && cp -f '.tangle/cell1/a.c' 'a.c'\n",
		"mkdir -p '.' && cp -f '.tangle/cell4/a.c' 'a.c'\n",
		"mkdir -p 'sub' && cp -f '.tangle/cell6/sub/n.c' 'sub/n.c'\n",
		"step 'gcc a.c -o a.exe'\n",
		`step './a.exe '\''it'\'''\''s'\'''` + "\n",
		"step 'echo plain $HOME'\n",
		"#| !echo {n} times    (Python interpolation: not replayed)\n",
		"#| !echo $n    (Python interpolation: not replayed)\n",
		"#| x = !ls\n",
		"#|     !echo $i\n",
		"timeout -s INT -k 2 \"$T\" bash <<'LABRUN_EOF_1'\ncat <<'LABRUN_EOF'\nfrom bash\nLABRUN_EOF\nLABRUN_EOF_1\n",
		"timeout -s INT -k 2 \"$T\" sh -c 'sleep 0.1; echo bg' &\njob_b=$!\n",
		"#| b.close()\nwait \"$job_b\"\n",
		"timeout -s INT -k 2 \"$T\" bash -c 'echo async' &\n",
		"step 'cat sub/n.c'\n",
	} {
		if !strings.Contains(sh, want) {
			t.Errorf("run.sh lacks %q\n%s", want, sh)
		}
	}
	if strings.Index(sh, "cell1/a.c") > strings.Index(sh, "gcc a.c") {
		t.Errorf("run.sh compiles a.c before copying its version in place")
	}
}

// TestTangleRuns writes the folder and runs run.sh with sh: the replay
// compiles and runs the lesson's program, and the background job's output
// comes before the script ends.
func TestTangleRuns(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed: run.sh cannot build the lesson")
	}
	dir := t.TempDir()
	if _, err := Write(dir, mustTangle(t, parse(t, lesson))); err != nil {
		t.Fatal(err)
	}
	out := runScript(t, dir)
	for _, want := range []string{"plain " + os.Getenv("HOME"), "from bash\n", "bg\n", "async\n", "native\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("run.sh output lacks %q:\n%s", want, out)
		}
	}
}

// runScript runs sh run.sh in dir with a short step timeout and returns
// its output.
func runScript(t *testing.T, dir string) string {
	return runScriptTimeout(t, dir, "2")
}

// runScriptTimeout runs sh run.sh in dir with LABRUN_STEP_TIMEOUT=secs.
func runScriptTimeout(t *testing.T, dir, secs string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", Script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LABRUN_STEP_TIMEOUT="+secs)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh run.sh: %v\n%s", err, out)
	}
	return string(out)
}

// TestTangleFIFO: the corpus FIFO lesson tangles to write_fifo.cpp
// byte-identical to the course's file beside it, and its run.sh builds
// the program and runs it as the lesson does (in the background, with
// cat reading the FIFO).
func TestTangleFIFO(t *testing.T) {
	dir := "../../../shared/corpus/caos/caos_2019-2020/sem14-fifo-proc"
	src, err := os.ReadFile(filepath.Join(dir, "README_no_output.md"))
	if err != nil {
		t.Skipf("no corpus FIFO lesson (test data from outside the repository): %v", err)
	}
	out := t.TempDir()
	l, err := lessons.Parse("README_no_output.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(out, mustTangle(t, l)); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "write_fifo.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "write_fifo.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("write_fifo.cpp differs from the corpus file:\n got %q\nwant %q", got, want)
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed: run.sh cannot build write_fifo.cpp")
	}
	// A step timeout that leaves gcc time on a loaded machine.
	log := runScriptTimeout(t, out, "4")
	if _, err := os.Stat(filepath.Join(out, "write_fifo.exe")); err != nil {
		t.Errorf("run.sh did not build write_fifo.exe: %v\n%s", err, log)
	}
	// The background writer's stderr and cat's stdout share the output:
	// their lines may interleave.
	for _, want := range []string{"Started\n", "Opened\n", "Written\n", "Closed\n", "Hello from C!", "Hello 1"} {
		if !strings.Contains(log, want) {
			t.Errorf("run.sh output lacks %q:\n%s", want, log)
		}
	}
}
