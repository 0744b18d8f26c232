package tangle

import (
	"strings"
	"testing"
)

// TestTangleNative: run.sh replays a native lesson: a background cell as
// a job, waits on a file as a polling loop, a console block's commands in
// one shell (a cd carries over), a stop as a kill of the job; a skip
// cell is not replayed.
func TestTangleNative(t *testing.T) {
	const src = "```sh name=maker background\nsleep 0.2; echo made > ready.txt; exec sleep 30\n```\n\n" +
		"<!-- labrun: wait file=ready.txt 5s -->\n\n" +
		"```console run\n$ mkdir -p d && cd d\n$ cat ../ready.txt; basename \"$PWD\"\nmade\nd\n```\n\n" +
		"<!-- labrun: stop maker -->\n\n" +
		"```bash run skip\necho skipped\n```\n\n" +
		"```bash run\necho \"bash: ${BASH_VERSION:+yes}\"\n```\n"
	dir := t.TempDir()
	if _, err := Write(dir, mustTangle(t, parse(t, src))); err != nil {
		t.Fatal(err)
	}
	out := runScript(t, dir)
	if want := "made\nd\nbash: yes\n"; out != want {
		t.Errorf("run.sh printed %q, want %q", out, want)
	}
	if script := byName(mustTangle(t, parse(t, src)))[Script]; !strings.Contains(string(script.Data), `kill -15 "$job_maker"`) {
		t.Errorf("run.sh does not stop the job:\n%s", script.Data)
	}
}
